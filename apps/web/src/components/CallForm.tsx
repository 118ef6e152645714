import type { FormEvent, Ref } from 'react';
import { type FieldErrors, type FormValues, GENDERS, type Gender } from '../form.ts';
import { FormField } from './FormField.tsx';

/** The call to place: the quickstart's fields, each labelled, errors next to them. */
export function CallForm(props: {
  values: FormValues;
  errors: FieldErrors;
  sending: boolean;
  /** Not yet: whether a call is running is not known (Recent calls is loading). */
  disabled?: boolean;
  /** The gateway is checking the input (validateCall). */
  checking: boolean;
  /** Problems the gateway found that name no field, as `path: message`. */
  other: string[];
  titleRef?: Ref<HTMLHeadingElement>;
  onChange: (values: FormValues) => void;
  onSubmit: () => void;
}) {
  const { values, errors, sending, onChange } = props;
  const set = (patch: Partial<FormValues>) => onChange({ ...values, ...patch });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form
      className="card call-form stack"
      onSubmit={submit}
      noValidate
      aria-labelledby="form-title"
    >
      <h2 id="form-title" className="card-title" tabIndex={-1} ref={props.titleRef}>
        Place a call
      </h2>
      <FormField
        field="source"
        label="From (source number)"
        hint="E.164, e.g. +821028286521: a number your VoIPBIN account owns."
        error={errors.source}
      >
        {(aria) => (
          <input
            {...aria}
            type="tel"
            autoComplete="tel"
            value={values.source}
            onChange={(e) => set({ source: e.target.value })}
          />
        )}
      </FormField>
      <FormField
        field="destination"
        label="To (destination number)"
        hint="E.164, e.g. +821021656521. This gateway may allow only some destinations: it checks as you type."
        error={errors.destination}
      >
        {(aria) => (
          <input
            {...aria}
            type="tel"
            value={values.destination}
            onChange={(e) => set({ destination: e.target.value })}
          />
        )}
      </FormField>
      <FormField field="text" label="Text to say" error={errors.text}>
        {(aria) => (
          <textarea
            {...aria}
            rows={3}
            value={values.text}
            onChange={(e) => set({ text: e.target.value })}
          />
        )}
      </FormField>
      <div className="row">
        <FormField field="language" label="Language" error={errors.language}>
          {(aria) => (
            <input
              {...aria}
              value={values.language}
              onChange={(e) => set({ language: e.target.value })}
            />
          )}
        </FormField>
        <FormField field="gender" label="Voice" error={errors.gender}>
          {(aria) => (
            <select
              {...aria}
              value={values.gender}
              onChange={(e) => set({ gender: e.target.value as Gender })}
            >
              {GENDERS.map((gender) => (
                <option key={gender} value={gender}>
                  {gender.toLowerCase()}
                </option>
              ))}
            </select>
          )}
        </FormField>
      </div>
      <div className="cluster">
        <button
          type="submit"
          className="btn btn-primary btn-wide"
          disabled={sending || props.disabled}
          aria-busy={sending || props.disabled}
        >
          {sending ? 'Calling…' : 'Call'}
        </button>
        {/* Not announced: it comes and goes at every pause in typing. */}
        <span className="muted" aria-hidden="true">
          {props.checking ? 'Checking…' : ''}
        </span>
      </div>
      <div aria-live="polite" className="field-error">
        {props.other.map((line) => (
          <p key={line}>{line}</p>
        ))}
      </div>
    </form>
  );
}
