import type { Emulator } from '../../src/index.ts';

export interface SendInit {
  body?: unknown;
  /** Sent as it is, instead of `body` as JSON. */
  raw?: string;
  /** Default `test-token`; null sends none. */
  credential?: string | null;
  headers?: Record<string, string>;
}

/**
 * A request to `emulator` at `/v1.0<path>`, as a client sends it (Bearer credential, JSON
 * body), and its answer: status, headers, text, and the body parsed (undefined when empty).
 */
export function sender(emulator: Pick<Emulator, 'fetch'>) {
  return async function send(method: string, path: string, init: SendInit = {}) {
    const headers = new Headers(init.headers);
    const credential = init.credential === undefined ? 'test-token' : init.credential;
    if (credential !== null) headers.set('authorization', `Bearer ${credential}`);
    const payload = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    if (payload !== undefined) headers.set('content-type', 'application/json');
    const response = await emulator.fetch(`http://emulator.test/v1.0${path}`, {
      method,
      headers,
      body: payload,
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: a test reads answers field by field.
    const body = (text === '' ? undefined : JSON.parse(text)) as any;
    return { status: response.status, headers: response.headers, text, body };
  };
}
