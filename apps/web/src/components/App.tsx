import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';
import { useConnection } from '../connection.ts';
import { type CallState, CallUpdated, CreateCall, HangupCall } from '../documents.ts';
import { type ErrorView, inProgress, outcomeUnknown, replayed, toErrorView } from '../errors.ts';
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
import { isLive } from '../words.ts';
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

/** Lines once each, in order: a repeated failure does not repeat its line. */
const uniq = (lines: string[]) => [...new Set(lines)];

/**
 * The dialer: the form, or, while a call runs, that call with its controls. One live call at a
 * time: while any call of the caller runs (the one shown, or one Recent calls shows running),
 * there is no Call button; the page offers to show that call instead.
 */
export function App() {
  const client = useClient();
  const connection = useConnection();
  const [values, setValues] = useState<FormValues>(QUICKSTART);
  const [errors, setErrors] = useState<ErrorView>(NO_ERRORS);
  const [timeline, dispatch] = useReducer(timelineReducer, EMPTY_TIMELINE);
  const [created, createCall] = useMutation(CreateCall);
  const [hangup, hangupCall] = useMutation(HangupCall);
  // What Recent calls lists, and whether its first page has come (until then a running call
  // may be there: no Call button yet).
  const [known, setKnown] = useState<{ calls: readonly CallState[]; settled: boolean }>({
    calls: [],
    settled: false,
  });
  const onCalls = useCallback(
    (calls: readonly CallState[], settled: boolean) => setKnown({ calls, settled }),
    [],
  );
  // The stream ended before HANGUP, or gave up reconnecting: a button subscribes again.
  const [lost, setLost] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // One key per input until an answer is sure: a press after "the call may have been placed"
  // replays that answer instead of placing a second call.
  const idempotencyKey = useRef<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const formTitle = useRef<HTMLHeadingElement>(null);
  const runningTitle = useRef<HTMLHeadingElement>(null);
  const { callId, hungUp, current } = timeline;
  const live = current !== null && !hungUp;
  const running = live ? current : (known.calls.find((call) => isLive(call)) ?? null);
  const canPlace = running === null && known.settled;
  const validation = useLiveValidation(values, canPlace && !created.fetching);

  const addBanner = useCallback((lines: string[]) => {
    setErrors((shown) => ({ ...shown, banner: uniq([...shown.banner, ...lines]) }));
  }, []);

  // The call's live states; a dropped stream reconnects in the client (graphql-sse, with
  // backoff) and callUpdated answers the current state first, so the timeline catches up.
  // A stream that errs or ends before HANGUP leaves the call unfollowed: `lost` says so, and
  // a new `attempt` (the Follow again button) subscribes again.
  useEffect(() => {
    if (callId === null || hungUp) return;
    setLost(false);
    let over = false;
    let left = false;
    const { unsubscribe } = pipe(
      client.subscription(CallUpdated, { id: callId }),
      onEnd(() => {
        if (!left && !over) setLost(true);
      }),
      subscribe((result) => {
        if (result.data) {
          dispatch({ type: 'state', call: result.data.callUpdated });
          if (result.data.callUpdated.status === 'HANGUP') over = true;
        }
        if (result.error) {
          addBanner(toErrorView(result.error).banner);
          setLost(true);
        }
      }),
    );
    return () => {
      left = true;
      unsubscribe();
    };
  }, [client, callId, hungUp, attempt, addBanner]);

  // Focus follows the call: its heading when one is shown. A layout effect, so the focus has
  // moved by the time the card is on screen (a passive effect runs a task later, and a screen
  // reader or a test that looks at once finds it still on the page's body).
  useLayoutEffect(() => {
    if (callId !== null) heading.current?.focus();
  }, [callId]);

  // Nothing shown and a call found running (a reload mid-call, a call placed elsewhere): it is
  // followed at once, which also corrects a list that is behind (its state comes first).
  useEffect(() => {
    if (callId === null && running !== null) dispatch({ type: 'placed', call: running });
  }, [callId, running]);

  const show = useCallback(
    (call: CallState) => {
      // The call already shown: only the focus moves (the list's copy may be older).
      if (call.id === callId) {
        heading.current?.focus();
        return;
      }
      setErrors(NO_ERRORS);
      dispatch({ type: 'placed', call });
    },
    [callId],
  );

  const close = () => {
    dispatch({ type: 'reset' });
    setErrors(NO_ERRORS);
    // The form (or the running call's card) comes back: its heading takes the focus, rather
    // than the page's body.
    requestAnimationFrame(() => (formTitle.current ?? runningTitle.current)?.focus());
  };

  const place = async () => {
    if (!canPlace) return;
    const invalid = validateForm(values);
    setErrors({ fields: invalid, banner: [] });
    if (firstInvalid(invalid)) {
      focusField(invalid);
      return;
    }
    idempotencyKey.current ??= crypto.randomUUID();
    const result = await createCall({
      input: toCreateCallInput(values),
      idempotencyKey: idempotencyKey.current,
    });
    if (result.error) {
      const view = toErrorView(result.error);
      const unknown = outcomeUnknown(result.error);
      // Same key while the outcome is unknown or the first request is still being placed: a
      // press replays the first answer. Once that answer has come back replayed, the user has
      // seen it twice: the next press is a new call, on purpose, and the page says so.
      if (!(unknown || inProgress(result.error)) || replayed(result.error)) {
        idempotencyKey.current = null;
        if (unknown)
          view.banner.push('Look in Recent calls first; pressing Call again places a new call.');
      }
      setErrors(view);
      focusField(view.fields);
      return;
    }
    idempotencyKey.current = null;
    const call = result.data?.createCall.calls[0];
    if (call) show(call);
    else setErrors({ fields: {}, banner: ['The gateway placed no call for this destination.'] });
  };

  const hangUp = async () => {
    if (callId === null || hangup.fetching) return;
    const result = await hangupCall({ id: callId });
    if (result.error) addBanner(toErrorView(result.error).banner);
    else if (result.data) dispatch({ type: 'state', call: result.data.hangupCall });
  };

  const follow = () => {
    setErrors((shown) => ({ ...shown, banner: [] }));
    setAttempt((n) => n + 1);
  };

  const fieldErrors = { ...validation.fields, ...errors.fields };
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Call with VoIPBIN</h1>
        <span className="chip" data-tone={connection === 'online' ? 'ok' : 'warn'}>
          {connection === 'online' ? 'Connected' : 'Reconnecting…'}
        </span>
      </header>
      <main className="layout">
        <div className="primary stack">
          {errors.banner.length > 0 ? (
            <div className="banner" role="alert">
              {errors.banner.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          ) : null}
          {current !== null ? (
            <ActiveCall
              timeline={timeline}
              reconnecting={connection === 'reconnecting'}
              lost={lost}
              onReconnect={follow}
              hangingUp={hangup.fetching}
              onHangup={hangUp}
              onClose={close}
              controls={
                <CallControls
                  call={current}
                  disabled={connection === 'reconnecting' || lost}
                  onCall={(call) => dispatch({ type: 'state', call })}
                />
              }
              headingRef={heading}
            />
          ) : null}
          {running === null ? (
            <CallForm
              disabled={!known.settled}
              values={values}
              errors={fieldErrors}
              other={validation.other}
              sending={created.fetching}
              checking={validation.checking}
              titleRef={formTitle}
              onChange={(next) => {
                setValues(next);
                // What createCall answered was about the input before this change.
                setErrors((shown) => ({ ...shown, fields: {} }));
                idempotencyKey.current = null;
              }}
              onSubmit={place}
            />
          ) : live ? null : (
            <section className="card stack" aria-labelledby="running-title">
              <h2 id="running-title" className="card-title" tabIndex={-1} ref={runningTitle}>
                A call is running
              </h2>
              <p>
                One call at a time: end the call to{' '}
                <span className="mono">{running.destination.target ?? 'unknown'}</span> before
                placing another.
              </p>
              <div className="cluster">
                <button type="button" className="btn btn-primary" onClick={() => show(running)}>
                  Show the running call
                </button>
              </div>
            </section>
          )}
        </div>
        <aside>
          <RecentCalls selectedId={callId} onSelect={show} latest={current} onCalls={onCalls} />
        </aside>
      </main>
    </div>
  );
}
