import { type ReactNode, type RefObject, useEffect, useLayoutEffect, useState } from 'react';
import type { CallState } from '../documents.ts';
import type { Timeline } from '../timeline.ts';
import { duration, endWords, statusWords, toneOf } from '../words.ts';

/** A time as the local clock shows it, the instant itself in `dateTime`. */
export function Time({ at }: { at: string | null }) {
  if (at === null) return <span className="time">—</span>;
  const date = new Date(at);
  const text = Number.isNaN(date.getTime()) ? at : date.toLocaleTimeString([], { hour12: false });
  return (
    <time className="time" dateTime={at} title={at}>
      {text}
    </time>
  );
}

/** Milliseconds since the epoch, once a second while `running`. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

const ms = (at: string | null | undefined) => (at ? Date.parse(at) : Number.NaN);

/**
 * How far this device's clock is behind VoIPBIN's (<= 0), taken when a state arrives: a
 * state that says it changed later than now. (One that changed earlier may just be old, as
 * the current state of a call reopened, so it says nothing of the clocks.)
 */
function useSkew(call: CallState | null): number {
  const [skew, setSkew] = useState({ id: null as string | null, ms: 0 });
  useEffect(() => {
    if (call === null) return;
    const at = ms(call.updatedAt ?? call.createdAt);
    const seen = Number.isNaN(at) ? 0 : Math.min(0, Date.now() - at);
    // The largest seen for this call: an older state arriving late never sets the timer back.
    setSkew((held) => ({ id: call.id, ms: held.id === call.id ? Math.min(held.ms, seen) : seen }));
  }, [call]);
  return skew.id === call?.id ? skew.ms : 0;
}

/** Copies the call id, saying so in a polite status. */
function CopyId({ id }: { id: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <>
      <button type="button" className="btn btn-quiet btn-small" onClick={copy}>
        Copy id
      </button>
      <span role="status" className="muted">
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Select the id to copy it' : ''}
      </span>
    </>
  );
}

/**
 * The call on screen: its numbers as the heading, the id with a copy button, the status in
 * words with a running timer, the controls while answered, Hang up while it runs, and the
 * timeline of each stage. Focus moves to the heading when another call is shown.
 */
export function ActiveCall(props: {
  timeline: Timeline;
  reconnecting: boolean;
  /** The live stream gave up reconnecting. */
  lost: boolean;
  onReconnect: () => void;
  hangingUp: boolean;
  onHangup: () => void;
  onClose: () => void;
  controls: ReactNode;
  headingRef: RefObject<HTMLHeadingElement> | null;
}) {
  const { timeline, reconnecting, lost, hangingUp } = props;
  const call = timeline.current;
  const now = useNow(call !== null && !timeline.hungUp);
  const status = call?.status;
  const { headingRef } = props;
  // Hang up and the controls go when the call leaves Answered or ends: a focus they held
  // would fall to the page's body, so it goes to the call's heading instead (in the same commit
  // that removed them, before the page is painted).
  useLayoutEffect(() => {
    if (status === undefined) return;
    if (document.activeElement === document.body) headingRef?.current?.focus();
  }, [status, headingRef]);
  const skew = useSkew(call);
  if (call === null) return null;
  const live = !timeline.hungUp;
  const answered = ms(call.progressingAt);
  const ended = ms(call.hangupAt);
  // Talk time once answered; before that, time since the call was placed. VoIPBIN's times,
  // and this device's clock while it runs (set off by how far apart the two clocks are).
  const since = Number.isNaN(answered) ? ms(call.createdAt) : answered;
  const until = live ? now - skew : Number.isNaN(ended) ? ms(call.updatedAt) : ended;
  const elapsed = Number.isNaN(since) || Number.isNaN(until) ? null : until - since;
  return (
    <section className="card call" aria-labelledby="call-title" data-status={call.status}>
      <header className="call-head">
        <h2 id="call-title" className="call-title" tabIndex={-1} ref={headingRef}>
          <span className="mono">{call.source.target ?? 'unknown'}</span>
          <span aria-hidden="true"> → </span>
          <span className="visually-hidden"> to </span>
          <span className="mono">{call.destination.target ?? 'unknown'}</span>
        </h2>
        <p className="call-id muted">
          <span>
            Call id <code className="mono">{call.id}</code>
          </span>
          <CopyId id={call.id} />
        </p>
      </header>
      <div className="call-state">
        {/* A timer is not announced each second (role timer: aria-live off). */}
        {elapsed === null ? null : (
          <span className="timer mono" role="timer">
            {duration(elapsed)}
          </span>
        )}
        <div className="cluster" aria-live="polite">
          <span className="chip" data-tone={toneOf(call.status)}>
            {statusWords(call.status)}
          </span>
          {live && call.status === 'PROGRESSING' && call.action?.type ? (
            <span className="muted">playing {call.action.type}</span>
          ) : null}
          {live ? null : <span className="ended">{endWords(call)}</span>}
          {reconnecting && live ? <span className="notice">Reconnecting…</span> : null}
          {lost && live ? (
            <span className="notice">
              Not following this call any more.{' '}
              <button type="button" className="btn btn-small" onClick={props.onReconnect}>
                Follow again
              </button>
            </span>
          ) : null}
        </div>
      </div>
      {live ? (
        <div className="call-actions">
          {/* Never disabled: a call can always be ended (a press while one runs does nothing,
              and a failure says why in the banner). */}
          <button
            type="button"
            className="btn btn-danger btn-wide"
            onClick={props.onHangup}
            aria-disabled={hangingUp}
            aria-busy={hangingUp}
          >
            {hangingUp ? 'Hanging up…' : 'Hang up'}
          </button>
        </div>
      ) : (
        <div className="call-actions">
          <button type="button" className="btn btn-quiet" onClick={props.onClose}>
            Close
          </button>
        </div>
      )}
      {live && call.status === 'PROGRESSING' ? props.controls : null}
      <details className="timeline" open>
        <summary>Timeline</summary>
        <ol className="entries">
          {timeline.entries.map((entry, i) => (
            <li key={`${i}-${entry.status}`} data-status={entry.status}>
              <span className="status">{statusWords(entry.status)}</span> <Time at={entry.at} />
              {entry.actionType ? (
                <span className="action"> playing {entry.actionType}</span>
              ) : null}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}
