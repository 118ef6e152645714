/**
 * Events out as VoIPBIN's customer webhook (wm pkg/webhookhandler/message.go, main.go): the
 * body `{ type, data }` as JSON, signed with the account's secret when it has one; up to 3 tries
 * 1 s apart after a transport error or a status >= 500; 15 s for the answer's headers, 30 s in
 * all for each try.
 */
import type { EmulatorEvent } from './types.ts';

/** wm webhookhandler/message.go `signatureHeader`. */
export const SIGNATURE_HEADER = 'X-VoIPBIN-Signature';

/** wm webhookhandler/main.go: `ResponseHeaderTimeout` and the client's `Timeout`. */
export const WEBHOOK_TIMEOUTS = { headers: 15_000, total: 30_000 } as const;

/** wm `sendMessage`: 3 tries. */
export const WEBHOOK_TRIES = 3;

export interface WebhookOptions {
  url?: string | undefined;
  secret?: string | undefined;
  fetch?: typeof fetch | undefined;
  retryDelay?: number | undefined;
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

/**
 * `sha256=<hex HMAC-SHA256 of body keyed by secret>` (wm `computeSignature`), with WebCrypto so
 * it runs on Workers too.
 */
export async function signature(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class Webhooks {
  readonly #options: WebhookOptions;
  readonly #deliveries = new Set<Promise<unknown>>();

  constructor(options: WebhookOptions) {
    this.#options = options;
  }

  /** Sends `event` in the background, if a webhook URL is set. */
  send(event: EmulatorEvent): void {
    const { url } = this.#options;
    if (!url) return;
    const promise = this.#deliver(url, JSON.stringify(event));
    this.#deliveries.add(promise);
    promise.finally(() => this.#deliveries.delete(promise));
    this.#options.waitUntil?.(promise);
  }

  /** Resolves when every delivery under way has ended. */
  async idle(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.allSettled([...this.#deliveries]);
  }

  async #deliver(url: string, body: string): Promise<void> {
    const send = this.#options.fetch ?? fetch;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const { secret } = this.#options;
    if (secret) headers[SIGNATURE_HEADER] = await signature(secret, body);
    for (let attempt = 1; attempt <= WEBHOOK_TRIES; attempt++) {
      if (await tryOnce(send, url, headers, body)) return;
      if (attempt < WEBHOOK_TRIES) await sleep(this.#options.retryDelay ?? 1_000);
    }
  }
}

/** One try: true when it is done (any answer below 500), false to try again. */
async function tryOnce(
  send: typeof fetch,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<boolean> {
  const forHeaders = new AbortController();
  const timer = setTimeout(() => forHeaders.abort(), WEBHOOK_TIMEOUTS.headers);
  const signal = AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUTS.total), forHeaders.signal]);
  try {
    const response = await send(url, { method: 'POST', headers, body, signal });
    clearTimeout(timer);
    // VoIPBIN reads the answer's body to the end, and ignores it.
    await response.arrayBuffer().catch(() => undefined);
    return response.status < 500;
  } catch {
    // A transport error or a timeout: try again.
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
