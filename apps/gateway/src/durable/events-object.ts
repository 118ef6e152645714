/**
 * Live call status on Cloudflare: a SQLite-backed Durable Object per followed call of a VoIPBIN
 * account (`<account> <call id>`), and one per account for `callEvents` (`<account> *`).
 *
 * Isolates connect to it by WebSocket, one socket a subscription (events.ts), accepted with the
 * Hibernation API: between two states the object may leave memory and is not billed for it,
 * the runtime keeping the sockets. States come in two ways, and go out to every socket, in
 * order, each once (newer than the last one kept, by `tm_update`):
 * - webhooks, received by any isolate and published here (`publish`, by RPC);
 * - polling, where the gateway polls: while a socket is open, the object's alarm reads the call
 *   (or the account's first page of calls) every poll interval: one reader for the whole
 *   deployment however many subscribe, through however many isolates.
 * When the last socket closes the alarm stops polling; an alarm that finds no socket deletes
 * everything the object holds. Costs: docs/decisions/2026-12-07-durable-objects-on-workers.md.
 */

import type { HibernatableWebSocket } from 'cloudflare:workers';
import { createClient, type VoipbinClient } from '@voipbin-kit/core';
import { fromBindings, type GatewayEnv, readEnv } from '../env.ts';
import { isFinal, versionOf } from '../events/order.ts';
import { VOIPBIN_TOKEN_HEADER } from '../security/index.ts';
import {
  type CallMessage,
  EVERY_CALL,
  POLLED_BY,
  SERVER_ACCOUNT,
  WATCH_HEADERS,
} from './events-protocol.ts';
import { SqlObject } from './sql-object.ts';

/** workerd's pair of connected WebSockets: the first for the 101 answer, the second the object's. */
declare const WebSocketPair: new () => { 0: WebSocket; 1: WebSocket };

/** How long an object that nobody follows keeps the last states (for a subscriber that comes back). */
const IDLE_MS = 60_000;
/** The states an account's object remembers, to tell a changed call from a known one. */
const MAX_KEPT = 1_000;
/** Calls read from the account's list when every call is followed (as the poll source). */
const LIST_SIZE = 50;

/** What the object reads of VoIPBIN. */
type CallsReader = { calls: Pick<VoipbinClient['calls'], 'get' | 'list'> };

/** What a socket carries through hibernation: never written to storage. */
interface Attachment {
  account: string;
  /** A caller's own VoIPBIN token (pass-through): the object polls with it. */
  token?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state (
  call_id TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  message TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS watched (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  call_id TEXT NOT NULL,
  account TEXT NOT NULL,
  primed INTEGER NOT NULL DEFAULT 0
);
`;

export class CallEvents extends SqlObject<Record<string, unknown>> {
  #config: GatewayEnv | undefined;

  protected get schema() {
    return SCHEMA;
  }

  /** The gateway's settings, read from the same bindings as the isolates'. */
  private get config(): GatewayEnv {
    this.#config ??= readEnv(fromBindings(this.env));
    return this.#config;
  }

  private get interval(): number {
    return this.config.events.pollIntervalMs ?? 1_000;
  }

  private get polling(): boolean {
    return this.config.events.source !== 'webhook';
  }

  /** A subscription's socket: `Upgrade: websocket` with the watch headers (events-protocol.ts). */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const callId = request.headers.get(WATCH_HEADERS.call);
    const account = request.headers.get(WATCH_HEADERS.account);
    if (!callId || !account) return new Response('Missing watch headers', { status: 400 });
    this.exec(
      'INSERT INTO watched (id, call_id, account) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING',
      callId,
      account,
    );
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1] as HibernatableWebSocket];
    this.ctx.acceptWebSocket(server);
    const token = request.headers.get(VOIPBIN_TOKEN_HEADER) ?? undefined;
    server.serializeAttachment({ account, ...(token ? { token } : {}) } satisfies Attachment);
    // The call's newest state: a subscriber that came a moment after it still gets it (its own
    // stream drops it if it loaded that one). Every call's object replays nothing: `callEvents`
    // follows calls from now on.
    if (callId !== EVERY_CALL) {
      for (const { message } of this.rows<{ message: string }>('SELECT message FROM state')) {
        server.send(message);
      }
    }
    // Polls now, unless a poll is due sooner than an interval from now (the alarm may be the
    // cleanup one a publish set, a minute away).
    const done = callId !== EVERY_CALL && this.finished(callId);
    const alarm = await this.ctx.storage.getAlarm();
    if (this.polling && !done && (alarm === null || alarm > Date.now() + this.interval)) {
      await this.ctx.storage.setAlarm(Date.now());
    } else if (alarm === null) {
      // Nothing to poll (webhooks, or a call that has hung up): an alarm still looks again later,
      // to delete it all once nobody follows.
      await this.ctx.storage.setAlarm(Date.now() + IDLE_MS);
    }
    return new Response(null, { status: 101, webSocket: client } as ResponseInit);
  }

  /** A state an isolate received (a webhook, a createCall): kept and sent on when newer. */
  async publish(message: string): Promise<void> {
    const parsed = JSON.parse(message) as CallMessage;
    this.keep(parsed, message);
    // Nobody may ever follow: the alarm deletes it all after a while.
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + IDLE_MS);
    }
  }

  /** Polls while someone follows; deletes everything once nobody does. */
  async alarm(): Promise<void> {
    const [watched] = this.rows<{ call_id: string; account: string }>(
      'SELECT call_id, account FROM watched',
    );
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0 || !watched) {
      await this.forget();
      return;
    }
    // Webhooks feed it: only look again later, to delete it all once nobody follows.
    if (!this.polling) return void (await this.ctx.storage.setAlarm(Date.now() + IDLE_MS));
    const client = this.clientFor(watched.account, sockets);
    let more = Boolean(client);
    try {
      if (client) more = await this.poll(client, watched.call_id, watched.account);
    } catch {
      // The next alarm tries again: a poll has no outcome to lose.
    }
    await this.ctx.storage.setAlarm(Date.now() + (more ? this.interval : IDLE_MS));
  }

  webSocketMessage(): void {
    // Subscribers only listen.
  }

  webSocketClose(socket: HibernatableWebSocket, code: number): void {
    try {
      socket.close(code === 1005 ? 1000 : code, 'closed');
    } catch {
      // Closed already.
    }
  }

  /** Reads the call (or the account's newest calls) once; false when nothing more can come. */
  private async poll(client: CallsReader, callId: string, account: string): Promise<boolean> {
    if (callId !== EVERY_CALL) {
      const call = await client.calls.get(callId);
      this.keep({ from: POLLED_BY, call, account });
      return !isFinal(call);
    }
    const page = await client.calls.list({ page_size: LIST_SIZE });
    // The first read sets where the account stands; changes after it are events.
    const first = this.rows('SELECT 1 FROM watched WHERE primed = 0').length > 0;
    this.exec('UPDATE watched SET primed = 1');
    for (const call of [...page.result].reverse()) {
      this.keep({ from: POLLED_BY, call, account }, undefined, first);
    }
    this.exec(
      'DELETE FROM state WHERE call_id NOT IN (SELECT call_id FROM state ORDER BY seen_at DESC LIMIT ?)',
      MAX_KEPT,
    );
    return true;
  }

  /** Keeps `message` when its call's state is newer than the one kept, and sends it on. */
  private keep(message: CallMessage, text = JSON.stringify(message), quiet = false): void {
    const version = versionOf(message.call);
    const [kept] = this.rows<{ version: string }>(
      'SELECT version FROM state WHERE call_id = ?',
      message.call.id,
    );
    if (kept && version <= kept.version) return;
    this.exec(
      'INSERT OR REPLACE INTO state (call_id, version, message, seen_at) VALUES (?, ?, ?, ?)',
      message.call.id,
      version,
      text,
      Date.now(),
    );
    // Bounded whatever feeds it (webhooks of a whole account, too).
    this.exec(
      'DELETE FROM state WHERE call_id NOT IN (SELECT call_id FROM state ORDER BY seen_at DESC LIMIT ?)',
      MAX_KEPT,
    );
    if (quiet) return;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(text);
      } catch {
        // A socket closing as this is sent: its subscription is ending.
      }
    }
  }

  private finished(callId: string): boolean {
    const [kept] = this.rows<{ message: string }>(
      'SELECT message FROM state WHERE call_id = ?',
      callId,
    );
    return kept ? isFinal((JSON.parse(kept.message) as CallMessage).call) : false;
  }

  /** The server's client for its own account; for another, a subscriber's own token. */
  private clientFor(account: string, sockets: HibernatableWebSocket[]): CallsReader | undefined {
    const { upstream } = this.config;
    if (upstream.kind !== 'voipbin') return undefined;
    const base = { baseURL: upstream.baseURL, timeout: 10_000, retry: 0 } as const;
    if (account === SERVER_ACCOUNT) {
      if (!upstream.accessKey && !upstream.token) return undefined;
      return createClient({
        ...base,
        ...(upstream.accessKey ? { accessKey: upstream.accessKey } : {}),
        ...(upstream.token ? { token: upstream.token } : {}),
      });
    }
    for (const socket of sockets) {
      const token = (socket.deserializeAttachment() as Attachment | null)?.token;
      if (token) return createClient({ ...base, token });
    }
    return undefined;
  }
}
