/**
 * Webhooks as VoIPBIN's webhook-manager sends them (wm pkg/webhookhandler/message.go, main.go):
 * signed with the account's secret, tried 3 times on a transport error or a 5xx, and carrying
 * the call as cm models/call/webhook.go's `WebhookMessage` writes it (its json tags, not the
 * spec, which lags).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CALL_EVENT_TYPES } from '@voipbin-kit/core';
import { describe, expect, it } from 'vitest';
import { createEmulator, SIGNATURE_HEADER, signature, TEST_NUMBERS } from '../src/index.ts';
import { WEBHOOK_TIMEOUTS } from '../src/webhooks.ts';
import { sender } from './support/send.ts';

interface Received {
  headers: Headers;
  raw: string;
  signal: AbortSignal | null | undefined;
}

function receiver(status = 200) {
  const received: Received[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    received.push({ headers: request.headers, raw: await request.text(), signal: init?.signal });
    return new Response('ok', { status });
  }) as typeof globalThis.fetch;
  return { received, fetch };
}

async function placeAndRun(options: Parameters<typeof createEmulator>[0]) {
  const emulator = createEmulator({ webhookUrl: 'https://hooks.example/voipbin', ...options });
  const send = sender(emulator);
  await send('POST', '/calls', {
    body: {
      source: { type: 'tel', target: '+821028286521' },
      destinations: [{ type: 'tel', target: TEST_NUMBERS.answer }],
      actions: [{ type: 'talk', option: { text: 'Hello there' } }],
    },
  });
  emulator.advance(60_000);
  await emulator.idle();
  return emulator;
}

/** The json tags of WebhookMessage (and of the embedded Identity and Owner), in order. */
function webhookMessageTags(): string[] {
  // VoIPBIN's file, unchanged, in the repo's reference/ (with VoIPBIN's licence).
  const path = fileURLToPath(
    new URL(
      '../../../reference/voipbin-2bf22fa/bin-call-manager/models/call/webhook.go',
      import.meta.url,
    ),
  );
  const text = readFileSync(path, 'utf8');
  const struct = /type WebhookMessage struct \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  const tags = [...struct.matchAll(/json:"([a-z_]+)/g)].map((m) => m[1] as string);
  // commonidentity.Identity (id, customer_id) and Owner (owner_type, owner_id), no omitempty.
  return ['id', 'customer_id', 'owner_type', 'owner_id', ...tags];
}

describe('signed webhooks', () => {
  it('signs each body: X-VoIPBIN-Signature is sha256=<hex HMAC-SHA256 of the raw body>', async () => {
    const hook = receiver();
    await placeAndRun({ webhookFetch: hook.fetch, webhookSecret: 's3cret' });
    expect(hook.received.length).toBeGreaterThanOrEqual(6);
    for (const { headers, raw } of hook.received) {
      const expected = `sha256=${createHmac('sha256', 's3cret').update(raw).digest('hex')}`;
      expect(headers.get(SIGNATURE_HEADER)).toBe(expected);
      expect(headers.get('content-type')).toBe('application/json');
    }
    expect(await signature('key', 'body')).toBe(
      `sha256=${createHmac('sha256', 'key').update('body').digest('hex')}`,
    );
  });

  it('without a secret the webhook goes out unsigned', async () => {
    const hook = receiver();
    await placeAndRun({ webhookFetch: hook.fetch });
    expect(hook.received.every(({ headers }) => !headers.has(SIGNATURE_HEADER))).toBe(true);
  });

  it('sends the 8 event types VoIPBIN sends, on webhooks as to subscribers', async () => {
    const hook = receiver();
    const emulator = createEmulator({
      webhookUrl: 'https://hooks.example/voipbin',
      webhookFetch: hook.fetch,
    });
    const send = sender(emulator);
    const place = async (target: string) =>
      (
        await send('POST', '/calls', {
          body: {
            source: { type: 'tel', target: '+821028286521' },
            destinations: [{ type: 'tel', target }],
            actions: [{ type: 'sleep', option: { duration: 60_000 } }],
          },
        })
      ).body.calls[0].id as string;
    const answered = await place(TEST_NUMBERS.answer);
    const ringing = await place(TEST_NUMBERS.answer);
    emulator.advance(1_500);
    await send('POST', `/calls/${ringing}/hangup`);
    emulator.advance(4_000);
    await send('POST', `/calls/${answered}/mute`, { body: {} });
    await send('DELETE', `/calls/${answered}`);
    emulator.advance(1_000);
    await emulator.idle();
    const types = new Set(hook.received.map(({ raw }) => JSON.parse(raw).type));
    // Every one of VoIPBIN's eight call events (core pins them to cm models/call/event.go).
    expect([...types].sort()).toEqual([...CALL_EVENT_TYPES].sort());
  });

  it('tries 3 times, 1 s apart by default, on a 5xx; each try has a signal for its timeouts', async () => {
    const hook = receiver(503);
    const emulator = createEmulator({
      webhookUrl: 'https://hooks.example/voipbin',
      webhookFetch: hook.fetch,
      webhookRetryDelay: 1,
    });
    await sender(emulator)('POST', '/calls', {
      body: {
        source: { type: 'tel', target: '+821028286521' },
        destinations: [{ type: 'tel', target: TEST_NUMBERS.busy }],
      },
    });
    await emulator.idle();
    expect(hook.received).toHaveLength(3);
    expect(hook.received.every(({ signal }) => signal instanceof AbortSignal)).toBe(true);
    expect(WEBHOOK_TIMEOUTS).toEqual({ headers: 15_000, total: 30_000 });
  });
});

describe('events against the Go struct (cm models/call/webhook.go), where the spec lags', () => {
  it('every key of every event is a json tag of WebhookMessage, in its order', async () => {
    const tags = webhookMessageTags();
    expect(tags).toContain('mute_direction');
    expect(tags).toContain('tm_delete');
    const hook = receiver();
    await placeAndRun({ webhookFetch: hook.fetch });
    for (const { raw } of hook.received) {
      const { data } = JSON.parse(raw) as { data: Record<string, unknown> };
      const keys = Object.keys(data);
      expect(keys.filter((key) => !tags.includes(key))).toEqual([]);
      // Go writes fields in the struct's order.
      expect(keys).toEqual(tags.filter((tag) => keys.includes(tag)));
      // No empty string or list (omitempty), but owner_type, which has no omitempty.
      for (const [key, value] of Object.entries(data)) {
        if (key === 'owner_type') continue;
        expect([key, value]).not.toEqual([key, '']);
        expect([key, value]).not.toEqual([key, []]);
      }
      expect(data.groupcall_id).toBe('00000000-0000-0000-0000-000000000000');
    }
  });
});
