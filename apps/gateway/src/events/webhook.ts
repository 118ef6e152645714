import { CallSchema, EventSchema } from '@voipbin-kit/core';
import * as v from 'valibot';
import type { Route } from '../routes.ts';
import { equalBytes } from '../security/auth.ts';
import type { EventHub } from './hub.ts';
import { versionOf } from './order.ts';

/** Where VoIPBIN's customer webhook points: `<gateway>/webhooks/voipbin/<secret>`. */
export const WEBHOOK_PATH = '/webhooks/voipbin/';

export interface WebhookOptions {
  /** The last segment of the webhook URL: VoIPBIN signs nothing, so the URL is the secret. */
  secret: string;
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

const answer = (status: number, message: string) =>
  new Response(JSON.stringify({ message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

/** The body as text, or null once it grew past `max` bytes (nothing more is read). */
async function readBounded(request: Request, max: number): Promise<string | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > max) return null;
  if (!request.body) return '';
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
  return new TextDecoder().decode(whole);
}

/**
 * Receives VoIPBIN's webhooks (`{ type, data }`, at least once: up to 3 tries) and publishes
 * each call state on the hub. The secret is compared in constant time (as digests); a wrong
 * one answers 404, as a path that does not exist. A body that is not an event answers 400
 * and publishes nothing; a repeat (same type, id and `tm_update`) answers 200 and publishes
 * nothing; a hub that cannot pass the state on answers 503, so VoIPBIN tries again.
 */
export function webhookRoute(hub: EventHub, options: WebhookOptions): Route {
  if (options.secret.length < MIN_WEBHOOK_SECRET || !/^[\w.~-]+$/.test(options.secret)) {
    throw new Error(
      `The webhook secret must be at least ${MIN_WEBHOOK_SECRET} characters of A-Z a-z 0-9 _ . ~ - (it goes in a URL path)`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const remember = options.remember ?? 10_000;
  const expected = sha256(options.secret);
  const delivered = new Set<string>();

  return {
    path: WEBHOOK_PATH,
    prefix: true,
    methods: ['POST'],
    async handle(request, url) {
      const presented = await sha256(url.pathname.slice(WEBHOOK_PATH.length));
      if (!equalBytes(presented, await expected)) return answer(404, 'Not found');
      const text = await readBounded(request, maxBodyBytes);
      if (text === null) return answer(413, `The body is over ${maxBodyBytes} bytes`);
      let body: unknown;
      try {
        body = JSON.parse(text);
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
    },
  };
}
