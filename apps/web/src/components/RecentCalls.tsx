import { useEffect, useId, useReducer, useState } from 'react';
import { type CombinedError, useClient } from 'urql';
import { CallEvents, type CallState, RecentCalls as RecentCallsQuery } from '../documents.ts';
import { toErrorView } from '../errors.ts';
import { EMPTY_RECENT, recentReducer } from '../recent.ts';
import { statusWords, toneOf } from '../words.ts';

interface PageRequest {
  fetching: boolean;
  error: CombinedError | null;
}

/** Calls asked for per page. */
export const PAGE_SIZE = 10;

/** When the call was created, as the local clock shows it; the instant itself in `dateTime`. */
function CreatedAt({ at }: { at: string | null }) {
  if (at === null) return <span className="muted">—</span>;
  const date = new Date(at);
  const text = Number.isNaN(date.getTime())
    ? at
    : date.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  return (
    <time className="muted" dateTime={at} title={at}>
      {text}
    </time>
  );
}

/**
 * The caller's calls, newest first, a page at a time, each status kept current by callEvents
 * while mounted; `latest` (a call the page just placed or updated) is merged in at once.
 */
export function RecentCalls(props: {
  selectedId: string | null;
  onSelect: (call: CallState) => void;
  latest?: CallState | null;
  /**
   * The calls listed, each time the list changes (the page looks for one still running), and
   * whether the first page has been answered (loaded or failed).
   */
  onCalls?: (calls: readonly CallState[], settled: boolean) => void;
}) {
  const { selectedId, onSelect, latest, onCalls } = props;
  const client = useClient();
  const titleId = useId();
  const errorId = useId();
  const [list, dispatch] = useReducer(recentReducer, EMPTY_RECENT);
  // The page to load: a new object loads (again), so Retry is `setLoad({ ...load })`.
  const [load, setLoad] = useState<{ after: string | null }>({ after: null });
  const [page, setPage] = useState<PageRequest>({ fetching: true, error: null });
  const [liveError, setLiveError] = useState<string[]>([]);

  const [settled, setSettled] = useState(false);
  useEffect(() => {
    onCalls?.(list.calls, settled);
  }, [list.calls, settled, onCalls]);

  // Imperative rather than useQuery, whose first render subscribes and tears down at once (an
  // aborted POST per page without a cache); torn down on unmount or when the next page loads.
  // Only a page's first result is taken: a later one (a cache's refetch) would move the cursor
  // back to that page's end.
  useEffect(() => {
    setPage({ fetching: true, error: null });
    const variables = { first: PAGE_SIZE, after: load.after };
    let taken = false;
    const source = client.query(RecentCallsQuery, variables, { requestPolicy: 'network-only' });
    const { unsubscribe } = source.subscribe((result) => {
      if (taken) return;
      taken = true;
      const calls = result.data?.calls;
      if (calls) dispatch({ type: 'page', nodes: calls.nodes, pageInfo: calls.pageInfo });
      setPage({ fetching: false, error: result.error ?? null });
      setSettled(true);
    });
    return unsubscribe;
  }, [client, load]);

  useEffect(() => {
    if (latest) dispatch({ type: 'state', call: latest });
  }, [latest]);

  useEffect(() => {
    const { unsubscribe } = client.subscription(CallEvents, {}).subscribe((result) => {
      if (result.data) dispatch({ type: 'state', call: result.data.callEvents });
      if (result.error) setLiveError(toErrorView(result.error).banner);
    });
    return unsubscribe;
  }, [client]);

  const loadError = page.error ? toErrorView(page.error).banner : [];
  const empty = list.calls.length === 0 && !page.fetching && !page.error;

  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 className="card-title" id={titleId}>
        Recent calls
      </h2>
      {list.calls.length > 0 ? (
        <ul className="list" aria-label="Recent calls">
          {list.calls.map((call) => (
            <li key={call.id}>
              <button
                type="button"
                className="row-button"
                aria-current={call.id === selectedId ? 'true' : undefined}
                onClick={() => onSelect(call)}
              >
                <span className="mono">{call.destination.target}</span>{' '}
                <span className="chip" data-tone={toneOf(call.status)}>
                  {statusWords(call.status)}
                </span>{' '}
                <CreatedAt at={call.createdAt} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div role="status">
        {page.fetching ? <p className="muted">Loading recent calls…</p> : null}
        {empty ? <p className="muted">No calls yet.</p> : null}
        {loadError.length > 0 ? (
          <div className="control-error" id={errorId}>
            {loadError.map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>
        ) : null}
        {liveError.length > 0 ? (
          <p className="muted">Live status updates stopped: {liveError.join(' ')}</p>
        ) : null}
      </div>
      {loadError.length > 0 ? (
        <button
          type="button"
          className="btn"
          aria-describedby={errorId}
          onClick={() => setLoad({ ...load })}
        >
          Retry
        </button>
      ) : list.hasNextPage ? (
        <button
          type="button"
          className="btn"
          disabled={page.fetching}
          aria-busy={page.fetching ? 'true' : undefined}
          onClick={() => setLoad({ after: list.endCursor })}
        >
          Show more
        </button>
      ) : null}
    </section>
  );
}
