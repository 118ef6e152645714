import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Client, type Exchange, makeErrorResult, makeResult, type Operation, Provider } from 'urql';
import { afterEach, describe, expect, it } from 'vitest';
import { filter, fromValue, makeSubject, map, mergeMap, pipe } from 'wonka';
import { callState } from '../call-fixture.ts';
import type { CallState } from '../documents.ts';
import { App } from './App.tsx';

const state = callState;

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

const renderApp = (client: Client) =>
  render(
    <Provider value={client}>
      <App />
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

    const timeline = await screen.findByRole('region', { name: /Call call-1/ });
    const [create] = mutationsSent(sent);
    expect(create?.variables).toMatchObject({
      input: {
        source: { type: 'TEL', target: '+821028286521' },
        destinations: [{ type: 'TEL', target: '+821021656521' }],
        actions: [{ talk: { gender: 'FEMALE', language: 'en-US' } }],
      },
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(sent.find((op) => op.kind === 'subscription')?.variables).toEqual({ id: 'call-1' });

    push(state('DIALING'));
    push(state('RINGING', { updatedAt: '2026-01-15T09:30:01Z' }));
    push(state('PROGRESSING', { updatedAt: '2026-01-15T09:30:02Z', action: { type: 'talk' } }));
    const live = timeline.querySelector('[aria-live="polite"]') as HTMLElement;
    expect(
      within(live)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringContaining('DIALING'),
      expect.stringContaining('RINGING'),
      expect.stringContaining('PROGRESSING'),
    ]);
    expect(live.textContent).toContain('Now: PROGRESSING, running talk');
    expect(live.querySelector('time')?.getAttribute('dateTime')).toBe(
      '2026-01-15T09:30:00.000000Z',
    );

    fireEvent.click(within(timeline).getByRole('button', { name: 'Hang up' }));
    expect(await within(live).findByText('TERMINATING')).toBeTruthy();
    expect(mutationsSent(sent).at(-1)?.variables).toEqual({ id: 'call-1' });

    push(state('HANGUP', { updatedAt: '2026-01-15T09:30:06Z', hangupReason: 'NORMAL' }));
    expect(live.textContent).toContain('Ended: NORMAL');
    expect(within(timeline).queryByRole('button', { name: 'Hang up' })).toBeNull();
  });

  it('says so when the gateway cannot be reached', async () => {
    const { client } = mockedClient(() => new TypeError('Failed to fetch'));
    renderApp(client);
    fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/cannot be reached/);
  });
});
