import type { Timeline } from '../timeline.ts';

/** A time as the local clock shows it, the instant itself in `dateTime`. */
function Time({ at }: { at: string | null }) {
  if (at === null) return <span className="time">—</span>;
  const date = new Date(at);
  const text = Number.isNaN(date.getTime()) ? at : date.toLocaleTimeString([], { hour12: false });
  return (
    <time className="time" dateTime={at} title={at}>
      {text}
    </time>
  );
}

/** The followed call: each status with its time, the action running now, why it ended. */
export function CallTimeline(props: {
  timeline: Timeline;
  hangingUp: boolean;
  onHangup: () => void;
}) {
  const { timeline, hangingUp } = props;
  const { current } = timeline;
  if (timeline.callId === null || current === null) return null;
  return (
    <section className="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">
        Call <code>{timeline.callId}</code>
      </h2>
      <div aria-live="polite">
        <ol className="entries">
          {timeline.entries.map((entry, i) => (
            <li key={`${i}-${entry.status}`}>
              <span className="status">{entry.status}</span> <Time at={entry.at} />
              {entry.actionType ? <span className="action"> {entry.actionType}</span> : null}
            </li>
          ))}
        </ol>
        {timeline.hungUp ? (
          <p className="ended">Ended: {current.hangupReason ?? 'no reason given'}</p>
        ) : (
          <p className="now">
            Now: {current.status}
            {current.action?.type ? `, running ${current.action.type}` : ''}
          </p>
        )}
      </div>
      {timeline.hungUp ? null : (
        <button type="button" className="hangup" onClick={props.onHangup} disabled={hangingUp}>
          {hangingUp ? 'Hanging up…' : 'Hang up'}
        </button>
      )}
    </section>
  );
}
