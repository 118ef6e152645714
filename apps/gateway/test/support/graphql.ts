import { createEmulator, type Emulator, type EmulatorOptions } from '@voipbin-kit/emulator';
import { createGateway, type Gateway, type GatewayConfig } from '../../src/index.ts';
import { recordResponse } from './canary.ts';

/** An error as GraphQL answers it. */
export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the gateway puts there
  extensions?: Record<string, any>;
}

/** A GraphQL answer; `data` is loosely typed, as tests read it. */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the gateway answers
export interface GraphQLResult<T = any> {
  data?: T | null;
  errors?: GraphQLErrorJson[];
}

/** Anything that answers a `Request`: the gateway (a Yoga instance). */
export interface FetchHandler {
  fetch(request: Request): Response | Promise<Response>;
}

export interface PostOptions {
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** POSTs a document to `/graphql` and returns the raw answer with its text and parsed JSON. */
export async function postGraphQL(
  handler: FetchHandler,
  query: string,
  { variables, headers }: PostOptions = {},
): Promise<{ response: Response; text: string; json: GraphQLResult }> {
  const response = recordResponse(
    'postGraphQL POST /graphql',
    await handler.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      }),
    ),
  );
  const text = await response.text();
  return { response, text, json: withoutRequestIds(response, JSON.parse(text) as GraphQLResult) };
}

/**
 * The answer with each error's `extensions.requestId` checked (the same as the answer's
 * `X-Request-Id`: every error carries it) and then left out, so that a test compares the rest.
 */
export function withoutRequestIds(response: Response, json: GraphQLResult): GraphQLResult {
  const id = response.headers.get('x-request-id');
  for (const error of json.errors ?? []) {
    if (!error.extensions || error.extensions.requestId !== id) {
      throw new Error(
        `an error without the request's id ${id}: ${JSON.stringify(error.extensions)}`,
      );
    }
    delete error.extensions.requestId;
  }
  return json;
}

/** POSTs a document to `/graphql` and returns the parsed answer. */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the gateway answers
export async function graphql<T = Record<string, any>>(
  handler: FetchHandler,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<GraphQLResult<T>> {
  return (await postGraphQL(handler, query, { variables, ...(headers ? { headers } : {}) }))
    .json as GraphQLResult<T>;
}

/**
 * A manual-clock emulator and a gateway in front of it: no socket, no timer. Every response of
 * the gateway's `fetch` is recorded for the canary check (test/support/canary.ts).
 */
export function emulatedGateway(
  options: EmulatorOptions = {},
  config: Omit<GatewayConfig, 'upstream'> = {},
): { emulator: Emulator; gateway: Gateway } {
  const emulator = createEmulator({ clock: 'manual', ...options });
  const gateway = createGateway({ ...config, upstream: { kind: 'emulator', emulator } });
  return { emulator, gateway: recordingFetch(gateway) };
}

/** `gateway`, its `fetch` recording every response for the canary check. */
export function recordingFetch(gateway: Gateway): Gateway {
  const fetch = gateway.fetch;
  const recording = async (...args: Parameters<Gateway['fetch']>) => {
    const [input] = args;
    const what = input instanceof Request ? `${input.method} ${input.url}` : String(input);
    return recordResponse(`gateway.fetch ${what}`, await fetch(...args));
  };
  // Yoga's server adapter is itself a Proxy that ignores an assigned `fetch`: wrap it instead.
  return new Proxy(gateway, {
    get: (target, key, receiver) =>
      key === 'fetch' ? recording : Reflect.get(target, key, receiver),
  });
}

/** The quickstart's numbers (source, destination). */
export const QUICKSTART = {
  source: '+821028286521',
  destination: '+821021656521',
  text: 'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.',
  flowId: 'ed95a3c4-22d4-11ee-add7-8742a741581e',
} as const;

/** A request that reached the upstream, its body parsed when JSON. */
export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** Records every request that reaches `emulator.fetch` (the gateway looks `fetch` up on each call). */
export function recordRequests(emulator: Emulator): Recorded[] {
  const recorded: Recorded[] = [];
  const original = emulator.fetch;
  emulator.fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request && !init ? input : new Request(input, init);
    const text = await request.clone().text();
    recorded.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    });
    return original(request);
  };
  return recorded;
}

/** A stand-in for VoIPBIN: answers each request with `answer`, records what it was sent. */
export function stubUpstream(
  answer: (request: Request, signal: AbortSignal) => Response | Promise<Response>,
) {
  const requests: Request[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    // The caller's own signal: a Request's copy of it is only weakly linked and may be collected.
    return answer(request, init?.signal ?? request.signal);
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

/** A JSON answer. */
export const jsonResponse = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

/** VoIPBIN's error body. */
export const voipbinError = (
  httpStatus: number,
  status: string,
  reason: string,
  message: string,
  requestId = 'req_TEST0000000000001',
) => jsonResponse({ error: { status, reason, message, request_id: requestId } }, httpStatus);

/** An answer that never comes: rejects when the request is aborted, as `fetch` does. */
export const hang = (_request: Request, signal: AbortSignal) =>
  new Promise<Response>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/** A call as VoIPBIN answers it, with the fields given. */
export function callJson(id: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
    flow_id: '6cbaa351-b112-452d-84c2-01488671013d',
    type: 'flow',
    master_call_id: '00000000-0000-0000-0000-000000000000',
    chained_call_ids: [],
    source: { type: 'tel', target: '+821028286521' },
    destination: { type: 'tel', target: '+821021656521' },
    status: 'progressing',
    direction: 'outgoing',
    tm_create: '2026-01-15T09:30:00.000000Z',
    ...fields,
  };
}
