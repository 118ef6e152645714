import type { WebSocketConstructor, WebSocketLike } from '@voipbin-kit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventHub } from '../../src/events/hub.ts';
import type { UpstreamAccount } from '../../src/events/source.ts';
import { createWebSocketSource } from '../../src/events/websocket-source.ts';

const CUSTOMER = '5e4a0680-804e-11ec-8477-2fea5968d85b';

/** A socket VoIPBIN refuses as it does today: it opens, then drops without a close frame. */
function refusingWebSocket() {
  const made: string[][] = [];
  const WebSocket = class implements WebSocketLike {
    readyState = 0;
    readonly listeners = new Map<string, Set<(event: unknown) => void>>();
    constructor(_url: string) {
      const sent: string[] = [];
      made.push(sent);
      setTimeout(() => {
        this.readyState = 1;
        this.emit('open', {});
        setTimeout(() => {
          this.readyState = 3;
          this.emit('close', { code: 1006 });
        }, 0);
      }, 0);
      this.send = (data: string) => void sent.push(data);
    }
    send(_data: string) {}
    close() {
      this.readyState = 3;
    }
    addEventListener(type: string, listener: (event: unknown) => void) {
      if (!this.listeners.has(type)) this.listeners.set(type, new Set());
      this.listeners.get(type)?.add(listener);
    }
    removeEventListener(type: string, listener: (event: unknown) => void) {
      this.listeners.get(type)?.delete(listener);
    }
    emit(type: string, event: unknown) {
      for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
    }
  } as unknown as WebSocketConstructor;
  return { WebSocket, made };
}

const hub = {
  onLearn: () => () => {},
  customersOf: () => [CUSTOMER],
  publish: async () => {},
} as unknown as EventHub;

const account = {
  key: 'server',
  client: { calls: { get: async () => Promise.reject(new Error('not here')) } },
  credential: { accessKey: 'test-access-key' },
} as unknown as UpstreamAccount;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the websocket source, on a topic VoIPBIN refuses', () => {
  it('stops after core gives up (SUBSCRIPTION_FAILED, close 1006), and tries again for a new watch', async () => {
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((line: string) => void warnings.push(line));
    const { WebSocket, made } = refusingWebSocket();
    const source = createWebSocketSource(hub, {
      baseURL: 'http://127.0.0.1:9/v1.0',
      WebSocket,
      reconnectDelayMs: 1,
    });
    const stop = source.watch(account, {});
    await vi.waitFor(() =>
      expect(warnings).toContain(
        '[gateway] VoIPBIN event socket: SUBSCRIPTION_FAILED (close 1006)',
      ),
    );
    expect(made).toHaveLength(8); // core's default maxFailedConnections
    expect(made[0]).toEqual([
      JSON.stringify({ type: 'subscribe', topics: [`customer_id:${CUSTOMER}:call`] }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(made).toHaveLength(8); // given up: no more connections

    const again = source.watch(account, {
      callId: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
      customerId: null,
    });
    await vi.waitFor(() => expect(made.length).toBeGreaterThan(8));
    stop();
    again();
    await source.close();
    expect(source.stats()).toEqual({ sockets: 0, watched: 0 });
  });

  it('opens a given-up socket again by itself while someone follows, and not once nobody does', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { WebSocket, made } = refusingWebSocket();
    const source = createWebSocketSource(hub, {
      baseURL: 'http://127.0.0.1:9/v1.0',
      WebSocket,
      reconnectDelayMs: 1,
      reopenAfterMs: 20,
    });
    const stop = source.watch(account, {});
    // Given up (8 connections), then opened again by the timer: 8 more, and so on.
    await vi.waitFor(() => expect(made.length).toBeGreaterThanOrEqual(16), { timeout: 10_000 });
    stop();
    await source.close();
    const after = made.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(made.length).toBe(after);
  });
});
