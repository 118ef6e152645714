import type { CreateCallRequest } from '../../src/index.ts';

/** Small helpers for tests: a recording stub `fetch` and VoIPBIN-shaped answers. */

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
}

type Answer = Response | ((request: Recorded, attempt: number) => Response | Promise<Response>);

/** A `fetch` that records every request and answers from `answers` in turn (the last one repeats). */
export function stubFetch(...answers: Answer[]) {
  const requests: Recorded[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const request = new Request(input, init);
    const text = await request.text();
    const recorded: Recorded = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
      signal: init.signal ?? undefined,
    };
    requests.push(recorded);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    if (answer === undefined) throw new Error('stubFetch: no answer');
    return typeof answer === 'function' ? answer(recorded, requests.length - 1) : answer.clone();
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const voipbinError = (status: number, code: string, reason: string, message: string) =>
  json({ error: { status: code, reason, message, request_id: 'req_TEST0123456789' } }, status);

/** A call as VoIPBIN answers it today (current timestamps, unset ones left out). */
export const rawCall = (overrides: Record<string, unknown> = {}) => ({
  id: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
  customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
  flow_id: '6cbaa351-b112-452d-84c2-01488671013d',
  type: 'flow',
  master_call_id: '00000000-0000-0000-0000-000000000000',
  chained_call_ids: [],
  recording_id: '00000000-0000-0000-0000-000000000000',
  recording_ids: [],
  source: { type: 'tel', target: '+821028286521', target_name: '', name: '', detail: '' },
  destination: { type: 'tel', target: '+821021656521', target_name: '', name: '', detail: '' },
  status: 'dialing',
  action: {
    id: '00000000-0000-0000-0000-000000000001',
    next_id: '00000000-0000-0000-0000-000000000000',
    type: '',
  },
  direction: 'outgoing',
  hangup_by: '',
  hangup_reason: '',
  tm_create: '2026-01-15T09:30:00.000000Z',
  ...overrides,
});

export const QUICKSTART_CALL: CreateCallRequest = {
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [{ type: 'talk', option: { text: 'Hello.', gender: 'female', language: 'en-US' } }],
};

/** An answer that never comes: the upstream hangs until the request is aborted. */
export const hang = (request: Recorded) =>
  new Promise<Response>((_resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason));
  });
