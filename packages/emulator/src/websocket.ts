/**
 * An in-memory WebSocket bound to one emulator's hub: the WHATWG subset a client uses, with
 * every event delivered asynchronously (a microtask), never inside the call that caused it.
 */
import type { SocketConnection, SocketHub, SocketPeer } from './sockets.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** The `close` event: `code`, `reason`, `wasClean`, as a browser's CloseEvent. */
export class WebSocketCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(init: { code: number; reason: string; wasClean: boolean }) {
    super('close');
    this.code = init.code;
    this.reason = init.reason;
    this.wasClean = init.wasClean;
  }
}

/** The `message` event: `data` is the text frame. */
export class WebSocketMessageEvent extends Event {
  readonly data: string;
  readonly origin: string;
  constructor(data: string, origin: string) {
    super('message');
    this.data = data;
    this.origin = origin;
  }
}

/** The events of a WebSocket, as lib.dom's `WebSocketEventMap`. */
export interface EmulatorWebSocketEventMap {
  open: Event;
  message: WebSocketMessageEvent;
  close: WebSocketCloseEvent;
  error: Event;
}

type Handler<E extends Event> = ((this: EmulatorWebSocket, event: E) => unknown) | null;
type HandlerName = 'open' | 'message' | 'close' | 'error';

/**
 * The WebSocket of `emulator.WebSocket`. Opening it authenticates as a request would
 * (`?token=` / `?accesskey=` in the URL); a refused handshake (no or unknown credential, a
 * path other than `/v1.0/ws`) fires `error` then `close` with 1006, as a browser does when the
 * server answers the upgrade with 401 or 404 (the answer's body is not visible to a browser).
 */
export class EmulatorWebSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  readonly url: string;
  readonly protocol = '';
  readonly extensions = '';
  readonly bufferedAmount = 0;
  binaryType: 'blob' | 'arraybuffer' = 'blob';

  #readyState: number = CONNECTING;
  #connection: SocketConnection | undefined;
  readonly #handlers = new Map<HandlerName, Handler<Event>>();

  /** Use `emulator.WebSocket`, which passes the hub. */
  constructor(hub: SocketHub, url: string | URL) {
    super();
    const parsed = webSocketUrl(url);
    this.url = parsed.href;
    queueMicrotask(() => this.#handshake(hub, parsed));
  }

  override addEventListener<K extends keyof EmulatorWebSocketEventMap>(
    type: K,
    listener: (this: EmulatorWebSocket, event: EmulatorWebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof EmulatorWebSocketEventMap>(
    type: K,
    listener: (this: EmulatorWebSocket, event: EmulatorWebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  get readyState(): number {
    return this.#readyState;
  }

  get onopen(): Handler<Event> {
    return this.#handlers.get('open') ?? null;
  }
  set onopen(handler: Handler<Event>) {
    this.#setHandler('open', handler);
  }
  get onmessage(): Handler<WebSocketMessageEvent> {
    return (this.#handlers.get('message') as Handler<WebSocketMessageEvent>) ?? null;
  }
  set onmessage(handler: Handler<WebSocketMessageEvent>) {
    this.#setHandler('message', handler as Handler<Event>);
  }
  get onclose(): Handler<WebSocketCloseEvent> {
    return (this.#handlers.get('close') as Handler<WebSocketCloseEvent>) ?? null;
  }
  set onclose(handler: Handler<WebSocketCloseEvent>) {
    this.#setHandler('close', handler as Handler<Event>);
  }
  get onerror(): Handler<Event> {
    return this.#handlers.get('error') ?? null;
  }
  set onerror(handler: Handler<Event>) {
    this.#setHandler('error', handler);
  }

  /**
   * Sends a frame: a string as text, binary data as a binary frame (which VoIPBIN does not
   * read: it ends the socket, 1006). Throws while the socket is connecting.
   */
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.#readyState === CONNECTING) {
      throw new DOMException('The WebSocket is still connecting.', 'InvalidStateError');
    }
    // After close(), as a browser: the data is discarded.
    if (this.#readyState !== OPEN || !this.#connection) return;
    const binary = typeof data !== 'string';
    const text = binary ? new TextDecoder().decode(data) : data;
    // The hub reads it now, so a subscription holds as soon as send() returns.
    this.#connection.receive(text, binary);
  }

  /** Closes: `code` 1000 or 3000-4999, `reason` at most 123 bytes of UTF-8. */
  close(code?: number, reason = ''): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(`Invalid close code ${code}.`, 'InvalidAccessError');
    }
    if (new TextEncoder().encode(reason).byteLength > 123) {
      throw new DOMException('The close reason is longer than 123 bytes.', 'SyntaxError');
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      // A browser fails the connection: error, then close 1006.
      this.#readyState = CLOSING;
      this.#later(() => this.#fail());
      return;
    }
    this.#readyState = CLOSING;
    this.#connection?.closed();
    this.#connection = undefined;
    this.#later(() => this.#closed(code ?? 1005, code === undefined ? '' : reason, true));
  }

  #handshake(hub: SocketHub, url: URL) {
    if (this.#readyState !== CONNECTING) return;
    const http = new URL(url);
    http.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    const accepted = hub.accept(new Request(http, { headers: { upgrade: 'websocket' } }));
    if (accepted instanceof Response) {
      void accepted.body?.cancel();
      this.#fail();
      return;
    }
    const peer: SocketPeer = {
      send: (text) =>
        this.#later(() => {
          // As a browser: a message that arrives once close() was called is not delivered.
          if (this.#readyState === OPEN) this.#fire(new WebSocketMessageEvent(text, url.origin));
        }),
      close: (code, reason) => {
        this.#connection = undefined;
        this.#later(() => this.#closed(code, reason, true));
      },
      drop: () => {
        this.#connection = undefined;
        this.#later(() => this.#closed(1006, '', false));
      },
    };
    this.#connection = hub.attach(accepted.customerId, peer, accepted.agentId);
    this.#readyState = OPEN;
    this.#fire(new Event('open'));
  }

  #fail() {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#fire(new Event('error'));
    this.#fire(new WebSocketCloseEvent({ code: 1006, reason: '', wasClean: false }));
  }

  #closed(code: number, reason: string, wasClean: boolean) {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#fire(new WebSocketCloseEvent({ code, reason, wasClean }));
  }

  #later(task: () => void) {
    queueMicrotask(task);
  }

  #fire(event: Event) {
    this.dispatchEvent(event);
  }

  #setHandler(name: HandlerName, handler: Handler<Event>) {
    const had = this.#handlers.has(name);
    this.#handlers.set(name, typeof handler === 'function' ? handler : null);
    // As a browser: the handler takes its place among the listeners when first set.
    if (!had) {
      this.addEventListener(name, (event) => {
        this.#handlers.get(name)?.call(this, event);
      });
    }
  }
}

/** `emulator.WebSocket`: `new (url) => EmulatorWebSocket`, with the readyState constants. */
export interface EmulatorWebSocketConstructor {
  new (url: string | URL): EmulatorWebSocket;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
}

/** The URL, as a browser's constructor checks it: ws(s) or http(s), no fragment. */
function webSocketUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    // The URL is left out: it may hold a credential (`?token=`).
    throw new DOMException('Invalid WebSocket URL.', 'SyntaxError');
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new DOMException(
      `A WebSocket URL must be ws: or wss:, not ${url.protocol}`,
      'SyntaxError',
    );
  }
  if (url.hash) throw new DOMException('A WebSocket URL has no fragment.', 'SyntaxError');
  return url;
}
