import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { useConnection } from '../connection.ts';
import { type CallState, CallUpdated, CreateCall, HangupCall } from '../documents.ts';
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
import { useLiveValidation } from '../validation.ts';
import { ActiveCall } from './ActiveCall.tsx';
import { CallControls } from './CallControls.tsx';
import { CallForm } from './CallForm.tsx';
import { controlId } from './FormField.tsx';
import { RecentCalls } from './RecentCalls.tsx';

const NO_ERRORS: ErrorView = { fields: {}, banner: [] };

const focusField = (errors: FieldErrors) => {
  const field = firstInvalid(errors);
  if (field) document.getElementById(controlId(field))?.focus();
};

/**
 * The dialer: the form, or, while a call runs, that call with its controls (one live call at
 * a time: Call comes back once it has ended); errors by the field they concern.
 */
export function App() {
  const client = useClient();
  const connection = useConnection();
  const [values, setValues] = useState<FormValues>(QUICKSTART);
  const [errors, setErrors] = useState<ErrorView>(NO_ERRORS);
  const [timeline, dispatch] = useReducer(timelineReducer, EMPTY_TIMELINE);
  const [created, createCall] = useMutation(CreateCall);
  const [hangup, hangupCall] = useMutation(HangupCall);
  // The stream gave up (graphql-sse retried for minutes): a button subscribes again.
  const [lost, setLost] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const { callId, hungUp } = timeline;
  const live = callId !== null && !hungUp;
  const validation = useLiveValidation(values, !live && !created.fetching);

  // The call's live states; a dropped stream reconnects in the client (graphql-sse, with
  // backoff) and callUpdated answers the current state first, so the timeline catches up.
  // A new `attempt` (the Follow again button) subscribes again.
  useEffect(() => {
    if (callId === null || hungUp) return;
    setLost(false);
    const { unsubscribe } = client.subscription(CallUpdated, { id: callId }).subscribe((result) => {
      if (result.data) dispatch({ type: 'state', call: result.data.callUpdated });
      if (result.error) {
        const { banner } = toErrorView(result.error);
        setErrors((shown) => ({ ...shown, banner: [...shown.banner, ...banner] }));
        if (result.error.networkError) setLost(true);
      }
    });
    return unsubscribe;
  }, [client, callId, hungUp, attempt]);

  // Focus follows the call: its heading when one is shown.
  useEffect(() => {
    if (callId !== null) heading.current?.focus();
  }, [callId]);

  const show = useCallback((call: CallState) => {
    setErrors(NO_ERRORS);
    dispatch({ type: 'placed', call });
  }, []);

  const place = async () => {
    if (live) return;
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
    if (call) show(call);
    else setErrors({ fields: {}, banner: ['The gateway placed no call for this destination.'] });
  };

  const hangUp = async () => {
    if (callId === null) return;
    const result = await hangupCall({ id: callId });
    if (result.error) setErrors({ fields: {}, banner: toErrorView(result.error).banner });
    else if (result.data) dispatch({ type: 'state', call: result.data.hangupCall });
  };

  const fieldErrors = { ...validation.fields, ...errors.fields };
  const banner = [...errors.banner, ...validation.other];
  return (
    <div className="app">
      <header className="topbar">
        <p className="brand">Call with VoIPBIN</p>
        <span className="chip" data-tone={connection === 'online' ? 'ok' : 'warn'}>
          {connection === 'online' ? 'Connected' : 'Reconnecting…'}
        </span>
      </header>
      <main className="layout">
        <div className="primary stack">
          <h1 className={live ? 'visually-hidden' : undefined}>Place a call</h1>
          {banner.length > 0 ? (
            <div className="banner" role="alert">
              {banner.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          ) : null}
          {callId !== null ? (
            <ActiveCall
              timeline={timeline}
              reconnecting={connection === 'reconnecting'}
              lost={lost}
              onReconnect={() => setAttempt((n) => n + 1)}
              hangingUp={hangup.fetching}
              onHangup={hangUp}
              onClose={() => dispatch({ type: 'reset' })}
              controls={
                timeline.current ? (
                  <CallControls
                    call={timeline.current}
                    disabled={connection === 'reconnecting'}
                    onCall={(call) => dispatch({ type: 'state', call })}
                  />
                ) : null
              }
              headingRef={heading}
            />
          ) : null}
          {live ? null : (
            <CallForm
              values={values}
              errors={fieldErrors}
              sending={created.fetching}
              checking={validation.checking}
              onChange={(next) => {
                setValues(next);
                // What createCall answered was about the input before this change.
                setErrors((shown) => ({ ...shown, fields: {} }));
              }}
              onSubmit={place}
            />
          )}
        </div>
        <aside>
          <RecentCalls selectedId={callId} onSelect={show} latest={timeline.current} />
        </aside>
      </main>
    </div>
  );
}
