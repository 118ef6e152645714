import { CallSchema, EventSchema } from '@voipbin-kit/core';
import * as v from 'valibot';
import type { Route } from '../routes.ts';
import { equalBytes } from '../security/auth.ts';
import type { EventHub } from './hub.ts';
import { versionOf } from './order.ts';

/**
 * Where VoIPBIN's customer webhook points when the URL is the secret (the weaker option, for an
 * account with no signing secret): `<gateway>/webhooks/voipbin/<secret>`.
 */
export const WEBHOOK_PATH = '/webhooks/voipbin/';

/** Where it points when VoIPBIN signs it (the account has a webhook secret). */
export const SIGNED_WEBHOOK_PATH = '/webhooks/voipbin';

/**
 * VoIPBIN's signature header (bin-webhook-manager pkg/webhookhandler/message.go):
 * `sha256=<hex HMAC-SHA256 of the body, keyed by the account's webhook secret>`.
 */
export const SIGNATURE_HEADER = 'X-VoIPBIN-Signature';

export interface WebhookOptions {
  /** The last segment of the webhook URL, `/webhooks/voipbin/<secret>`: the URL is the secret. */
  secret?: string;
  /**
   * The account's webhook secret: `POST /webhooks/voipbin` takes only bodies whose
   * `X-VoIPBIN-Signature` is their HMAC-SHA256 under it.
   */
  signingSecret?: string;
  /** The VoIPBIN account the webhooks are of (the server's), which the events teach customers to. */
  account?: string;
  /** Larger bodies answer 413. Default 256 KiB (a call event is about 2 KiB). */
  maxBodyBytes?: number;
  /** Deliveries remembered to drop a repeat. Default 10,000. */
  remember?: number;
}

/** The minimum length of a webhook secret: it is all that stands between the URL and a forged event. */
export const MIN_WEBHOOK_SECRET = 16;

const encoder = new TextEncoder();
const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

const hmacKey = (secret: string, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);

/** The signature as VoIPBIN sends it: 64 hex digits (Go writes them lower-case). */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The signature bytes of a header value, or undefined when it is not `sha256=<64 hex>`. */
function signatureOf(header: string | null): Uint8Array<ArrayBuffer> | undefined {
  const hex = header === null ? undefined : SIGNATURE.exec(header)?.[1];
  if (!hex) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * `X-VoIPBIN-Signature` for a body, as VoIPBIN computes it: `sha256=` and the hex HMAC-SHA256
 * of the raw bytes, keyed by the secret (for the embedded emulator, and tests).
 */
export async function signWebhook(secret: string, body: string | Uint8Array): Promise<string> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), bytes as BufferSource),
  );
  return `sha256=${[...mac].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

const answer = (status: number, message: string) =>
  new Response(JSON.stringify({ message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

/** The body's bytes, or null once it grew past `max` bytes (nothing more is read). */
async function readBounded(request: Request, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > max) return null;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole;
}

/**
 * Receives VoIPBIN's webhooks (`{ type, data }`, at least once: up to 3 tries) and publishes
 * each call state on the hub, on one route or two:
 *
 * - with `signingSecret`, `POST /webhooks/voipbin`: the `X-VoIPBIN-Signature` must be the
 *   HMAC-SHA256 of the raw body under it (checked by WebCrypto, in constant time); one missing,
 *   malformed or wrong answers 401 and publishes nothing. It has no timestamp: a replay is
 *   dropped as a repeat.
 * - with `secret`, `POST /webhooks/voipbin/<secret>`: the secret is compared in constant time
 *   (as digests); a wrong one answers 404, as a path that does not exist.
 *
 * A body that is not an event answers 400 and publishes nothing; a repeat (same type, id and
 * `tm_update`, by either route) answers 200 and publishes nothing; a hub that cannot pass the
 * state on answers 503, so VoIPBIN tries again.
 */
export function webhookRoutes(hub: EventHub, options: WebhookOptions): Route[] {
  const { secret, signingSecret } = options;
  if (secret === undefined && signingSecret === undefined) {
    throw new Error('A webhook route needs a secret: the path secret or the signing secret');
  }
  if (secret !== undefined && (secret.length < MIN_WEBHOOK_SECRET || !/^[\w.~-]+$/.test(secret))) {
    throw new Error(
      `The webhook secret must be at least ${MIN_WEBHOOK_SECRET} characters of A-Z a-z 0-9 _ . ~ - (it goes in a URL path)`,
    );
  }
  if (signingSecret !== undefined && signingSecret.length === 0) {
    throw new Error("The webhook signing secret is empty: set the account's webhook secret");
  }
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const remember = options.remember ?? 10_000;
  const delivered = new Set<string>();

  /** Reads, checks and publishes a body that passed its route's secret. */
  async function receive(bytes: Uint8Array): Promise<Response> {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return answer(400, 'The body is not JSON');
    }
    const parsed = v.safeParse(EventSchema, body);
    if (!parsed.success) {
      // Paths only: the values are a caller's phone numbers.
      const where = [...new Set(parsed.issues.map((issue) => v.getDotPath(issue) ?? '(root)'))];
      return answer(400, `Not a VoIPBIN event { type, data }: check ${where.join(', ')}`);
    }
    const event = parsed.output;
    if (event.kind === 'unknown' && event.type.startsWith('call_')) {
      // A call event whose call this gateway cannot read: say where, not what.
      const issues = v.safeParse(CallSchema, event.data).issues ?? [];
      const where = [...new Set(issues.map((issue) => `data.${v.getDotPath(issue) ?? ''}`))];
      return answer(400, `Not a VoIPBIN call event: check ${where.join(', ') || 'data'}`);
    }
    // Group call and other events are VoIPBIN's to send; only calls are followed here.
    if (event.kind !== 'call') return answer(200, 'Ignored: not a call event');
    const call = event.data;
    const key = `${event.type ?? ''} ${call.id} ${versionOf(call)}`;
    if (delivered.has(key)) return answer(200, 'Already delivered');
    try {
      await hub.publish(call, options.account ? { account: options.account } : {});
    } catch {
      return answer(503, 'The event could not be passed on; try again');
    }
    delivered.add(key);
    if (delivered.size > remember) delivered.delete(delivered.values().next().value as string);
    return answer(200, 'Delivered');
  }

  const tooLarge = () => answer(413, `The body is over ${maxBodyBytes} bytes`);
  const routes: Route[] = [];
  if (signingSecret !== undefined) {
    const key = hmacKey(signingSecret, 'verify');
    const unsigned = () =>
      answer(401, `The ${SIGNATURE_HEADER} header is missing or does not sign this body`);
    routes.push({
      path: SIGNED_WEBHOOK_PATH,
      methods: ['POST'],
      async handle(request) {
        const signature = signatureOf(request.headers.get(SIGNATURE_HEADER));
        if (!signature) {
          await request.body?.cancel();
          return unsigned();
        }
        const bytes = await readBounded(request, maxBodyBytes);
        if (bytes === null) return tooLarge();
        // WebCrypto's HMAC verify compares in constant time, over the bytes as they came.
        if (!(await crypto.subtle.verify('HMAC', await key, signature, bytes))) return unsigned();
        return receive(bytes);
      },
    });
  }
  if (secret !== undefined) {
    const expected = sha256(secret);
    routes.push({
      path: WEBHOOK_PATH,
      prefix: true,
      methods: ['POST'],
      async handle(request, url) {
        const presented = await sha256(url.pathname.slice(WEBHOOK_PATH.length));
        if (!equalBytes(presented, await expected)) return answer(404, 'Not found');
        const bytes = await readBounded(request, maxBodyBytes);
        if (bytes === null) return tooLarge();
        return receive(bytes);
      },
    });
  }
  return routes;
}
