import { useEffect, useReducer, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { CallUpdated, CreateCall, HangupCall } from '../documents.ts';
import { type ErrorView, toErrorView } from '../errors.ts';
import {
  type FieldErrors,
  type FormValues,
  firstInvalid,
  QUICKSTART,
  toCreateCallInput,
  validateForm,
} from '../form.ts';
import { EMPTY_TIMELINE, timelineReducer } from '../timeline.ts';
import { CallForm } from './CallForm.tsx';
import { CallTimeline } from './CallTimeline.tsx';
import { controlId } from './FormField.tsx';

const NO_ERRORS: ErrorView = { fields: {}, banner: [] };

const focusField = (errors: FieldErrors) => {
  const field = firstInvalid(errors);
  if (field) document.getElementById(controlId(field))?.focus();
};

/** The dialer: the form, then the call's live timeline; errors by the field they concern. */
export function App() {
  const client = useClient();
  const [values, setValues] = useState<FormValues>(QUICKSTART);
  const [errors, setErrors] = useState<ErrorView>(NO_ERRORS);
  const [timeline, dispatch] = useReducer(timelineReducer, EMPTY_TIMELINE);
  const [created, createCall] = useMutation(CreateCall);
  const [hangup, hangupCall] = useMutation(HangupCall);
  const callId = timeline.callId;

  useEffect(() => {
    if (callId === null) return;
    const { unsubscribe } = client.subscription(CallUpdated, { id: callId }).subscribe((result) => {
      if (result.data) dispatch({ type: 'state', call: result.data.callUpdated });
      if (result.error) {
        const { banner } = toErrorView(result.error);
        setErrors((shown) => ({ ...shown, banner: [...shown.banner, ...banner] }));
      }
    });
    return unsubscribe;
  }, [client, callId]);

  const place = async () => {
    const invalid = validateForm(values);
    setErrors({ fields: invalid, banner: [] });
    if (firstInvalid(invalid)) {
      focusField(invalid);
      return;
    }
    const result = await createCall({
      input: toCreateCallInput(values),
      idempotencyKey: crypto.randomUUID(),
    });
    if (result.error) {
      const view = toErrorView(result.error);
      setErrors(view);
      focusField(view.fields);
      return;
    }
    const call = result.data?.createCall.calls[0];
    if (call) dispatch({ type: 'placed', call });
    else setErrors({ fields: {}, banner: ['The gateway placed no call for this destination.'] });
  };

  const hangUp = async () => {
    if (callId === null) return;
    const result = await hangupCall({ id: callId });
    if (result.error) setErrors({ fields: {}, banner: toErrorView(result.error).banner });
    else if (result.data) dispatch({ type: 'state', call: result.data.hangupCall });
  };

  return (
    <main>
      <h1>Call with VoIPBIN</h1>
      <p className="intro">
        Places VoIPBIN's quickstart call through the gateway's GraphQL API, then follows it live.
      </p>
      {errors.banner.length > 0 ? (
        <div className="banner" role="alert">
          {errors.banner.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      ) : null}
      <CallForm
        values={values}
        errors={errors.fields}
        sending={created.fetching}
        onChange={setValues}
        onSubmit={place}
      />
      <CallTimeline timeline={timeline} hangingUp={hangup.fetching} onHangup={hangUp} />
    </main>
  );
}
