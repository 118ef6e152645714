/**
 * VoIPBIN's event WebSocket (`/v1.0/ws`), runtime-agnostic, as bin-api-manager serves it
 * (pkg/websockhandler, pkg/subscribehandler, pkg/pubsubhandler): the hub keeps the open
 * sockets, each with its identity and the topics it subscribed to, and sends every event it is
 * given to the sockets whose topics start one of the event's topics. A socket is one end the
 * hub writes to (`SocketPeer`): the in-memory WebSocket of `emulator.WebSocket`, or a `ws`
 * socket that the Node adapter (`listen()`) accepted.
 */
import { error } from './http.ts';

/**
 * An event as the hub is given it: `{ type, data }`, `data` the resource as it was then. Any
 * type `<resource>_<verb>` goes out (call_created ... call_deleted, and types to come).
 */
export interface SocketEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * The shape of the frames pushed. `bare` is the resource alone, what VoIPBIN sends (its
 * subscribe handler publishes the event's data, unwrapped); `wrapped` is the legacy
 * `{ type, data }` of older servers; `mixed` alternates the two on each socket (wrapped
 * first), for a client that must read both.
 */
export type WsFrames = 'wrapped' | 'bare' | 'mixed';

export const WS_FRAMES: readonly WsFrames[] = ['wrapped', 'bare', 'mixed'];

/** The frames when none are asked for: VoIPBIN's, the bare resource. */
export const DEFAULT_WS_FRAMES: WsFrames = 'bare';

/** The path of VoIPBIN's event WebSocket. */
export const WS_PATH = '/v1.0/ws';

/** VoIPBIN's ping period (websockhandler subscription.go `pingPeriod`). */
export const WS_PING_INTERVAL_MS = 10_000;

/**
 * How long VoIPBIN waits for a pong before it gives a socket up (`pongWait`): the read
 * deadline, moved on by each pong only (not by the client's messages).
 */
export const WS_PONG_TIMEOUT_MS = 60_000;

/** The hub's side of one open socket. */
export interface SocketPeer {
  /** Sends a text frame. */
  send(text: string): void;
  /** Closes cleanly, with a close frame of this code and reason. */
  close(code: number, reason: string): void;
  /** Closes abnormally, with no close frame: the client sees 1006, as when a network path breaks. */
  drop(): void;
}

/** What a server adapter tells the hub about a socket it attached. */
export interface SocketConnection {
  /**
   * A frame from the client: text, or a binary one (`binary`), which VoIPBIN does not read
   * (it ends the socket, with no close frame).
   */
  receive(text: string, binary?: boolean): void;
  /** The socket has closed, from either side (may be called more than once). */
  closed(): void;
}

/** Whom a credential acts as: its customer and, for an agent's token, the agent. */
export interface SocketIdentity {
  customerId: string;
  agentId?: string;
}

/** The customer a request's credential acts as, or the answer that refuses it. */
export type Authenticate = (request: Request, url: URL) => string | Response;

/** As `Authenticate`, or the whole identity (an agent's token: its agent too). */
export type AuthenticateSocket = (request: Request, url: URL) => string | SocketIdentity | Response;

interface Connection {
  /** Canonical UUIDs (or the id as given when it is not one). */
  customerId: string;
  agentId: string;
  /** Subscribed prefixes, in order, each once (pubsubhandler's slice). */
  topics: string[];
  /** Binding patterns this socket acquired, with how many times (websockhandler heldPatterns). */
  held: Map<string, number>;
  peer: SocketPeer;
  /** Frames sent, for `mixed`. */
  sent: number;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export class SocketHub {
  #frames: WsFrames;
  readonly #connections = new Set<Connection>();
  readonly #authenticate: AuthenticateSocket;
  /**
   * The scopes the "pod" receives events of (`customer_id.<id>.#`, `agent_id.<id>.#`), with
   * how many subscriptions hold each: websockhandler's scopeRefCount, shared by every socket.
   */
  readonly #bound = new Map<string, number>();

  constructor(frames: WsFrames | undefined, authenticate: AuthenticateSocket) {
    this.#frames = checkFrames(frames ?? DEFAULT_WS_FRAMES);
    this.#authenticate = authenticate;
  }

  get frames(): WsFrames {
    return this.#frames;
  }

  set frames(frames: WsFrames) {
    this.#frames = checkFrames(frames);
  }

  /** Open sockets. */
  get count(): number {
    return this.#connections.size;
  }

  /**
   * Whether a WebSocket handshake may go on: the identity of its credential, or the answer
   * that refuses it (404 off `/v1.0/ws`, 401 with VoIPBIN's error body).
   */
  accept(request: Request): SocketIdentity | Response {
    const url = new URL(request.url);
    if (url.pathname.replace(/\/+$/, '') !== WS_PATH) {
      return error('NOT_FOUND', 'ROUTE_NOT_FOUND', `No WebSocket at ${url.pathname}.`);
    }
    const identity = this.#authenticate(request, url);
    return typeof identity === 'string' ? { customerId: identity } : identity;
  }

  /**
   * Keeps an accepted socket; the adapter hands it the client's frames and its closing.
   * `agentId` is the agent of an agent's token (an access key has none: no `agent_id:` topic
   * is then its own).
   */
  attach(customerId: string, peer: SocketPeer, agentId?: string): SocketConnection {
    const connection: Connection = {
      customerId: uuidOf(customerId) ?? customerId,
      agentId: (agentId && uuidOf(agentId)) || NIL_UUID,
      topics: [],
      held: new Map(),
      peer,
      sent: 0,
    };
    this.#connections.add(connection);
    return {
      receive: (text, binary) => this.#receive(connection, text, binary === true),
      closed: () => this.#forget(connection),
    };
  }

  /**
   * Sends an event as VoIPBIN does. webhook-manager publishes it once per scope of its data
   * (`customer_id`, and `owner_id` as `agent_id` when set); the pod handles each message of a
   * scope some socket holds, and publishes the event on every topic of the event
   * (`<scope>:<id>:<resource>:<resource-id>` and `<scope>:<id>:<resource>:<type>:<resource-id>`
   * for each scope). A socket gets a frame once per topic that starts with one of its topics
   * (however many of them match it): a socket on `customer_id:<id>` or `...:call` gets each
   * event twice.
   */
  publish(event: SocketEvent): void {
    if (this.#connections.size === 0) return;
    const routed = route(event);
    if (!routed) return;
    // Each shape is written once per event, whatever the number of sockets.
    const texts: Partial<Record<'wrapped' | 'bare', string>> = {};
    const textOf = (shape: 'wrapped' | 'bare') => {
      texts[shape] ??= JSON.stringify(shape === 'wrapped' ? event : event.data);
      return texts[shape];
    };
    for (const scope of routed.scopes) {
      if (!this.#bound.get(scope)) continue;
      for (const topic of routed.topics) {
        for (const connection of [...this.#connections]) {
          if (!connection.topics.some((prefix) => topic.startsWith(prefix))) continue;
          const shape =
            this.#frames === 'mixed'
              ? connection.sent % 2 === 0
                ? 'wrapped'
                : 'bare'
              : this.#frames;
          connection.sent++;
          try {
            connection.peer.send(textOf(shape));
          } catch {
            // A socket that cannot be written to is gone: forget it, the others go on.
            this.#end(connection);
          }
        }
      }
    }
  }

  /** Closes every open socket abnormally (1006, not clean), as a network failure would. */
  drop(): number {
    const dropped = this.#connections.size;
    for (const connection of [...this.#connections]) this.#end(connection);
    return dropped;
  }

  #receive(connection: Connection, text: string, binary: boolean) {
    if (!this.#connections.has(connection)) return;
    // VoIPBIN reads text frames only: any other ends the connection.
    if (binary) return this.#end(connection);
    // Text that is not a subscribe/unsubscribe message (not JSON, not an object, a field of
    // the wrong type) is logged and skipped by VoIPBIN: the socket stays open.
    const message = readHook(text);
    if (!message) return;
    // The topics are checked whatever the type, before it is looked at; one that fails ends
    // the connection with no close frame (the handler returns, the socket is closed under it).
    if (!message.topics.every((topic) => this.#allowed(connection, topic))) {
      return this.#end(connection);
    }
    if (message.type === 'subscribe') {
      for (const topic of message.topics) {
        if (!connection.topics.includes(topic)) connection.topics.push(topic);
        // Acquired on every subscribe, even of a topic already there.
        const pattern = bindPatternOf(topic);
        this.#bound.set(pattern, (this.#bound.get(pattern) ?? 0) + 1);
        connection.held.set(pattern, (connection.held.get(pattern) ?? 0) + 1);
      }
    } else if (message.type === 'unsubscribe') {
      for (const topic of message.topics) {
        const at = connection.topics.indexOf(topic);
        if (at !== -1) connection.topics.splice(at, 1);
        // Released on every unsubscribe, even of a topic this socket never held (VoIPBIN's
        // refcount is the pod's: another socket's hold on the scope is released with it).
        const pattern = bindPatternOf(topic);
        this.#release(pattern);
        const held = connection.held.get(pattern) ?? 0;
        if (held > 1) connection.held.set(pattern, held - 1);
        else connection.held.delete(pattern);
      }
    }
    // Any other type: nothing (its topics were checked all the same).
  }

  /** websockhandler's validateTopic, for a credential with the customer admin permission. */
  #allowed(connection: Connection, topic: string): boolean {
    const parts = topic.split(':');
    if (parts.length < 2) return false;
    const id = uuidOf(parts[1] as string);
    if (!id || id === NIL_UUID) return false;
    if (parts[0] === 'customer_id') return id === connection.customerId;
    if (parts[0] === 'agent_id') return id === connection.agentId;
    return false;
  }

  #release(pattern: string) {
    const count = this.#bound.get(pattern) ?? 0;
    if (count <= 1) this.#bound.delete(pattern);
    else this.#bound.set(pattern, count - 1);
  }

  /** Forgets a socket (once), releasing what it held; the peer is left as it is. */
  #forget(connection: Connection): boolean {
    if (!this.#connections.delete(connection)) return false;
    for (const [pattern, count] of connection.held) {
      for (let i = 0; i < count; i++) this.#release(pattern);
    }
    connection.held.clear();
    return true;
  }

  /** Ends a socket as VoIPBIN does: the connection is closed under it, no close frame. */
  #end(connection: Connection) {
    if (!this.#forget(connection)) return;
    try {
      connection.peer.drop();
    } catch {
      // Already gone.
    }
  }
}

function checkFrames(frames: WsFrames): WsFrames {
  if (!WS_FRAMES.includes(frames)) {
    throw new TypeError(`wsFrames must be one of ${WS_FRAMES.join(', ')}, not ${String(frames)}`);
  }
  return frames;
}

/**
 * A client message as Go's encoding/json reads it into `hook.Hook{Type, Topics}`, or
 * undefined when that fails: keys matched case-insensitively (the last wins), `null` leaves a
 * field (or a topic) empty, any other type fails the whole message.
 */
function readHook(text: string): { type: string; topics: string[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // `null` decodes into nothing, without an error: an empty message.
  if (value === null) return { type: '', topics: [] };
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const hook = { type: '', topics: [] as string[] };
  for (const [key, field] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (name === 'type') {
      if (field === null) continue;
      if (typeof field !== 'string') return undefined;
      hook.type = field;
    } else if (name === 'topics') {
      if (field === null) {
        hook.topics = [];
        continue;
      }
      if (!Array.isArray(field)) return undefined;
      if (!field.every((topic) => topic === null || typeof topic === 'string')) return undefined;
      hook.topics = field.map((topic: string | null) => topic ?? '');
    }
  }
  return hook;
}

/** websockhandler's topicToBindPattern: the scope an AMQP binding is made for. */
function bindPatternOf(topic: string): string {
  const [scope, id] = topic.split(':');
  return `${scope}.${id}.#`;
}

/**
 * The scopes webhook-manager publishes an event under (its routing keys, as the binding
 * patterns that take them), and the topics the pod publishes it on (subscribehandler's
 * createTopics, the general case: every resource but aimessage, chat and webchat). Undefined
 * when VoIPBIN publishes nothing: a type with no `_`, an id field that is not a UUID.
 */
function route(event: SocketEvent): { scopes: string[]; topics: string[] } | undefined {
  const [resource, verb] = event.type.split('_');
  if (!resource || verb === undefined) return undefined;
  const ids: Record<'id' | 'customer_id' | 'owner_id', string> = {
    id: NIL_UUID,
    customer_id: NIL_UUID,
    owner_id: NIL_UUID,
  };
  for (const field of ['id', 'customer_id', 'owner_id'] as const) {
    const value = event.data[field];
    if (value === undefined || value === null) continue;
    const id = typeof value === 'string' ? uuidOf(value) : undefined;
    if (!id) return undefined;
    ids[field] = id;
  }
  const scopes: string[] = [];
  const topics: string[] = [];
  const customer = ids.customer_id !== NIL_UUID;
  const owner = ids.owner_id !== NIL_UUID;
  if (customer) {
    scopes.push(`customer_id.${ids.customer_id}.#`);
    topics.push(`customer_id:${ids.customer_id}:${resource}:${ids.id}`);
  }
  if (owner) {
    scopes.push(`agent_id.${ids.owner_id}.#`);
    topics.push(`agent_id:${ids.owner_id}:${resource}:${ids.id}`);
  }
  if (customer) topics.push(`customer_id:${ids.customer_id}:${resource}:${event.type}:${ids.id}`);
  if (owner) topics.push(`agent_id:${ids.owner_id}:${resource}:${event.type}:${ids.id}`);
  return { scopes, topics };
}

/**
 * A UUID as gofrs/uuid reads one (canonical, hex only, `{...}` braced, `urn:uuid:`, any case
 * of hex), in its canonical lower-case form; undefined when it is not one.
 */
export function uuidOf(text: string): string | undefined {
  let s = text;
  if (s.length === 41 || s.length === 45) {
    if (!s.startsWith('urn:uuid:')) return undefined;
    s = s.slice(9);
  } else if (s.length === 34 || s.length === 38) {
    if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
    s = s.slice(1, -1);
  }
  if (s.length === 36) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s))
      return undefined;
    s = s.replaceAll('-', '');
  }
  if (!/^[0-9a-f]{32}$/i.test(s)) return undefined;
  s = s.toLowerCase();
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
