import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import {
  Client,
  type Exchange,
  makeErrorResult,
  makeOperation,
  makeResult,
  type Operation,
  Provider,
} from 'urql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { filter, fromValue, makeSubject, map, mergeMap, never, pipe } from 'wonka';
import { callState } from '../call-fixture.ts';
import { ConnectionContext, createConnectionState } from '../connection.ts';
import type { CallState } from '../documents.ts';
import { App } from './App.tsx';

const state = callState;

const named = (name: string) => (operation: Operation) =>
  operation.query.definitions.some(
    (d) => d.kind === 'OperationDefinition' && d.name?.value === name,
  );

type Answer = Parameters<typeof makeResult>[1] | Error;

/** validateCall's answer unless a test gives its own: the input is fine. */
const VALID: Answer = { data: { validateCall: { valid: true, problems: [] } } };

/**
 * A urql client whose exchange answers mutations and queries with `answer` and streams
 * `push`ed states to the latest callUpdated subscription (`fail` errs it, `end` completes it).
 * validateCall (sent as the user types, 300 ms after the last change, whenever the test runs
 * that long) is answered by `validate`, never by `answer`, so a test's count of answers holds.
 */
function mockedClient(
  answer: (operation: Operation) => Answer,
  validate: (operation: Operation) => Answer = () => VALID,
) {
  const sent: Operation[] = [];
  let stream = makeSubject<CallState | Error>();
  let following: Operation | undefined;
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation) => operation.kind !== 'teardown'),
      mergeMap((operation) => {
        sent.push(operation);
        if (operation.kind === 'subscription') {
          // The recent calls' callEvents stays open and quiet here.
          if (!named('CallUpdated')(operation)) return never;
          stream = makeSubject<CallState | Error>();
          following = operation;
          return pipe(
            stream.source,
            map((next) =>
              next instanceof Error
                ? makeErrorResult(operation, next)
                : makeResult(operation, { data: { callUpdated: next } }),
            ),
          );
        }
        if (named('RecentCalls')(operation) && recentHeld) {
          return pipe(
            recentHeld.source,
            map((calls) =>
              makeResult(operation, { data: { calls: { nodes: calls, pageInfo: NO_MORE } } }),
            ),
          );
        }
        const answered = named('RecentCalls')(operation)
          ? (recentAnswer ?? { data: { calls: { nodes: [], pageInfo: NO_MORE } } })
          : named('ValidateCall')(operation)
            ? validate(operation)
            : answer(operation);
        return fromValue(
          answered instanceof Error
            ? makeErrorResult(operation, answered)
            : makeResult(operation, answered),
        );
      }),
    );
  let recentAnswer: Answer | undefined;
  let recentHeld: ReturnType<typeof makeSubject<CallState[]>> | undefined;
  /** Recent calls' first page waits until `release` answers it. */
  const holdRecent = () => {
    const held = makeSubject<CallState[]>();
    recentHeld = held;
    return (calls: CallState[]) => act(() => held.next(calls));
  };
  const client = new Client({ url: '/graphql', exchanges: [exchange] });
  const push = (call: CallState) => act(() => stream.next(call));
  const fail = (error: Error) => act(() => stream.next(error));
  // As urql's subscriptionExchange does when a stream completes: a teardown ends the result.
  const end = () =>
    act(() => {
      stream.complete();
      if (following) client.reexecuteOperation(makeOperation('teardown', following));
    });
  const recent = (calls: CallState[]) => {
    recentAnswer = { data: { calls: { nodes: calls, pageInfo: NO_MORE } } };
  };
  return { client, sent, push, fail, end, recent, holdRecent };
}

const NO_MORE = { endCursor: null, hasNextPage: false };

const renderApp = (client: Client, connection = createConnectionState()) =>
  render(
    <Provider value={client}>
      <ConnectionContext.Provider value={connection}>
        <App />
      </ConnectionContext.Provider>
    </Provider>,
  );

const mutationsSent = (sent: Operation[]) => sent.filter((op) => op.kind === 'mutation');

/**
 * Where the focus is at the moment an element with `id` enters the page: read from inside the
 * DOM's own mutation callback, so before any later task (a passive effect) could move it.
 */
const focusWhenShown = (id: string) =>
  new Promise<string | undefined>((resolve) => {
    const observer = new MutationObserver(() => {
      if (document.getElementById(id) === null) return;
      observer.disconnect();
      resolve(document.activeElement?.id);
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });

afterEach(cleanup);

describe('the dialer page', () => {
  it('shows a bad number next to its field, moves the focus there, and sends nothing', () => {
    const { client, sent } = mockedClient(() => ({ data: null }));
    renderApp(client);
    const destination = screen.getByLabelText('To (destination number)');
    fireEvent.change(destination, { target: { value: '01021656521' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));

    expect(destination.getAttribute('aria-invalid')).toBe('true');
    const error = document.getElementById('call-destination-error');
    expect(error?.textContent).toMatch(/E\.164/);
    expect(destination.getAttribute('aria-describedby')).toContain('call-destination-error');
    expect(document.activeElement).toBe(destination);
    expect(mutationsSent(sent)).toHaveLength(0);
  });

  it("shows the gateway's field error (FORBIDDEN with a path) next to the field", async () => {
    const { client, sent } = mockedClient(() => ({
      errors: [
        {
          message: "Refused by this gateway's policy",
          extensions: {
            code: 'FORBIDDEN',
            issues: [
              {
                path: 'input.destinations.0.target',
                message: 'Destination 0 is in a denied range (+1900)',
              },
            ],
          },
        },
      ],
    }));
    renderApp(client);
    const destination = screen.getByLabelText('To (destination number)');
    fireEvent.change(destination, { target: { value: '+19005550100' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));

    expect(await screen.findByText(/is in a denied range/)).toBeTruthy();
    expect(destination.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(destination);
    expect(mutationsSent(sent)).toHaveLength(1);
  });

  it('places the quickstart call, follows it live, and hangs up', async () => {
    const { client, sent, push } = mockedClient((operation) =>
      operation.query.definitions.some(
        (d) => d.kind === 'OperationDefinition' && d.name?.value === 'HangupCall',
      )
        ? { data: { hangupCall: state('TERMINATING', { updatedAt: '2026-01-15T09:30:05Z' }) } }
        : { data: { createCall: { calls: [state('DIALING')] } } },
    );
    renderApp(client);
    const focus = focusWhenShown('call-title');
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));

    const timeline = await screen.findByRole('region', { name: '+821028286521 to +821021656521' });
    // One live call at a time: the form and its Call button are gone while it runs.
    expect(screen.queryByRole('button', { name: 'Call' })).toBeNull();
    // The focus is on the call's heading as the card appears, not a task later.
    expect(await focus).toBe('call-title');
    const [create] = mutationsSent(sent);
    expect(create?.variables).toMatchObject({
      input: {
        source: { type: 'TEL', target: '+821028286521' },
        destinations: [{ type: 'TEL', target: '+821021656521' }],
        actions: [{ talk: { gender: 'FEMALE', language: 'en-US' } }],
      },
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // The subscription starts in an effect after the call is shown: waited for, not assumed.
    await waitFor(() =>
      expect(sent.find(named('CallUpdated'))?.variables).toEqual({ id: 'call-1' }),
    );

    push(state('DIALING'));
    push(state('RINGING', { updatedAt: '2026-01-15T09:30:01Z' }));
    push(state('PROGRESSING', { updatedAt: '2026-01-15T09:30:02Z', action: { type: 'talk' } }));
    const live = timeline.querySelector('[aria-live="polite"]') as HTMLElement;
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringContaining('Dialing'),
      expect.stringContaining('Ringing'),
      expect.stringContaining('Answered'),
    ]);
    expect(live.textContent).toContain('Answered');
    expect(live.textContent).toContain('playing talk');
    expect(timeline.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2026-01-15T09:30:00.000000Z',
    );

    fireEvent.click(within(timeline).getByRole('button', { name: 'Hang up' }));
    expect(await within(live).findByText('Ending')).toBeTruthy();
    expect(mutationsSent(sent).at(-1)?.variables).toEqual({ id: 'call-1' });

    push(
      state('HANGUP', {
        updatedAt: '2026-01-15T09:30:06Z',
        hangupReason: 'NORMAL',
        hangupBy: 'LOCAL',
      }),
    );
    expect(live.textContent).toContain('Ended: hung up by this side');
    expect(within(timeline).queryByRole('button', { name: 'Hang up' })).toBeNull();
    // Over: Call is back, for the next one.
    expect(screen.getByRole('button', { name: 'Call' })).toBeTruthy();
  });

  it('says so when the gateway cannot be reached', async () => {
    const { client } = mockedClient(() => new TypeError('Failed to fetch'));
    renderApp(client);
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/cannot be reached/);
  });

  it('checks the input as the user types, at most once per 300 ms, and shows a policy problem before Call', async () => {
    vi.useFakeTimers();
    try {
      const { client, sent } = mockedClient(
        () => ({ data: null }),
        () => ({
          data: {
            validateCall: {
              valid: false,
              problems: [
                {
                  code: 'FORBIDDEN',
                  path: 'input.destinations.0.target',
                  message: 'Refused: +1900 is in a denied range',
                },
              ],
            },
          },
        }),
      );
      renderApp(client);
      const validations = () => sent.filter(named('ValidateCall'));
      const destination = screen.getByLabelText('To (destination number)');
      for (const value of ['+1', '+190', '+190055', '+19005550100']) {
        fireEvent.change(destination, { target: { value } });
        await act(async () => {
          vi.advanceTimersByTime(100);
        });
      }
      // Typing: nothing asked yet (each keystroke restarts the 300 ms).
      expect(validations()).toHaveLength(0);
      await act(async () => {
        vi.advanceTimersByTime(200);
      });
      expect(validations()).toHaveLength(1);
      expect(validations()[0]?.variables).toMatchObject({
        input: { destinations: [{ type: 'TEL', target: '+19005550100' }] },
      });
      expect(document.getElementById('call-destination-error')?.textContent).toMatch(
        /denied range/,
      );
      expect(destination.getAttribute('aria-invalid')).toBe('true');
      expect(mutationsSent(sent)).toHaveLength(0);
      // What the browser itself can tell is shown at once, and asks the gateway nothing.
      fireEvent.change(destination, { target: { value: '01021656521' } });
      await act(async () => {
        vi.advanceTimersByTime(1_000);
      });
      expect(document.getElementById('call-destination-error')?.textContent).toMatch(/E\.164/);
      expect(validations()).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says Reconnecting… and disables the controls, never Hang up, while the stream is down', async () => {
    const { client } = mockedClient(() => ({
      data: { createCall: { calls: [state('PROGRESSING')] } },
    }));
    const connection = createConnectionState();
    renderApp(client, connection);
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    const hangUp = await screen.findByRole('button', { name: 'Hang up' });
    const hold = screen.getByRole('button', { name: 'Hold' });
    expect(hold.getAttribute('aria-disabled')).toBe('false');
    act(() => connection.mark(1, true));
    expect(screen.getAllByText('Reconnecting…').length).toBe(2);
    expect(hold.getAttribute('aria-disabled')).toBe('true');
    // A call can always be ended.
    expect(hangUp.hasAttribute('disabled')).toBe(false);
    act(() => connection.mark(1, false));
    expect(screen.queryByText('Reconnecting…')).toBeNull();
    expect(hold.getAttribute('aria-disabled')).toBe('false');
  });

  it('offers Follow again when the stream errs or ends before HANGUP, and follows again', async () => {
    const { client, sent, push, fail, end } = mockedClient(() => ({
      data: { createCall: { calls: [state('RINGING')] } },
    }));
    renderApp(client);
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await screen.findByRole('button', { name: 'Hang up' });
    const follows = () => sent.filter(named('CallUpdated')).length;
    await waitFor(() => expect(follows()).toBe(1));

    fail(new Error('Too many live streams'));
    expect(screen.getByText(/Not following this call any more/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Follow again' }));
    await waitFor(() => expect(follows()).toBe(2));
    expect(screen.queryByText(/Not following/)).toBeNull();

    // The server ends the stream before HANGUP: the same.
    end();
    fireEvent.click(await screen.findByRole('button', { name: 'Follow again' }));
    await waitFor(() => expect(follows()).toBe(3));
    push(state('HANGUP', { updatedAt: '2026-01-15T09:30:06Z', hangupReason: 'CANCEL' }));
    end();
    // Ended at HANGUP: nothing more to follow, nothing to offer.
    expect(screen.queryByRole('button', { name: 'Follow again' })).toBeNull();
  });

  it('follows a call found running (a reload mid-call) and places no second call', async () => {
    const { client, sent, recent } = mockedClient(() => ({ data: null }));
    const running = state('PROGRESSING', { id: 'call-9' });
    recent([running, state('HANGUP', { id: 'call-8' })]);
    renderApp(client);
    // Shown and followed at once: its own stream corrects a list that is behind.
    expect(await screen.findByRole('button', { name: 'Hang up' })).toBeTruthy();
    await waitFor(() =>
      expect(sent.filter(named('CallUpdated')).at(-1)?.variables).toEqual({ id: 'call-9' }),
    );
    expect(screen.queryByRole('button', { name: 'Call' })).toBeNull();

    // Looking at an ended call meanwhile does not bring Call back.
    const recentList = screen.getByRole('list', { name: 'Recent calls' });
    const rows = within(recentList).getAllByRole('button');
    fireEvent.click(rows[1] as HTMLElement);
    const showRunning = await screen.findByRole('button', { name: 'Show the running call' });
    expect(screen.queryByRole('button', { name: 'Call' })).toBeNull();
    fireEvent.click(showRunning);
    expect(await screen.findByRole('button', { name: 'Hang up' })).toBeTruthy();
    // Closing an ended call while one runs brings the running one back, focus on it.
    fireEvent.click(rows[1] as HTMLElement);
    fireEvent.click(await screen.findByRole('button', { name: 'Close' }));
    await act(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(await screen.findByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect(document.activeElement?.id).toBe('call-title');
    expect(mutationsSent(sent)).toHaveLength(0);
  });

  it('offers no Call until Recent calls has said whether a call is running', async () => {
    const { client, sent, holdRecent } = mockedClient(() => ({ data: null }));
    const release = holdRecent();
    renderApp(client);
    const call = screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement;
    expect(call.disabled).toBe(true);
    fireEvent.click(call);
    expect(mutationsSent(sent)).toHaveLength(0);
    release([state('HANGUP', { id: 'call-8' })]);
    expect((screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('keeps the idempotency key after "the call may have been placed", for the same input', async () => {
    let attempt = 0;
    const { client, sent } = mockedClient(() =>
      ++attempt === 1
        ? {
            errors: [
              {
                message: 'VoIPBIN did not answer in time',
                extensions: { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true },
              },
            ],
          }
        : { data: { createCall: { calls: [state('DIALING')] } } },
    );
    renderApp(client);
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    expect(await screen.findByText(/may have been placed/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await screen.findByRole('button', { name: 'Hang up' });
    const [first, second] = mutationsSent(sent).map((op) => op.variables?.idempotencyKey);
    // Pressed again: the gateway replays the first answer rather than placing a second call.
    expect(second).toBe(first);
  });

  it('keeps the key while in progress, and makes a new one once the unknown outcome came back replayed', async () => {
    const answers = [
      { code: 'IDEMPOTENCY_IN_PROGRESS', retryAfterMs: 1000 },
      { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true },
      { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true, replayed: true },
    ];
    let n = 0;
    const { client, sent } = mockedClient(() => {
      const extensions = answers[n++];
      return extensions
        ? { errors: [{ message: 'not now', extensions }] }
        : { data: { createCall: { calls: [state('DIALING')] } } };
    });
    renderApp(client);
    await act(async () => {});
    for (let press = 0; press < 4; press++) {
      fireEvent.click(screen.getByRole('button', { name: 'Call' }));
      await act(async () => {});
    }
    await screen.findByRole('button', { name: 'Hang up' });
    const keys = mutationsSent(sent).map((op) => op.variables?.idempotencyKey);
    expect(keys).toHaveLength(4);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    // After the replay the page said a press places a new call; it does, with a new key.
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('makes a new key when the input changes', async () => {
    const { client, sent } = mockedClient(() => ({
      errors: [{ message: 'late', extensions: { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true } }],
    }));
    renderApp(client);
    await act(async () => {});
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await act(async () => {});
    fireEvent.change(screen.getByLabelText('Text to say'), { target: { value: 'Another text' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await act(async () => {});
    const [a, b] = mutationsSent(sent).map((op) => op.variables?.idempotencyKey);
    expect(b).not.toBe(a);
  });
});
