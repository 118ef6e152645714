import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactElement } from 'react';
import { Client, type Exchange, makeErrorResult, makeResult, type Operation, Provider } from 'urql';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { filter, makeSubject, map, mergeMap, onPush, pipe, type Subject } from 'wonka';
import { callState } from '../call-fixture.ts';
import type { CallState } from '../documents.ts';
import { RecentCalls } from './RecentCalls.tsx';

type Body = Parameters<typeof makeResult>[1];

/**
 * A urql client whose exchange holds each RecentCalls query until the test answers it (by its
 * `after`), streams `push`ed states to the CallEvents subscription, and records every
 * operation it sees, teardowns too.
 */
function mockedClient() {
  const seen: Operation[] = [];
  const queries: { operation: Operation; answer: Subject<Body | Error> }[] = [];
  const events = makeSubject<Body>();
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      onPush((operation) => seen.push(operation)),
      filter((operation) => operation.kind !== 'teardown'),
      mergeMap((operation) => {
        if (operation.kind === 'subscription')
          return pipe(
            events.source,
            map((body) => makeResult(operation, body)),
          );
        const answer = makeSubject<Body | Error>();
        queries.push({ operation, answer });
        return pipe(
          answer.source,
          map((body) =>
            body instanceof Error ? makeErrorResult(operation, body) : makeResult(operation, body),
          ),
        );
      }),
    );
  const client = new Client({ url: '/graphql', exchanges: [exchange] });
  /** Answers the last query sent with this `after`. */
  const answer = (after: string | null, body: Body | Error) => {
    const query = queries.findLast((q) => (q.operation.variables?.after ?? null) === after);
    if (!query) throw new Error(`no query sent with after=${after}`);
    act(() => query.answer.next(body));
  };
  const push = (call: CallState) => act(() => events.next({ data: { callEvents: call } }));
  const pushError = (body: Body) => act(() => events.next(body));
  return { client, seen, queries, answer, push, pushError };
}

const call = (id: string, n: number, status: CallState['status'], more: Partial<CallState> = {}) =>
  callState(status, {
    id,
    createdAt: `2026-01-15T09:${String(30 + n).padStart(2, '0')}:00.000000Z`,
    destination: { target: `+82102165652${n}` },
    ...more,
  });

const page = (nodes: CallState[], endCursor: string | null, hasNextPage: boolean): Body => ({
  data: { calls: { nodes, pageInfo: { endCursor, hasNextPage } } },
});

const FIRST = [call('c3', 3, 'RINGING'), call('c2', 2, 'HANGUP'), call('c1', 1, 'PROGRESSING')];

const panel = (client: Client, props: Partial<Parameters<typeof RecentCalls>[0]> = {}) => {
  const element = (more: typeof props): ReactElement => (
    <Provider value={client}>
      <RecentCalls selectedId={null} onSelect={() => {}} {...props} {...more} />
    </Provider>
  );
  const view = render(element({}));
  return { ...view, update: (more: typeof props) => view.rerender(element(more)) };
};

const list = () => screen.getByRole('list', { name: 'Recent calls' });
/** Each row as `number: words (tone)`. */
const rows = () =>
  within(list())
    .getAllByRole('button')
    .map(
      (row) =>
        `${row.querySelector('.mono')?.textContent}: ${row.querySelector('.chip')?.textContent} (${row.querySelector('.chip')?.getAttribute('data-tone')})`,
    );
const showMore = () => screen.queryByRole('button', { name: 'Show more' });
const queriesSent = (seen: Operation[]) => seen.filter((op) => op.kind === 'query');

let consoleSpies: MockInstance[] = [];
beforeEach(() => {
  consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    vi.spyOn(console, level),
  );
});
afterEach(() => {
  cleanup();
  // Nothing logged at all: no React warning, and never a number.
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe('the recent calls panel', () => {
  it('loads the first page of 10 and lists it newest first with each status in words', () => {
    const { client, seen, answer } = mockedClient();
    panel(client);
    expect(screen.getByRole('region', { name: 'Recent calls' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('Loading recent calls');
    expect(queriesSent(seen).map((op) => op.variables)).toEqual([{ first: 10, after: null }]);

    answer(null, page(FIRST, 'p1', false));
    expect(rows()).toEqual([
      '+821021656523: Ringing (live)',
      '+821021656522: Ended (ended)',
      '+821021656521: Answered (ok)',
    ]);
    expect(screen.getByRole('status').textContent).toBe('');
    const time = within(list()).getAllByRole('button')[0]?.querySelector('time');
    expect(time?.getAttribute('dateTime')).toBe('2026-01-15T09:33:00.000000Z');
    expect(time?.textContent).toBe(
      new Date('2026-01-15T09:33:00Z').toLocaleString([], {
        dateStyle: 'short',
        timeStyle: 'short',
      }),
    );
    expect(showMore()).toBeNull();
  });

  it('says so when there are no calls', () => {
    const { client, answer } = mockedClient();
    panel(client);
    expect(screen.queryByText('No calls yet.')).toBeNull();
    answer(null, page([], null, false));
    expect(screen.getByRole('status').textContent).toBe('No calls yet.');
    expect(screen.queryByRole('list')).toBeNull();
  });

  it('shows more with after = endCursor, appends, and hides the button at the end', () => {
    const { client, seen, answer } = mockedClient();
    panel(client);
    answer(null, page(FIRST, 'p1', true));

    fireEvent.click(showMore() as HTMLElement);
    expect(queriesSent(seen).at(-1)?.variables).toEqual({ first: 10, after: 'p1' });
    expect(showMore()?.getAttribute('aria-busy')).toBe('true');
    expect((showMore() as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('status').textContent).toContain('Loading recent calls');
    expect(rows()).toHaveLength(3);

    answer('p1', page([call('c0', 0, 'HANGUP')], 'p2', true));
    expect(rows().map((row) => row.slice(0, 13))).toEqual([
      '+821021656523',
      '+821021656522',
      '+821021656521',
      '+821021656520',
    ]);
    fireEvent.click(showMore() as HTMLElement);
    expect(queriesSent(seen).at(-1)?.variables).toEqual({ first: 10, after: 'p2' });
    answer(
      'p2',
      page([call('cz', 9, 'HANGUP', { createdAt: '2026-01-14T08:00:00Z' })], null, false),
    );
    expect(rows()).toHaveLength(5);
    expect(showMore()).toBeNull();
  });

  it("takes a page's first result only: a later one does not move the cursor back", () => {
    const { client, seen, answer } = mockedClient();
    panel(client);
    answer(null, page(FIRST, 'p1', true));
    answer(null, page([...FIRST, call('c0', 0, 'HANGUP')], 'p0', false));
    expect(rows()).toHaveLength(3);
    fireEvent.click(showMore() as HTMLElement);
    expect(queriesSent(seen).at(-1)?.variables).toEqual({ first: 10, after: 'p1' });
  });

  it('shows a failed load with Retry, which asks again', () => {
    const { client, seen, answer } = mockedClient();
    panel(client);
    answer(null, new TypeError('Failed to fetch'));
    const retry = screen.getByRole('button', { name: 'Retry' });
    const error = document.getElementById(retry.getAttribute('aria-describedby') ?? '');
    expect(error?.textContent).toMatch(/gateway cannot be reached/);
    expect(screen.getByRole('status').contains(error)).toBe(true);

    fireEvent.click(retry);
    expect(queriesSent(seen)).toHaveLength(2);
    answer(null, page(FIRST, 'p1', false));
    expect(rows()).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('keeps statuses current from callEvents: newer taken, older ignored, a new call on top', () => {
    const { client, seen, answer, push } = mockedClient();
    panel(client);
    expect(seen.filter((op) => op.kind === 'subscription')).toHaveLength(1);
    answer(null, page(FIRST, 'p1', false));

    push(call('c3', 3, 'PROGRESSING', { updatedAt: '2026-01-15T09:33:05Z' }));
    expect(rows()[0]).toBe('+821021656523: Answered (ok)');
    push(call('c3', 3, 'RINGING', { updatedAt: '2026-01-15T09:33:04Z' }));
    expect(rows()[0]).toBe('+821021656523: Answered (ok)');

    push(call('c4', 4, 'DIALING'));
    expect(rows()).toEqual([
      '+821021656524: Dialing (live)',
      '+821021656523: Answered (ok)',
      '+821021656522: Ended (ended)',
      '+821021656521: Answered (ok)',
    ]);
  });

  it('says so when the live stream fails', () => {
    const { client, answer, pushError } = mockedClient();
    panel(client);
    answer(null, page(FIRST, 'p1', false));
    pushError({
      errors: [{ message: 'at most 2', extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }],
    });
    expect(screen.getByRole('status').textContent).toBe(
      'Live status updates stopped: Too many live streams open: at most 2',
    );
  });

  it('merges `latest` at once: a new call on top, a newer state in place', () => {
    const { client, answer } = mockedClient();
    const { update } = panel(client);
    const placed = call('c4', 4, 'DIALING');
    update({ latest: placed });
    expect(rows()).toEqual(['+821021656524: Dialing (live)']);

    answer(null, page([placed, ...FIRST], 'p1', false));
    expect(rows()).toHaveLength(4);
    update({ latest: call('c4', 4, 'CANCELING', { updatedAt: '2026-01-15T09:34:02Z' }) });
    expect(rows()[0]).toBe('+821021656524: Canceling (live)');
    update({ latest: call('c2', 2, 'HANGUP', { updatedAt: '2026-01-15T09:34:03Z' }) });
    expect(rows().map((row) => row.slice(0, 13))).toEqual([
      '+821021656524',
      '+821021656523',
      '+821021656522',
      '+821021656521',
    ]);
  });

  it('selects a row on click with its current state; aria-current follows selectedId', () => {
    const { client, answer, push } = mockedClient();
    const onSelect = vi.fn();
    const { update } = panel(client, { onSelect, selectedId: 'c2' });
    answer(null, page(FIRST, 'p1', false));
    const current = () =>
      within(list())
        .getAllByRole('button')
        .map((row) => row.getAttribute('aria-current'));
    expect(current()).toEqual([null, 'true', null]);

    const ended = call('c1', 1, 'HANGUP', { updatedAt: '2026-01-15T09:31:05Z' });
    push(ended);
    fireEvent.click(within(list()).getAllByRole('button')[2] as HTMLElement);
    expect(onSelect).toHaveBeenCalledExactlyOnceWith(ended);

    update({ onSelect, selectedId: 'c3' });
    expect(current()).toEqual(['true', null, null]);
    update({ onSelect, selectedId: null });
    expect(current()).toEqual([null, null, null]);
  });

  it('tears the callEvents subscription and a page still loading down when unmounted', () => {
    const { client, seen, answer } = mockedClient();
    const { unmount } = panel(client);
    answer(null, page(FIRST, 'p1', true));
    fireEvent.click(showMore() as HTMLElement);
    const loading = queriesSent(seen).at(-1);
    expect(loading?.variables).toEqual({ first: 10, after: 'p1' });
    const subscription = seen.find((op) => op.kind === 'subscription');
    expect(subscription?.query.definitions).toContainEqual(
      expect.objectContaining({ name: expect.objectContaining({ value: 'CallEvents' }) }),
    );
    const torn = (key: number | undefined) =>
      seen.filter((op) => op.kind === 'teardown' && op.key === key);
    expect(torn(subscription?.key)).toHaveLength(0);
    expect(torn(loading?.key)).toHaveLength(0);
    unmount();
    expect(torn(subscription?.key)).toHaveLength(1);
    expect(torn(loading?.key)).toHaveLength(1);
  });
});
