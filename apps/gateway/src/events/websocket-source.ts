import {
  type Call,
  type EventSubscription,
  subscribeEvents,
  type WebSocketConstructor,
} from '@voipbin-kit/core';
import { log } from '../log.ts';
import type { EventHub } from './hub.ts';
import { isFinal } from './order.ts';
import { type EventSource, publishQuietly, type UpstreamAccount } from './source.ts';

export interface WebSocketSourceOptions {
  /** VoIPBIN's API root; the socket is `<baseURL>/ws`. */
  baseURL: string;
  /** The WebSocket to open (Node 20 has none of its own: undici's; the embedded emulator's). */
  WebSocket?: WebSocketConstructor;
  /** Milliseconds before the first reconnect after a drop (doubling, up to 30 s). */
  reconnectDelayMs?: number;
  /**
   * Milliseconds after core gave up (refused or unreachable) before the socket is opened again
   * while anyone still follows the account's calls. Default 60 000: an outage of VoIPBIN must
   * not end live status for good, and a refused topic is retried no more than once a minute.
   */
  reopenAfterMs?: number;
}

interface Connection {
  account: UpstreamAccount;
  /** Watches of every call, and of each call id (one id may be watched many times). */
  everyCall: number;
  calls: Map<string, number>;
  /** Calls seen not yet hung up: read again after a reconnect, which replays nothing. */
  active: Set<string>;
  topics: Set<string>;
  socket: EventSubscription | undefined;
  stopLearning: () => void;
  /** The timer that opens a given-up socket again. */
  reopen: ReturnType<typeof setTimeout> | undefined;
}

/** Calls read at once when a socket (re)opens. */
const RESYNC_READS = 8;

/** The topic of every call of a customer; VoIPBIN matches topics by prefix. */
const topicOf = (customerId: string) => `customer_id:${customerId}:call`;

/**
 * Follows VoIPBIN's event WebSocket with core's `subscribeEvents`: one socket per account
 * while anyone follows its calls, subscribed to each customer the account is seen acting as.
 * VoIPBIN replays nothing after a drop, so on every (re)open the calls followed, and those
 * seen running, are read again and published (subscriptions drop what they already had).
 * The topic is a broad one, on which VoIPBIN sends each frame twice: core drops the copy. When
 * core gives up (too many connections in a row ended before an event: a refused topic or
 * VoIPBIN unreachable), the socket is opened again after `reopenAfterMs` while anyone still
 * follows, or at once for the next watch or a customer newly learned.
 */
export function createWebSocketSource(hub: EventHub, options: WebSocketSourceOptions): EventSource {
  const connections = new Map<string, Connection>();

  /** Reads the followed and running calls again, a few at a time (a reconnect is no stampede). */
  function resync(connection: Connection) {
    const ids = [...new Set([...connection.calls.keys(), ...connection.active])];
    const next = async (): Promise<void> => {
      const id = ids.shift();
      if (id === undefined) return;
      await connection.account.client.calls
        .get(id)
        .then((call) => receive(connection, call))
        .catch(() => connection.active.delete(id));
      return next();
    };
    for (let i = 0; i < RESYNC_READS; i++) void next();
  }

  function receive(connection: Connection, call: Call) {
    if (isFinal(call)) connection.active.delete(call.id);
    else if (connection.everyCall > 0 || connection.calls.has(call.id)) {
      connection.active.add(call.id);
    }
    publishQuietly(hub, call, { account: connection.account.key });
  }

  function addTopic(connection: Connection, customerId: string) {
    const topic = topicOf(customerId);
    if (connection.topics.has(topic)) return;
    connection.topics.add(topic);
    const socket = connection.socket;
    // A socket that gave up for good (its constructor threw, too many failed connections in a
    // row, or maxAttempts) is opened anew.
    if (!socket || socket.status === 'closed') return open(connection);
    socket.subscribe([topic]);
    // What the new topic said before it was subscribed is not replayed: read it.
    if (socket.status === 'open') resync(connection);
  }

  function open(connection: Connection) {
    const { token, accessKey } = connection.account.credential;
    connection.socket = subscribeEvents({
      baseURL: options.baseURL,
      ...(token ? { token } : { accessKey: accessKey ?? '' }),
      topics: [...connection.topics],
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      ...(options.reconnectDelayMs
        ? { reconnect: { initialDelayMs: options.reconnectDelayMs } }
        : {}),
      onEvent: (event) => {
        if (event.kind === 'call') receive(connection, event.data);
      },
      onStatus: (status) => {
        if (status === 'open') resync(connection);
        if (status === 'closed' && connections.get(connection.account.key) === connection) {
          scheduleReopen(connection);
        }
      },
      // By reason only: core's errors carry neither the URL nor the credential, but a frame's
      // issues may quote a phone number.
      onError: (error) =>
        log.line(
          'warn',
          `[gateway] VoIPBIN event socket: ${error.reason}${error.closeCode ? ` (close ${error.closeCode})` : ''}`,
        ),
    });
  }

  /** Core gave up: open again later, once, if anyone still watches then. */
  function scheduleReopen(connection: Connection) {
    clearTimeout(connection.reopen);
    connection.reopen = setTimeout(() => {
      connection.reopen = undefined;
      const watched = connection.everyCall > 0 || connection.calls.size > 0;
      if (watched && connection.socket?.status === 'closed' && connection.topics.size > 0) {
        open(connection);
      }
    }, options.reopenAfterMs ?? 60_000);
    (connection.reopen as { unref?: () => void }).unref?.();
  }

  function release(connection: Connection) {
    if (connection.everyCall > 0 || connection.calls.size > 0) return;
    clearTimeout(connection.reopen);
    connection.socket?.close();
    connection.stopLearning();
    connections.delete(connection.account.key);
  }

  return {
    kind: 'websocket',
    watch(account, watched) {
      let connection = connections.get(account.key);
      if (!connection) {
        const created: Connection = {
          account,
          everyCall: 0,
          calls: new Map(),
          active: new Set(),
          topics: new Set(),
          socket: undefined,
          reopen: undefined,
          // Every customer the account is seen acting as gets its topic (createCall teaches them).
          stopLearning: hub.onLearn((key, customerId) => {
            if (key === account.key) addTopic(created, customerId);
          }),
        };
        connections.set(account.key, created);
        connection = created;
      }
      const held = connection;
      const id = watched.callId;
      if (id === undefined) held.everyCall++;
      else held.calls.set(id, (held.calls.get(id) ?? 0) + 1);
      for (const customerId of hub.customersOf(account.key)) addTopic(held, customerId);
      if (id !== undefined && watched.customerId) addTopic(held, watched.customerId);
      // A socket that gave up (core's SUBSCRIPTION_FAILED: refused or unreachable for a while,
      // or maxAttempts) is tried again for a new watch, with the topics it had.
      if (held.topics.size > 0 && held.socket?.status === 'closed') open(held);
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        if (id === undefined) held.everyCall--;
        else {
          const left = (held.calls.get(id) ?? 1) - 1;
          if (left > 0) held.calls.set(id, left);
          else held.calls.delete(id);
        }
        release(held);
      };
    },
    stats: () => ({
      sockets: [...connections.values()].filter((c) => c.socket).length,
      watched: [...connections.values()].reduce((n, c) => n + c.everyCall + c.calls.size, 0),
    }),
    async close() {
      for (const connection of connections.values()) {
        clearTimeout(connection.reopen);
        connection.socket?.close();
        connection.stopLearning();
      }
      connections.clear();
    },
  };
}
