import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Client, type Exchange, makeErrorResult, makeResult, type Operation, Provider } from 'urql';
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

/** A urql client whose exchange answers mutations with `answer` and streams `push`ed states. */
function mockedClient(answer: (operation: Operation) => Parameters<typeof makeResult>[1] | Error) {
  const sent: Operation[] = [];
  const states = makeSubject<CallState>();
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation) => operation.kind !== 'teardown'),
      mergeMap((operation) => {
        sent.push(operation);
        if (operation.kind === 'subscription') {
          // The recent calls' callEvents stays open and quiet here.
          if (!named('CallUpdated')(operation)) return never;
          return pipe(
            states.source,
            map((call) => makeResult(operation, { data: { callUpdated: call } })),
          );
        }
        const answered = answer(operation);
        return fromValue(
          answered instanceof Error
            ? makeErrorResult(operation, answered)
            : makeResult(operation, answered),
        );
      }),
    );
  const client = new Client({ url: '/graphql', exchanges: [exchange] });
  const push = (call: CallState) => act(() => states.next(call));
  return { client, sent, push };
}

const renderApp = (client: Client, connection = createConnectionState()) =>
  render(
    <Provider value={client}>
      <ConnectionContext.Provider value={connection}>
        <App />
      </ConnectionContext.Provider>
    </Provider>,
  );

const mutationsSent = (sent: Operation[]) => sent.filter((op) => op.kind === 'mutation');

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
                message: 'Destination 0 (+19005550100) is in a denied range (+1900)',
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
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));

    const timeline = await screen.findByRole('region', { name: '+821028286521 to +821021656521' });
    // One live call at a time: the form and its Call button are gone while it runs.
    expect(screen.queryByRole('button', { name: 'Call' })).toBeNull();
    expect(document.activeElement?.id).toBe('call-title');
    const [create] = mutationsSent(sent);
    expect(create?.variables).toMatchObject({
      input: {
        source: { type: 'TEL', target: '+821028286521' },
        destinations: [{ type: 'TEL', target: '+821021656521' }],
        actions: [{ talk: { gender: 'FEMALE', language: 'en-US' } }],
      },
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(sent.find(named('CallUpdated'))?.variables).toEqual({ id: 'call-1' });

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
      const { client, sent } = mockedClient((operation) =>
        named('ValidateCall')(operation)
          ? {
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
            }
          : { data: null },
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

  it('says Reconnecting… and disables Hang up while the live stream is down', async () => {
    const { client } = mockedClient(() => ({
      data: { createCall: { calls: [state('RINGING')] } },
    }));
    const connection = createConnectionState();
    renderApp(client, connection);
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    const hangUp = await screen.findByRole('button', { name: 'Hang up' });
    expect(hangUp.hasAttribute('disabled')).toBe(false);
    act(() => connection.mark(1, true));
    expect(screen.getAllByText('Reconnecting…').length).toBeGreaterThan(0);
    expect(hangUp.hasAttribute('disabled')).toBe(true);
    act(() => connection.mark(1, false));
    expect(screen.queryByText('Reconnecting…')).toBeNull();
    expect(hangUp.hasAttribute('disabled')).toBe(false);
  });
});
