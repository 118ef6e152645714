import { describe, expect, it } from 'vitest';
import {
  CALL_CONTROLS,
  callControlOf,
  createClient,
  NIL_UUID,
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinValidationError,
} from '../src/index.ts';
import { json, rawCall, stubFetch, voipbinError } from './support/voipbin.ts';

/** In-call control: talk, hold/unhold, mute/unmute, recording start/stop. */

const CALL_ID = 'e2a65df2-4e50-4e37-8628-df07b3cec579';
const RECORDING_ID = '3c1f4a5e-9e8b-4d2a-8a31-6f0e2b7c9d10';
const BASE = 'https://api.voipbin.net/v1.0';
const networkDown = () => {
  throw new TypeError('fetch failed');
};
const client = (fetch: typeof globalThis.fetch, extra = {}) =>
  createClient({ token: 'test-token', fetch, retryDelay: 0, ...extra });
type Client = ReturnType<typeof createClient>;

describe('in-call control', () => {
  const sends: [string, (c: Client) => Promise<unknown>, string, string, unknown][] = [
    [
      'talk',
      (c) =>
        c.calls.talk(CALL_ID, {
          text: 'Hello.',
          language: 'en-US',
          provider: 'aws',
          voice_id: 'Joanna',
        }),
      'POST',
      'talk',
      { text: 'Hello.', language: 'en-US', provider: 'aws', voice_id: 'Joanna' },
    ],
    ['hold', (c) => c.calls.hold(CALL_ID), 'POST', 'hold', undefined],
    ['unhold', (c) => c.calls.unhold(CALL_ID), 'DELETE', 'hold', undefined],
    [
      'mute',
      (c) => c.calls.mute(CALL_ID, { direction: 'both' }),
      'POST',
      'mute',
      { direction: 'both' },
    ],
    [
      'unmute',
      (c) => c.calls.unmute(CALL_ID, { direction: 'in' }),
      'DELETE',
      'mute',
      { direction: 'in' },
    ],
    [
      'startRecording',
      (c) =>
        c.calls.startRecording(CALL_ID, {
          end_of_silence: 3,
          end_of_key: '#',
          duration: 60,
          on_end_flow_id: CALL_ID,
        }),
      'POST',
      'recording_start',
      {
        format: 'wav',
        end_of_silence: 3,
        end_of_key: '#',
        duration: 60,
        beep_start: false,
        on_end_flow_id: CALL_ID,
      },
    ],
    [
      'startRecording (mp3, beep)',
      (c) => c.calls.startRecording(CALL_ID, { format: 'mp3', beep_start: true }),
      'POST',
      'recording_start',
      {
        format: 'mp3',
        end_of_silence: 0,
        end_of_key: '',
        duration: 0,
        beep_start: true,
        on_end_flow_id: NIL_UUID,
      },
    ],
    ['stopRecording', (c) => c.calls.stopRecording(CALL_ID), 'POST', 'recording_stop', undefined],
    ['hangup', (c) => c.calls.hangup(CALL_ID), 'POST', 'hangup', undefined],
    ['mute (no direction)', (c) => c.calls.mute(CALL_ID), 'POST', 'mute', {}],
    ['unmute (no direction)', (c) => c.calls.unmute(CALL_ID, {}), 'DELETE', 'mute', {}],
    ['startMusicOnHold', (c) => c.calls.startMusicOnHold(CALL_ID), 'POST', 'moh', undefined],
    ['stopMusicOnHold', (c) => c.calls.stopMusicOnHold(CALL_ID), 'DELETE', 'moh', undefined],
    ['startSilence', (c) => c.calls.startSilence(CALL_ID), 'POST', 'silence', undefined],
    ['stopSilence', (c) => c.calls.stopSilence(CALL_ID), 'DELETE', 'silence', undefined],
  ];

  it('has a method for every verb of the table, and each sends its row', () => {
    const c = client(stubFetch(json(rawCall())).fetch);
    for (const name of Object.keys(CALL_CONTROLS)) {
      expect(typeof (c.calls as Record<string, unknown>)[name], name).toBe('function');
    }
    const sent = new Set(sends.map(([, , method, path]) => `${method} ${path}`));
    for (const verb of Object.values(CALL_CONTROLS)) {
      expect(sent.has(`${verb.method} ${verb.path}`), `${verb.method} ${verb.path}`).toBe(true);
    }
    expect(callControlOf('DELETE', 'moh')).toBe('stopMusicOnHold');
    expect(callControlOf('GET', 'moh')).toBeUndefined();
  });

  it.each(sends)('%s sends its method, path and body', async (_name, call, method, path, body) => {
    const stub = stubFetch(json(rawCall()));
    await call(client(stub.fetch));
    expect(stub.requests).toHaveLength(1);
    const [sent] = stub.requests;
    expect(sent?.method).toBe(method);
    expect(sent?.url.href).toBe(`${BASE}/calls/${CALL_ID}/${path}`);
    expect(sent?.body).toEqual(body);
  });

  it('talk, hold, unhold, mute and unmute resolve with nothing, whatever the body', async () => {
    for (const answer of [new Response('', { status: 200 }), json(rawCall()), json({ ok: true })]) {
      const c = client(stubFetch(answer).fetch);
      await expect(c.calls.talk(CALL_ID, { text: 'Hi' })).resolves.toBeUndefined();
      await expect(c.calls.hold(CALL_ID)).resolves.toBeUndefined();
      await expect(c.calls.unhold(CALL_ID)).resolves.toBeUndefined();
      await expect(c.calls.mute(CALL_ID, { direction: 'out' })).resolves.toBeUndefined();
      await expect(c.calls.unmute(CALL_ID, { direction: 'out' })).resolves.toBeUndefined();
      await expect(c.calls.startMusicOnHold(CALL_ID)).resolves.toBeUndefined();
      await expect(c.calls.stopSilence(CALL_ID)).resolves.toBeUndefined();
    }
  });

  it("sends VoIPBIN's zero values for the recording fields left out (format: wav)", async () => {
    const stub = stubFetch(json(rawCall()));
    await client(stub.fetch).calls.startRecording(CALL_ID);
    expect(stub.requests[0]?.body).toEqual({
      format: 'wav',
      end_of_silence: 0,
      end_of_key: '',
      duration: 0,
      beep_start: false,
      on_end_flow_id: NIL_UUID,
    });
  });

  it('returns the normalised call from startRecording and stopRecording', async () => {
    const stub = stubFetch(
      json(
        rawCall({
          status: 'progressing',
          recording_id: RECORDING_ID,
          recording_ids: [RECORDING_ID],
        }),
      ),
      json(rawCall({ status: 'progressing', recording_ids: [RECORDING_ID] })),
    );
    const c = client(stub.fetch);
    const started = await c.calls.startRecording(CALL_ID);
    expect(started).toMatchObject({
      id: CALL_ID,
      recording_id: RECORDING_ID,
      recording_ids: [RECORDING_ID],
    });
    const stopped = await c.calls.stopRecording(CALL_ID);
    expect(stopped).toMatchObject({ recording_id: null, recording_ids: [RECORDING_ID] });
  });

  it('reports a recording answer that is not a call as VoipbinResponseError', async () => {
    for (const answer of [json({ id: 'x' }), new Response('oops'), new Response('')]) {
      const c = client(stubFetch(answer).fetch);
      await expect(c.calls.startRecording(CALL_ID)).rejects.toThrow(VoipbinResponseError);
      await expect(c.calls.stopRecording(CALL_ID)).rejects.toThrow(VoipbinResponseError);
    }
  });

  const refusals: [string, (c: Client) => Promise<unknown>, string[]][] = [
    ['an empty text', (c) => c.calls.talk(CALL_ID, { text: '' }), ['text']],
    [
      'a bad language, provider and a typo',
      (c) =>
        c.calls.talk(CALL_ID, {
          text: 'Hi',
          language: 'english!',
          provider: 'azure',
          voice: 'x',
        } as never),
      ['language', 'provider', 'voice'],
    ],
    ['no text', (c) => c.calls.talk(CALL_ID, {} as never), ['text']],
    ['a bad direction', (c) => c.calls.mute(CALL_ID, { direction: 'up' } as never), ['direction']],
    ['a typo in a mute', (c) => c.calls.unmute(CALL_ID, { direct: 'in' } as never), ['direct']],
    [
      'a bad recording request',
      (c) =>
        c.calls.startRecording(CALL_ID, {
          format: 'flac',
          duration: -1,
          end_of_silence: 1.5,
          on_end_flow_id: 'flow',
        } as never),
      ['format', 'end_of_silence', 'duration', 'on_end_flow_id'],
    ],
    ['a call id that is not a UUID', (c) => c.calls.hold('not-a-uuid'), ['id']],
    [
      'a call id that is not a UUID (talk)',
      (c) => c.calls.talk('../flows', { text: 'Hi' }),
      ['id'],
    ],
  ];

  it.each(refusals)('refuses %s with the paths, and sends nothing', async (_name, call, paths) => {
    const stub = stubFetch(json(rawCall()));
    const error = await call(client(stub.fetch)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinValidationError);
    expect((error as VoipbinValidationError).issues.map((issue) => issue.path)).toEqual(paths);
    expect(stub.requests).toHaveLength(0);
  });

  const posts = sends.filter(([, , method]) => method === 'POST');
  it.each(posts)('never retries %s, on a network error or a 503', async (_name, call) => {
    for (const answer of [networkDown, () => new Response('', { status: 503 })]) {
      const stub = stubFetch(answer);
      await expect(call(client(stub.fetch))).rejects.toThrow(
        answer === networkDown ? VoipbinNetworkError : VoipbinApiError,
      );
      expect(stub.requests).toHaveLength(1);
    }
  });

  const deletes = sends.filter(([, , method]) => method === 'DELETE');
  it.each(deletes)(
    'retries %s like any DELETE: on a network error and 502-504, not 500 or 409',
    async (_name, call) => {
      const flaky = stubFetch(
        networkDown,
        new Response('', { status: 503 }),
        new Response('', { status: 200 }),
      );
      await call(client(flaky.fetch));
      expect(flaky.requests).toHaveLength(3);
      for (const status of [500, 409]) {
        const stub = stubFetch(new Response('', { status }));
        await expect(call(client(stub.fetch))).rejects.toThrow(VoipbinApiError);
        expect(stub.requests).toHaveLength(1);
      }
    },
  );

  it("maps VoIPBIN's refusal of a call not answered yet to VoipbinApiError", async () => {
    const stub = stubFetch(
      voipbinError(
        409,
        'FAILED_PRECONDITION',
        'CALL_NOT_ANSWERED',
        'The call is not answered yet.',
      ),
    );
    const error = await client(stub.fetch)
      .calls.talk(CALL_ID, { text: 'Hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinApiError);
    expect(error).toMatchObject({
      httpStatus: 409,
      status: 'FAILED_PRECONDITION',
      reason: 'CALL_NOT_ANSWERED',
      request: { method: 'POST', path: `/calls/${CALL_ID}/talk` },
    });
  });

  it('never shows the credential in an error', async () => {
    const CANARY = 'CANARY-s3cr3t/+=key';
    const answers = [
      (r: { url: URL }) =>
        voipbinError(409, 'FAILED_PRECONDITION', 'CALL_NOT_ANSWERED', `at ${r.url.href} ${CANARY}`),
      (r: { url: URL }) => {
        throw new TypeError(`error sending request for url (${r.url.href})`);
      },
      (r: { url: URL }) => json({ id: r.url.href }),
    ];
    for (const answer of answers) {
      for (const [, call] of sends) {
        const c = client(stubFetch(answer).fetch, { accessKey: CANARY, token: undefined });
        const error = (await call(c).catch((e: unknown) => e)) as Error | undefined;
        if (error === undefined) continue; // a body-less control ignores an unexpected body
        const text = [String(error), error.message, error.stack, JSON.stringify(error)].join('\n');
        expect(text).not.toContain(CANARY);
        expect(text).not.toContain(encodeURIComponent(CANARY));
      }
    }
    const error = await client(stubFetch(json({})).fetch, { accessKey: CANARY })
      .calls.talk(CALL_ID, { text: 'Hi', voice_id: CANARY, language: CANARY })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinValidationError);
    expect(JSON.stringify(error) + String(error)).not.toContain(CANARY);
  });
});
