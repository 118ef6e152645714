import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import {
  Client,
  type Exchange,
  makeErrorResult,
  makeResult,
  type Operation,
  type OperationResult,
  Provider,
} from 'urql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { filter, makeSubject, mergeMap, pipe } from 'wonka';
import { callState } from '../call-fixture.ts';
import type { CallState } from '../documents.ts';
import { CallControls } from './CallControls.tsx';

type Answer = Parameters<typeof makeResult>[1] | Error;

/** A mutation the controls sent, held until the test answers it. */
interface Sent {
  name: string | undefined;
  variables: Operation['variables'];
  answer(answer: Answer): Promise<void>;
}

/** A urql client whose exchange holds each operation until the test answers it. */
function mockedClient() {
  const sent: Sent[] = [];
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      filter((operation) => operation.kind !== 'teardown'),
      mergeMap((operation) => {
        const result = makeSubject<OperationResult>();
        const definition = operation.query.definitions.find(
          (d) => d.kind === 'OperationDefinition',
        );
        sent.push({
          name: definition?.kind === 'OperationDefinition' ? definition.name?.value : undefined,
          variables: operation.variables,
          answer: (answer) =>
            act(async () => {
              result.next(
                answer instanceof Error
                  ? makeErrorResult(operation, answer)
                  : makeResult(operation, answer),
              );
            }),
        });
        return result.source;
      }),
    );
  return { client: new Client({ url: '/graphql', exchanges: [exchange] }), sent };
}

interface Props {
  call: CallState;
  disabled: boolean;
}

function renderControls(props: Partial<Props> = {}) {
  const { client, sent } = mockedClient();
  const onCall = vi.fn<(call: CallState) => void>();
  const ui = (more: Partial<Props>) => (
    <Provider value={client}>
      <CallControls
        call={callState('PROGRESSING')}
        disabled={false}
        onCall={onCall}
        {...props}
        {...more}
      />
    </Provider>
  );
  const view = render(ui({}));
  return { sent, onCall, rerender: (more: Partial<Props>) => view.rerender(ui(more)) };
}

const button = (name: string) => screen.getByRole('button', { name });

/** A toggle by what it turns on, whatever its label says now ("Hold" or "Resume"). */
function toggleOf(label: string): HTMLButtonElement {
  const toggle = document.querySelector<HTMLButtonElement>(`[data-control="${label}"]`);
  if (!toggle) throw new Error(`no ${label} toggle`);
  return toggle;
}

/** The last request sent, which the test expects to exist. */
function last(sent: Sent[]): Sent {
  const request = sent.at(-1);
  if (!request) throw new Error('nothing was sent');
  return request;
}

/** The `.control-error` text an element's `aria-describedby` names; undefined if none. */
function errorOf(element: HTMLElement): string | undefined {
  const ids = element.getAttribute('aria-describedby')?.split(' ') ?? [];
  const error = ids
    .map((id) => document.getElementById(id))
    .find((node) => node?.classList.contains('control-error'));
  return error?.textContent ?? undefined;
}

const notFound = {
  errors: [{ message: 'Call not found', extensions: { code: 'NOT_FOUND' } }],
};

/** A call as a mutation answers it: distinct from the fixture, so `onCall` shows it was used. */
const answered = (more: Partial<CallState> = {}) =>
  callState('PROGRESSING', { updatedAt: '2026-01-15T09:30:09.000000Z', ...more });

afterEach(cleanup);

describe('the in-call controls', () => {
  it('groups the controls in a labelled section, in tab order', () => {
    renderControls();
    const section = screen.getByRole('region', { name: 'Call controls' });
    const groups = within(section)
      .getAllByRole('group')
      .map((group) => group.getAttribute('aria-label'));
    expect(groups).toEqual([
      'Hold and background audio',
      'Mute',
      null,
      'Say something',
      'Recording',
    ]);
    // No tabindex anywhere: the tab order is the document's.
    expect(section.querySelector('[tabindex]')).toBeNull();
    const order = [...section.querySelectorAll('button, input')].map((node) =>
      node instanceof HTMLInputElement ? `${node.type}:${node.value}` : node.textContent,
    );
    expect(order).toEqual([
      'Hold',
      'Music on hold',
      'Silence',
      'radio:BOTH',
      'radio:IN',
      'radio:OUT',
      'Mute',
      'Unmute',
      'text:',
      'Say',
      'Record',
    ]);
  });

  describe.each([
    {
      label: 'Hold',
      onLabel: 'Resume',
      on: 'HoldCall',
      onField: 'holdCall',
      off: 'UnholdCall',
      offField: 'unholdCall',
    },
    {
      label: 'Music on hold',
      onLabel: 'Stop music on hold',
      on: 'StartMusicOnHold',
      onField: 'startMusicOnHold',
      off: 'StopMusicOnHold',
      offField: 'stopMusicOnHold',
    },
    {
      label: 'Silence',
      onLabel: 'Stop silence',
      on: 'StartSilence',
      onField: 'startSilence',
      off: 'StopSilence',
      offField: 'stopSilence',
    },
  ])('$label', ({ label, onLabel, on, onField, off, offField }) => {
    it('toggles on success only, busy while it waits, and shows the call answered', async () => {
      const { sent, onCall } = renderControls();
      const toggle = toggleOf(label);
      expect(toggle.textContent).toBe(label);

      fireEvent.click(toggle);
      expect(last(sent)).toMatchObject({ name: on, variables: { id: 'call-1' } });
      expect(toggle.getAttribute('aria-busy')).toBe('true');
      // Busy, not disabled: the focus stays on it.
      expect(toggle.getAttribute('aria-disabled')).toBe('true');
      expect(toggle.disabled).toBe(false);
      fireEvent.click(toggle);
      expect(sent).toHaveLength(1);
      expect(toggle.textContent).toBe(label);
      expect((button('Unmute') as HTMLButtonElement).disabled).toBe(false);

      const first = answered({ updatedAt: '2026-01-15T09:30:10.000000Z' });
      await last(sent).answer({ data: { [onField]: first } });
      expect(onCall).toHaveBeenLastCalledWith(first);
      expect(toggle.textContent).toBe(onLabel);
      expect(toggle.getAttribute('aria-busy')).toBe('false');
      expect(toggle.getAttribute('aria-disabled')).toBe('false');

      fireEvent.click(toggle);
      expect(last(sent)).toMatchObject({ name: off, variables: { id: 'call-1' } });
      const second = answered({ updatedAt: '2026-01-15T09:30:11.000000Z' });
      await last(sent).answer({ data: { [offField]: second } });
      expect(onCall).toHaveBeenLastCalledWith(second);
      expect(toggle.textContent).toBe(label);
      expect(sent).toHaveLength(2);
    });

    it('shows its error beside it, stays as it was, leaves the others usable', async () => {
      const { sent, onCall } = renderControls();
      const toggle = toggleOf(label);
      fireEvent.click(toggle);
      await last(sent).answer(notFound);

      expect(errorOf(toggle)).toBe('Call not found (NOT_FOUND)');
      expect(toggle.textContent).toBe(label);
      expect(onCall).not.toHaveBeenCalled();
      const other = toggleOf(label === 'Hold' ? 'Silence' : 'Hold');
      expect(errorOf(other)).toBeUndefined();
      fireEvent.click(other);
      expect(sent).toHaveLength(2);

      fireEvent.click(toggle);
      expect(last(sent).name).toBe(on);
      await last(sent).answer({ data: { [onField]: answered() } });
      expect(errorOf(toggle)).toBeUndefined();
      expect(toggle.getAttribute('aria-describedby')).toBeNull();
      expect(toggle.textContent).toBe(onLabel);
    });
  });

  it('forgets hold, music and silence for another call', async () => {
    const { sent, rerender } = renderControls();
    for (const [label, field, onLabel] of [
      ['Hold', 'holdCall', 'Resume'],
      ['Music on hold', 'startMusicOnHold', 'Stop music on hold'],
      ['Silence', 'startSilence', 'Stop silence'],
    ] as const) {
      fireEvent.click(toggleOf(label));
      await last(sent).answer({ data: { [field]: answered() } });
      expect(toggleOf(label).textContent).toBe(onLabel);
    }

    rerender({ call: callState('PROGRESSING', { id: 'call-2' }) });
    for (const label of ['Hold', 'Music on hold', 'Silence']) {
      expect(toggleOf(label).textContent).toBe(label);
    }
    fireEvent.click(button('Hold'));
    expect(last(sent)).toMatchObject({ name: 'HoldCall', variables: { id: 'call-2' } });
  });

  it('drops the answer for a call it no longer shows', async () => {
    const { sent, onCall, rerender } = renderControls();
    fireEvent.click(button('Hold'));
    const forCall1 = last(sent);
    rerender({ call: callState('PROGRESSING', { id: 'call-2' }) });
    expect(button('Hold').getAttribute('aria-disabled')).toBe('false');

    await forCall1.answer({ data: { holdCall: answered() } });
    expect(onCall).not.toHaveBeenCalled();
    expect(toggleOf('Hold').textContent).toBe('Hold');
  });

  describe('mute', () => {
    it.each([
      ['Both ways', 'BOTH'],
      ['Their voice', 'IN'],
      ['What they hear', 'OUT'],
    ] as const)('mutes %s as %s, busy while it waits', async (choice, direction) => {
      const { sent, onCall } = renderControls();
      fireEvent.click(screen.getByRole('radio', { name: choice }));
      fireEvent.click(button('Mute'));

      expect(last(sent)).toMatchObject({ name: 'MuteCall' });
      expect(last(sent).variables).toEqual({ id: 'call-1', direction });
      expect(button('Mute').getAttribute('aria-busy')).toBe('true');
      expect(button('Mute').getAttribute('aria-disabled')).toBe('true');
      expect(button('Unmute').getAttribute('aria-disabled')).toBe('true');
      expect(button('Hold').getAttribute('aria-disabled')).toBe('false');
      fireEvent.click(button('Unmute'));
      expect(sent).toHaveLength(1);
      expect(button('Mute').getAttribute('aria-busy')).toBe('true');

      const muted = answered({ muteDirection: direction });
      await last(sent).answer({ data: { muteCall: muted } });
      expect(onCall).toHaveBeenLastCalledWith(muted);
      expect(button('Mute').getAttribute('aria-disabled')).toBe('false');
    });

    it('shows the state the call says, and unmutes the direction muted', async () => {
      const { sent, onCall, rerender } = renderControls({
        call: callState('PROGRESSING', { muteDirection: 'OUT' }),
      });
      const state = () =>
        document.getElementById(
          button('Mute').getAttribute('aria-describedby')?.split(' ')[0] ?? '',
        )?.textContent;
      expect(state()).toBe('What they hear is muted.');

      fireEvent.click(button('Unmute'));
      expect(last(sent)).toMatchObject({ name: 'UnmuteCall' });
      expect(last(sent).variables).toEqual({ id: 'call-1', direction: 'OUT' });
      expect(button('Unmute').getAttribute('aria-busy')).toBe('true');
      expect(button('Mute').getAttribute('aria-busy')).toBe('false');
      const unmuted = answered({ muteDirection: null });
      await last(sent).answer({ data: { unmuteCall: unmuted } });
      expect(onCall).toHaveBeenLastCalledWith(unmuted);

      rerender({ call: unmuted });
      expect(state()).toBe('Not muted.');
      fireEvent.click(button('Unmute'));
      expect(last(sent).variables).toEqual({ id: 'call-1' });
    });

    it('shows its error beside both buttons, cleared by the next success', async () => {
      const { sent } = renderControls();
      fireEvent.click(button('Mute'));
      await last(sent).answer(new TypeError('Failed to fetch'));
      expect(errorOf(button('Mute'))).toMatch(/cannot be reached/);
      expect(errorOf(button('Unmute'))).toMatch(/cannot be reached/);
      expect(errorOf(button('Hold'))).toBeUndefined();

      fireEvent.click(button('Mute'));
      await last(sent).answer({ data: { muteCall: answered({ muteDirection: 'BOTH' }) } });
      expect(errorOf(button('Mute'))).toBeUndefined();
    });
  });

  describe('say something', () => {
    const field = () => screen.getByLabelText('Text to say into the call') as HTMLInputElement;

    it('sends the text, busy while it waits, clears it on success, logs nothing', async () => {
      const logged = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
        vi.spyOn(console, method),
      );
      const { sent, onCall } = renderControls();
      fireEvent.change(field(), { target: { value: '  Your code is 4 2 7  ' } });
      fireEvent.click(button('Say'));

      expect(last(sent)).toMatchObject({ name: 'TalkToCall' });
      expect(last(sent).variables).toEqual({ id: 'call-1', input: { text: 'Your code is 4 2 7' } });
      expect(button('Say').getAttribute('aria-busy')).toBe('true');
      expect(button('Say').getAttribute('aria-disabled')).toBe('true');
      expect(field().readOnly).toBe(true);
      fireEvent.submit(field());
      expect(sent).toHaveLength(1);

      const spoken = answered({ action: { type: 'talk' } });
      await last(sent).answer({ data: { talkToCall: spoken } });
      expect(onCall).toHaveBeenLastCalledWith(spoken);
      expect(field().value).toBe('');
      expect(field().readOnly).toBe(false);
      for (const spy of logged) {
        expect(JSON.stringify(spy.mock.calls)).not.toContain('Your code');
        spy.mockRestore();
      }
    });

    it('refuses an empty text beside the field and sends nothing', () => {
      const { sent } = renderControls();
      fireEvent.change(field(), { target: { value: '   ' } });
      fireEvent.submit(field());
      expect(sent).toHaveLength(0);
      expect(errorOf(field())).toBe('Type what to say first.');
      expect(errorOf(button('Say'))).toBe('Type what to say first.');
      expect(field().getAttribute('aria-invalid')).toBe('true');
    });

    it('keeps the text on an error, shown beside it, until a success', async () => {
      const { sent } = renderControls();
      fireEvent.change(field(), { target: { value: 'Hello' } });
      fireEvent.click(button('Say'));
      await last(sent).answer(notFound);
      expect(field().value).toBe('Hello');
      expect(errorOf(field())).toBe('Call not found (NOT_FOUND)');
      expect(errorOf(button('Hold'))).toBeUndefined();

      fireEvent.click(button('Say'));
      await last(sent).answer({ data: { talkToCall: answered() } });
      expect(errorOf(field())).toBeUndefined();
      expect(field().getAttribute('aria-invalid')).toBe('false');
    });
  });

  describe('recording', () => {
    it('starts and stops from the state the call says, and counts recordings', async () => {
      const { sent, onCall, rerender } = renderControls();
      const record = () => toggleOf('Record');
      const summary = () =>
        document.getElementById(record().getAttribute('aria-describedby')?.split(' ')[0] ?? '');
      expect(record().textContent).toBe('Record');
      expect(summary()?.textContent).toBe('No recordings yet');

      fireEvent.click(record());
      expect(last(sent)).toMatchObject({ name: 'StartRecording' });
      expect(last(sent).variables).toEqual({ id: 'call-1' });
      expect(record().getAttribute('aria-busy')).toBe('true');
      const recording = answered({ recordingId: 'rec-1', recordingIds: ['rec-0', 'rec-1'] });
      await last(sent).answer({ data: { startRecording: recording } });
      expect(onCall).toHaveBeenLastCalledWith(recording);
      // Not a local guess: recording once the call says so.
      expect(record().textContent).toBe('Record');

      rerender({ call: recording });
      expect(record().textContent).toBe('Stop recording');
      expect(summary()?.textContent).toBe('2 recordings; recording now: rec-1');
      expect(summary()?.querySelector('.mono')?.textContent).toBe('rec-1');

      fireEvent.click(record());
      expect(last(sent)).toMatchObject({ name: 'StopRecording', variables: { id: 'call-1' } });
      await last(sent).answer(notFound);
      expect(errorOf(record())).toBe('Call not found (NOT_FOUND)');
      expect(record().textContent).toBe('Stop recording');
    });
  });

  it.each([
    ['disconnected', { disabled: true }],
    ['not answered', { call: callState('RINGING') }],
    ['ended', { call: callState('HANGUP') }],
  ])('disables every control while %s', (_, props) => {
    const { sent, rerender } = renderControls();
    fireEvent.change(screen.getByLabelText('Text to say into the call'), {
      target: { value: 'Hello' },
    });
    rerender(props);
    const section = screen.getByRole('region', { name: 'Call controls' });
    const controls = section.querySelectorAll<HTMLButtonElement | HTMLInputElement>(
      'button, input',
    );
    expect(controls).toHaveLength(11);
    // Disabled, or aria-disabled (buttons, the text: the focus stays where it was), and inert.
    for (const control of controls) {
      const inert =
        control.disabled ||
        control.getAttribute('aria-disabled') === 'true' ||
        (control instanceof HTMLInputElement && control.readOnly);
      expect(inert, control.outerHTML).toBe(true);
      if (control instanceof HTMLButtonElement) fireEvent.click(control);
    }
    fireEvent.submit(screen.getByLabelText('Text to say into the call'));
    expect(sent).toHaveLength(0);
  });
});
