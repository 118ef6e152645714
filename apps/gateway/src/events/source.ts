import type { Call, VoipbinClient } from '@voipbin-kit/core';
import { log } from '../log.ts';
import type { EventHub, PublishContext } from './hub.ts';
import { isFinal, versionOf } from './order.ts';

/** The name of the server's own VoIPBIN account (its credential's), as events know it. */
export const SERVER_ACCOUNT = 'server';

/** The VoIPBIN account a subscription follows calls of, as a source needs it. */
export interface UpstreamAccount {
  /** Names the account without its credential: `server`, or `voipbin:<hash>` in pass-through. */
  key: string;
  /** The client of this account (the request's). */
  client: VoipbinClient;
  /** The credential, for a source that opens its own connection; never logged. */
  credential: { token?: string; accessKey?: string };
}

/** What a subscription follows: one call, or every call of the account. */
export type Watched = { callId: string; customerId: string | null } | { callId?: undefined };

/**
 * Where call states come from: VoIPBIN's WebSocket, its webhooks or polling. A source
 * publishes what it learns on the hub; a subscription says what it follows with `watch`, so
 * that a source holds a connection or a timer only while someone listens. The schema never
 * knows which source it has.
 */
export interface EventSource {
  readonly kind: 'websocket' | 'webhook' | 'poll';
  /** Starts following `watched` for `account`; returns the function that stops (idempotent). */
  watch(account: UpstreamAccount, watched: Watched): () => void;
  /** Connections, timers and watches held: for tests and leak checks. */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

/** Publishes a state, never throwing: a fanout that failed is logged, by name only. */
export function publishQuietly(hub: EventHub, call: Call, context: PublishContext = {}): void {
  hub.publish(call, context).catch((error: unknown) => {
    log.line(
      'error',
      `[gateway] a call event reached this instance only: the fanout failed (${error instanceof Error ? error.name : 'error'})`,
    );
  });
}

export interface PollOptions {
  /** Milliseconds between two reads of a call, or of the account's list. Default 1,000. */
  intervalMs?: number;
  /** Calls read from the list when every call is followed. Default 50. */
  listSize?: number;
  /**
   * One reader per call (or account) for every subscription, the default; false gives each
   * subscription its own, for a Worker, where a timer belongs to the request that set it.
   */
  shared?: boolean;
}

interface Poller {
  refs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  stopped: boolean;
}

/**
 * Reads `GET /calls/{id}` (one call followed) or the first page of `GET /calls` (every call)
 * every `intervalMs`, one reader per call and account whoever many listen, and publishes the
 * states that changed. For where nothing can be held open (a Worker); stops when nobody
 * listens, or when the call has hung up. A read that fails is tried again at the next tick.
 */
export function createPollSource(hub: EventHub, options: PollOptions = {}): EventSource {
  const intervalMs = options.intervalMs ?? 1_000;
  const listSize = options.listSize ?? 50;
  // GATEWAY_EVENTS_POLL_INTERVAL_MS holds at least 200; code (a test) may go faster, never 0.
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new RangeError(`The poll interval must be a number of ms > 0, got ${intervalMs}`);
  }
  const pollers = new Map<string, Poller>();
  let watches = 0;
  /** The poller's key: per call (or account), or per subscription when not shared. */
  const keyOf = (key: string) => (options.shared === false ? `${key} #${++watches}` : key);

  function start(key: string, read: () => Promise<boolean>): () => void {
    let poller = pollers.get(key);
    if (!poller) {
      const created: Poller = { refs: 0, timer: undefined, stopped: false };
      pollers.set(key, created);
      poller = created;
      const tick = async () => {
        created.timer = undefined;
        let more = true;
        try {
          more = await read();
        } catch {
          // The next tick tries again: a poll has no outcome to lose.
        }
        if (created.stopped) return;
        if (!more) return stop(created, key);
        created.timer = setTimeout(tick, intervalMs);
      };
      created.timer = setTimeout(tick, 0);
    }
    poller.refs++;
    const held = poller;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--held.refs <= 0) stop(held, key);
    };
  }

  function stop(poller: Poller, key: string) {
    poller.stopped = true;
    if (poller.timer !== undefined) clearTimeout(poller.timer);
    poller.timer = undefined;
    if (pollers.get(key) === poller) pollers.delete(key);
  }

  return {
    kind: 'poll',
    watch(account, watched) {
      if (watched.callId !== undefined) {
        const id = watched.callId;
        let last = '';
        return start(keyOf(`${account.key} ${id}`), async () => {
          const call = await account.client.calls.get(id);
          const version = versionOf(call);
          if (version !== last) {
            last = version;
            publishQuietly(hub, call, { account: account.key });
          }
          return !isFinal(call);
        });
      }
      const seen = new Map<string, string>();
      let first = true;
      return start(keyOf(`${account.key} *`), async () => {
        const page = await account.client.calls.list({ page_size: listSize });
        const now = new Map<string, string>();
        for (const call of page.result) {
          const version = versionOf(call);
          now.set(call.id, version);
          // The first read sets where the account stands; changes after it are events.
          if (!first && seen.get(call.id) !== version) {
            publishQuietly(hub, call, { account: account.key });
          }
          hub.learn(account.key, call.customer_id);
        }
        seen.clear();
        for (const [id, version] of now) seen.set(id, version);
        first = false;
        return true;
      });
    },
    stats: () => ({
      pollers: pollers.size,
      timers: [...pollers.values()].filter((p) => p.timer !== undefined).length,
    }),
    async close() {
      for (const [key, poller] of pollers) stop(poller, key);
    },
  };
}

/**
 * Webhooks arrive whether anyone listens or not (`webhook.ts` receives them): nothing to
 * hold open per subscription.
 */
export function createWebhookSource(): EventSource {
  return {
    kind: 'webhook',
    watch: () => () => {},
    stats: () => ({}),
    close: async () => {},
  };
}
