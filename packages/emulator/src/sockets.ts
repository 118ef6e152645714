/**
 * VoIPBIN's event WebSocket (`/v1.0/ws`), runtime-agnostic: the hub keeps the open sockets,
 * each with its customer and the topics it subscribed to, and sends every event of the
 * emulator to the sockets whose topics match it. A socket is one end the hub writes to
 * (`SocketPeer`): the in-memory WebSocket of `emulator.WebSocket`, or a `ws` socket that the
 * Node adapter (`listen()`) accepted.
 */
import type { EmulatorEvent } from './emulator.ts';
import { error } from './http.ts';

/**
 * The shape of the frames pushed: VoIPBIN sends both on the same topic. `wrapped` is the
 * legacy `{ type, data }`, `bare` the resource alone (the newer shape, with no event type),
 * `mixed` alternates the two on each socket (wrapped first), so a client must read both.
 */
export type WsFrames = 'wrapped' | 'bare' | 'mixed';

export const WS_FRAMES: readonly WsFrames[] = ['wrapped', 'bare', 'mixed'];

/** The path of VoIPBIN's event WebSocket. */
export const WS_PATH = '/v1.0/ws';

/** The close code for a topic the credential may not see, or a message the hub cannot read. */
export const POLICY_VIOLATION = 1008;

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
  /** A text frame from the client. */
  receive(text: string): void;
  /** The socket has closed, from either side (may be called more than once). */
  closed(): void;
}

interface Connection {
  customerId: string;
  topics: Set<string>;
  peer: SocketPeer;
  /** Frames sent, for `mixed`. */
  sent: number;
}

/** The customer a request's credential acts as, or the answer that refuses it. */
export type Authenticate = (request: Request, url: URL) => string | Response;

export class SocketHub {
  #frames: WsFrames;
  readonly #connections = new Set<Connection>();
  readonly #authenticate: Authenticate;

  constructor(frames: WsFrames, authenticate: Authenticate) {
    this.#frames = checkFrames(frames);
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
   * Whether a WebSocket handshake may go on: the customer id of its credential, or the
   * answer that refuses it (404 off `/v1.0/ws`, 401 with VoIPBIN's error body).
   */
  accept(request: Request): { customerId: string } | Response {
    const url = new URL(request.url);
    if (url.pathname.replace(/\/+$/, '') !== WS_PATH) {
      return error('NOT_FOUND', 'ROUTE_NOT_FOUND', `No WebSocket at ${url.pathname}.`);
    }
    const customerId = this.#authenticate(request, url);
    return typeof customerId === 'string' ? { customerId } : customerId;
  }

  /** Keeps an accepted socket; the adapter hands it the client's frames and its closing. */
  attach(customerId: string, peer: SocketPeer): SocketConnection {
    const connection: Connection = { customerId, topics: new Set(), peer, sent: 0 };
    this.#connections.add(connection);
    return {
      receive: (text) => this.#receive(connection, text),
      closed: () => {
        this.#connections.delete(connection);
      },
    };
  }

  /** Sends an event to every socket with a topic it starts with, once per socket. */
  publish(event: EmulatorEvent): void {
    if (this.#connections.size === 0) return;
    const { customer_id: customerId, id } = event.data as { customer_id?: unknown; id?: unknown };
    const topic = `customer_id:${customerId}:call:${id}`;
    // Each shape is written once per event, whatever the number of sockets.
    const texts: Partial<Record<'wrapped' | 'bare', string>> = {};
    const textOf = (shape: 'wrapped' | 'bare') => {
      texts[shape] ??= JSON.stringify(shape === 'wrapped' ? event : event.data);
      return texts[shape];
    };
    for (const connection of this.#connections) {
      if (connection.customerId !== customerId) continue;
      if (!someStartsIt(connection.topics, topic)) continue;
      const shape =
        this.#frames === 'mixed' ? (connection.sent % 2 === 0 ? 'wrapped' : 'bare') : this.#frames;
      connection.sent++;
      const text = textOf(shape);
      try {
        connection.peer.send(text);
      } catch {
        // A socket that cannot be written to is gone: forget it, the others go on.
        this.#forget(connection, (peer) => peer.drop());
      }
    }
  }

  /** Closes every open socket abnormally (1006, not clean), as a network failure would. */
  drop(): number {
    const dropped = this.#connections.size;
    for (const connection of [...this.#connections]) {
      this.#forget(connection, (peer) => peer.drop());
    }
    return dropped;
  }

  #receive(connection: Connection, text: string) {
    if (!this.#connections.has(connection)) return;
    const message = parse(text);
    if (!message) return this.#refuse(connection, 'malformed message');
    // VoIPBIN's client messages are subscribe and unsubscribe; anything else is ignored.
    if (message.type !== 'subscribe' && message.type !== 'unsubscribe') return;
    const topics = message.topics;
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) {
      return this.#refuse(connection, 'malformed message');
    }
    for (const topic of topics as string[]) {
      const owner = ownerOf(topic);
      if (owner === undefined) return this.#refuse(connection, `invalid topic`);
      if (owner !== connection.customerId) return this.#refuse(connection, 'permission denied');
    }
    for (const topic of topics as string[]) {
      if (message.type === 'subscribe') connection.topics.add(topic);
      else connection.topics.delete(topic);
    }
  }

  #refuse(connection: Connection, reason: string) {
    this.#forget(connection, (peer) => peer.close(POLICY_VIOLATION, reason));
  }

  #forget(connection: Connection, end: (peer: SocketPeer) => void) {
    if (!this.#connections.delete(connection)) return;
    try {
      end(connection.peer);
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

function someStartsIt(topics: Set<string>, topic: string): boolean {
  for (const prefix of topics) if (topic.startsWith(prefix)) return true;
  return false;
}

function parse(text: string): { type?: unknown; topics?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The customer id of a topic `customer_id:<id>:<resource>[:<resource-id>]`, or undefined when
 * it is not one (VoIPBIN's agent topics, `agent_id:...`, are not served).
 */
function ownerOf(topic: string): string | undefined {
  return /^customer_id:([^:]+):[a-z_]+(?::[^:]*)?$/.exec(topic)?.[1];
}
