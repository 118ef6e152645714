import type { ReactNode } from 'react';
import type { Field } from '../form.ts';

/** The id of a field's control, for `<label for>` and for moving the focus to it. */
export const controlId = (field: Field) => `call-${field}`;
/** The id of a field's error message, for `aria-describedby`. */
export const errorId = (field: Field) => `call-${field}-error`;

/** A labelled control with its error message under it, tied by `aria-describedby`. */
export function FormField(props: {
  field: Field;
  label: string;
  hint?: string;
  error: string | undefined;
  children: (aria: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const { field, label, hint, error } = props;
  const hintId = `call-${field}-hint`;
  const describedBy = [error ? errorId(field) : null, hint ? hintId : null].filter(Boolean);
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={controlId(field)}>{label}</label>
      {props.children({
        id: controlId(field),
        'aria-invalid': error !== undefined,
        'aria-describedby': describedBy.length > 0 ? describedBy.join(' ') : undefined,
      })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {/* Always there, so that a message appearing as the user types is announced. */}
      <p className="field-error" id={errorId(field)} aria-live="polite">
        {error ?? ''}
      </p>
    </div>
  );
}
