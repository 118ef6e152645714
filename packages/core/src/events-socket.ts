import { DEFAULT_BASE_URL } from './client.ts';
import { VoipbinEventError } from './errors.ts';
import { type Event, EventSchema } from './event.ts';
import { RecentKeys } from './recent-keys.ts';
import { redactError, redactor } from './redact.ts';
import { check } from './validate.ts';

/**
 * The part of the WHATWG `WebSocket` this client uses: browsers', Bun's, Deno's, Workers',
 * Node 22's global one, undici's, the `ws` package's and the emulator's in-memory one all fit.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: each implementation types its events its own way
  addEventListener(type: string, listener: (event: any) => void): void;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  removeEventListener(type: string, listener: (event: any) => void): void;
}

/** A `WebSocket` class: `new WebSocket(url)`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Where an event subscription is: `reconnecting` covers the wait and the new attempt. */
export type EventSocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Passed with each status: reconnect attempts since the last steady connection, the wait, the close code. */
export interface EventSocketStatusInfo {
  attempt: number;
  delayMs?: number;
  code?: number;
}

/** How to reconnect after a drop. Delays are exponential with full jitter. */
export interface ReconnectOptions {
  /** The ceiling of the first wait, doubled each attempt. Default 500 ms. */
  initialDelayMs?: number;
  /** The highest ceiling. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Attempts in a row before giving up (status `closed`), without an error. Default unlimited. */
  maxAttempts?: number;
  /**
   * Failed connections in a row before giving up: connections that closed (or never opened)
   * before any event arrived and within 10 s. VoIPBIN drops a socket whose topic it refuses
   * without a close frame, which looks like any drop (1006), so this is how a refused topic
   * or a wrong credential ends. The last one is reported to `onError` (`SUBSCRIPTION_FAILED`)
   * and the status becomes `closed`. A connection that delivered an event or stayed open 10 s
   * starts the count over. Default 8 (about a minute of retrying with the default delays);
   * `Infinity` retries for ever.
   */
  maxFailedConnections?: number;
}

/** Options of `subscribeEvents`. */
export interface SubscribeEventsOptions {
  /** VoIPBIN's API root, as for `createClient` (`https` becomes `wss`, `http` `ws`). Default `https://api.voipbin.net/v1.0`. */
  baseURL?: string;
  /** An access key, sent as `?accesskey=`. Give this or `token`. */
  accessKey?: string;
  /** A JWT, sent as `?token=`. Give this or `accessKey`. */
  token?: string;
  /** Topics such as `customer_id:<id>:call` or `customer_id:<id>:call:<call-id>` (prefix match). At least one. */
  topics: string[];
  /** The `WebSocket` class. Default the global one; Node 20 has none: pass undici's. */
  WebSocket?: WebSocketConstructor;
  /** Called with each event, normalised, whichever shape its frame had; `kind: 'unknown'` included. */
  onEvent(event: Event): void;
  /** Called with a `VoipbinEventError`: a frame dropped, a connection failed or a topic refused. */
  onError?(error: VoipbinEventError): void;
  /** Called on each change of `status`. */
  onStatus?(status: EventSocketStatus, info: EventSocketStatusInfo): void;
  /** Reconnect after a drop (default, with the defaults of `ReconnectOptions`), or `false` to stop. */
  reconnect?: false | ReconnectOptions;
  /** Frames larger than this many bytes are dropped and reported. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Aborting it closes the subscription for good. */
  signal?: AbortSignal;
}

/** A live subscription made by `subscribeEvents`. */
export interface EventSubscription {
  /** Adds topics: sent now when the socket is open, and again after every reconnect. */
  subscribe(topics: string[]): void;
  /** Closes the socket for good: no reconnect, no timer, no listener left. */
  close(): void;
  /** Where the subscription is now. */
  readonly status: EventSocketStatus;
}

const OPEN = 1;
const CLOSED = 3;
const POLICY_VIOLATION = 1008;
/** A connection that delivered a frame or stayed open this long resets the backoff. */
const STEADY_MS = 10_000;
/** Events remembered to drop the second copy of a frame published on two topics. */
const RECENT_EVENTS = 512;

/**
 * Follows VoIPBIN's events over its WebSocket (`<baseURL>/ws`): subscribes to `topics` on every
 * open, hands each frame to `onEvent` normalised by `EventSchema`, and reconnects after a drop
 * (exponential backoff from 500 ms, capped at 30 s, full jitter; reset once a connection has
 * delivered a frame or stayed open 10 s).
 *
 * VoIPBIN publishes each event on two topics (`customer_id:C:call:<id>` and
 * `customer_id:C:call:<event_type>:<id>`), so a broad topic such as `customer_id:C:call` gets
 * each frame twice. The second copy is dropped: an event whose resource id, `tm_update` (or,
 * for a new resource, `tm_create`), status and type match one of the last 512 is not handed on
 * again. Frames without an id or those times are all handed on.
 *
 * VoIPBIN drops the socket when a topic is refused (or the credential may not read it) without
 * a close frame: the client sees 1006, as for a network drop, and is told nothing more. So a
 * connection that ends before any event arrived (and within 10 s), or never opens, is a failed
 * connection; after `reconnect.maxFailedConnections` of them in a row (default 8) the last is
 * reported to `onError` (`SUBSCRIPTION_FAILED`) and the subscription closes. Older servers
 * closed with 1008: that is reported at once (`SUBSCRIPTION_REJECTED`, once until a steady
 * connection) and counts as a failed connection too. A `WebSocket` constructor that throws (a
 * bad URL, a page's security policy) is final. Options are checked first: a `TypeError` before
 * anything is opened.
 *
 * ```ts
 * const events = subscribeEvents({ token, topics: [`customer_id:${customerId}:call`], onEvent });
 * ```
 */
export function subscribeEvents(options: SubscribeEventsOptions): EventSubscription {
  const settings = validate(options);
  const { url, credential, WebSocketClass, maxFrameBytes, reconnect } = settings;
  const { onEvent, onError, onStatus, signal } = options;
  const redact = redactor([url, credential]);
  const topics = new Set(settings.topics);

  let status: EventSocketStatus = 'connecting';
  let socket: WebSocketLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  /** Connections in a row that ended before an event arrived and before they were steady. */
  let failed = 0;
  const recent = new RecentKeys(RECENT_EVENTS);
  let openedAt: number | undefined;
  let heard = false;
  let rejectionReported = false;
  // Frames are handed on in order; a Blob is read asynchronously, and the frames after it wait.
  let reading: Promise<unknown> | undefined;

  const setStatus = (next: EventSocketStatus, info: EventSocketStatusInfo) => {
    status = next;
    onStatus?.(next, info);
  };
  // Blanks the URL and the credential from the error and every cause (a socket's own errors
  // may quote the URL) before anyone sees it.
  const report = (error: VoipbinEventError) =>
    onError?.(redactError(error, redact) as VoipbinEventError);
  const sendTopics = (list: string[]) =>
    socket?.send(JSON.stringify({ type: 'subscribe', topics: list }));

  const onOpen = () => {
    openedAt = Date.now();
    heard = false;
    setStatus('open', { attempt });
    if (socket?.readyState === OPEN) sendTopics([...topics]);
  };

  const onMessage = (message: { data: unknown }) => {
    const text = frameText(message.data, maxFrameBytes);
    if (reading === undefined && !(text instanceof Promise)) return deliver(text);
    const ready = (reading ?? Promise.resolve()).then(() => text);
    ready.then(deliver, () => deliver(null));
    const settled = ready.then(
      () => {},
      () => {},
    );
    reading = settled;
    void settled.then(() => {
      if (reading === settled) reading = undefined;
    });
  };

  const deliver = (text: string | null | VoipbinEventError) => {
    if (status === 'closed') return;
    if (text === null || text instanceof VoipbinEventError) {
      return report(
        text ??
          new VoipbinEventError(
            'UNREADABLE_FRAME',
            'An event frame could not be read as text; it was dropped',
          ),
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return report(
        new VoipbinEventError('UNREADABLE_FRAME', 'An event frame is not JSON; it was dropped'),
      );
    }
    const parsed = check(EventSchema, data);
    if (!parsed.success) {
      const list = parsed.issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`);
      return report(
        new VoipbinEventError(
          'NOT_AN_EVENT',
          `An event frame is not a VoIPBIN event; it was dropped. ${list.join('; ')}`,
          { issues: parsed.issues },
        ),
      );
    }
    // Only an event proves the connection good: an error frame before a close does not.
    heard = true;
    const key = eventKey(parsed.output);
    if (key !== null && recent.seen(key)) return; // the same frame from a second topic
    onEvent(parsed.output);
  };

  const onSocketError = (event: { error?: unknown; message?: unknown }) => {
    const cause = event?.error ?? (typeof event?.message === 'string' ? event.message : undefined);
    report(
      new VoipbinEventError(
        'CONNECTION_FAILED',
        "The event socket's connection failed",
        cause ? { cause } : {},
      ),
    );
  };

  const onClose = (event: { code?: number }) => {
    const code = typeof event?.code === 'number' ? event.code : 1006;
    if (socket !== undefined) unlisten(socket);
    socket = undefined;
    // A connection that carried an event (or lasted) starts the backoff over; a refused topic
    // does not, as it is refused again on every connection (it is reported again, though).
    const steady = heard || (openedAt !== undefined && Date.now() - openedAt >= STEADY_MS);
    if (steady) rejectionReported = false;
    if (steady && code !== POLICY_VIOLATION) attempt = 0;
    failed = steady ? 0 : failed + 1;
    openedAt = undefined;
    if (code === POLICY_VIOLATION && !rejectionReported) {
      rejectionReported = true;
      report(
        new VoipbinEventError(
          'SUBSCRIPTION_REJECTED',
          'VoIPBIN closed the event socket with 1008 (policy violation): a topic was refused; check each topic and that the credential may read it',
          { closeCode: code },
        ),
      );
    }
    if (status === 'closed') return; // onError closed it
    if (reconnect !== false && failed >= reconnect.maxFailedConnections) {
      report(
        new VoipbinEventError(
          'SUBSCRIPTION_FAILED',
          `${failed} event socket connection${failed === 1 ? '' : 's'} in a row ended before any event arrived (last close ${code}): VoIPBIN refused the subscription or is unreachable; check the topics (customer_id:<your customer id>..., agent_id:<your agent id>...) and that the credential may read them. The event subscription is closed`,
          { closeCode: code },
        ),
      );
      return finish({ attempt, code });
    }
    if (reconnect === false || attempt >= reconnect.maxAttempts) return finish({ attempt, code });
    attempt++;
    const ceiling = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * 2 ** (attempt - 1));
    const delayMs = Math.floor(Math.random() * ceiling);
    setStatus('reconnecting', { attempt, delayMs, code });
    if (status === 'reconnecting') timer = setTimeout(connect, delayMs);
  };

  const handlers = [
    ['open', onOpen],
    ['message', onMessage],
    ['error', onSocketError],
    ['close', onClose],
  ] as const;

  function connect() {
    timer = undefined;
    let next: WebSocketLike;
    try {
      next = new WebSocketClass(url);
    } catch (thrown) {
      report(
        new VoipbinEventError(
          'CONNECTION_FAILED',
          'The WebSocket constructor threw; the event subscription is closed',
          { cause: thrown },
        ),
      );
      return finish({ attempt });
    }
    socket = next;
    for (const [type, handler] of handlers) next.addEventListener(type, handler);
  }

  function unlisten(ws: WebSocketLike) {
    for (const [type, handler] of handlers) ws.removeEventListener(type, handler);
  }

  // Takes our listeners off a socket and closes it. A socket not yet closed keeps a listener
  // that swallows its last error until it closes: the `ws` package throws an error nobody hears.
  function detach(ws: WebSocketLike) {
    unlisten(ws);
    if (ws.readyState === CLOSED) return;
    const ignore = () => {};
    const done = () => {
      ws.removeEventListener('error', ignore);
      ws.removeEventListener('close', done);
    };
    ws.addEventListener('error', ignore);
    ws.addEventListener('close', done);
    ws.close(1000);
  }

  function finish(info: EventSocketStatusInfo) {
    if (status === 'closed') return;
    clearTimeout(timer);
    timer = undefined;
    signal?.removeEventListener('abort', close);
    if (socket !== undefined) detach(socket);
    socket = undefined;
    reading = undefined;
    setStatus('closed', info);
  }

  function close() {
    finish({ attempt });
  }

  if (signal?.aborted) {
    finish({ attempt });
  } else {
    signal?.addEventListener('abort', close);
    setStatus('connecting', { attempt });
    if (status === 'connecting') connect();
  }

  return {
    subscribe(more: string[]) {
      if (status === 'closed') throw new Error('The event subscription is closed');
      const added = checkTopics(more).filter((topic) => !topics.has(topic));
      for (const topic of added) topics.add(topic);
      if (added.length > 0 && socket?.readyState === OPEN) sendTopics(added);
    },
    close,
    get status() {
      return status;
    },
  };
}

function validate(options: SubscribeEventsOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('subscribeEvents needs options: { token or accessKey, topics, onEvent }');
  }
  const { accessKey, token } = options;
  if ((accessKey === undefined) === (token === undefined)) {
    throw new TypeError('subscribeEvents needs exactly one of `accessKey` and `token`');
  }
  const credential = accessKey ?? token;
  if (typeof credential !== 'string' || credential === '') {
    throw new TypeError('`accessKey` or `token` must be a non-empty string');
  }
  if (typeof options.onEvent !== 'function') {
    throw new TypeError('subscribeEvents needs an `onEvent` function');
  }
  const WebSocketClass =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor | undefined }).WebSocket;
  if (typeof WebSocketClass !== 'function') {
    throw new TypeError(
      "No global WebSocket here: pass one as `WebSocket` (on Node 20: `import { WebSocket } from 'undici'`)",
    );
  }
  const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) {
    throw new TypeError('`maxFrameBytes` must be a positive integer');
  }
  const reconnect =
    options.reconnect === false
      ? (false as const)
      : {
          initialDelayMs: options.reconnect?.initialDelayMs ?? 500,
          maxDelayMs: options.reconnect?.maxDelayMs ?? 30_000,
          maxAttempts: options.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY,
          maxFailedConnections: options.reconnect?.maxFailedConnections ?? 8,
        };
  if (reconnect) {
    const { initialDelayMs, maxDelayMs, maxAttempts, maxFailedConnections } = reconnect;
    if (!(Number.isFinite(initialDelayMs) && initialDelayMs >= 0)) {
      throw new TypeError('`reconnect.initialDelayMs` must be a number of milliseconds, 0 or more');
    }
    if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs)) {
      throw new TypeError('`reconnect.maxDelayMs` must be a number, at least `initialDelayMs`');
    }
    if (
      !(Number.isInteger(maxAttempts) || maxAttempts === Number.POSITIVE_INFINITY) ||
      maxAttempts < 0
    ) {
      throw new TypeError('`reconnect.maxAttempts` must be a whole number, 0 or more');
    }
    if (
      !(
        Number.isInteger(maxFailedConnections) || maxFailedConnections === Number.POSITIVE_INFINITY
      ) ||
      maxFailedConnections < 1
    ) {
      throw new TypeError(
        '`reconnect.maxFailedConnections` must be a whole number, 1 or more, or Infinity',
      );
    }
  }
  return {
    url: `${socketRoot(options.baseURL ?? DEFAULT_BASE_URL)}/ws?${accessKey === undefined ? 'token' : 'accesskey'}=${encodeURIComponent(credential)}`,
    credential,
    topics: checkTopics(options.topics),
    WebSocketClass,
    maxFrameBytes,
    reconnect,
  };
}

function socketRoot(baseURL: string): string {
  const schemes: Record<string, string> = {
    'https:': 'wss:',
    'http:': 'ws:',
    'wss:': 'wss:',
    'ws:': 'ws:',
  };
  let url: URL | undefined;
  try {
    url = new URL(baseURL);
  } catch {}
  const scheme = url && schemes[url.protocol];
  // The URL is not quoted: a base URL may carry a credential too.
  if (url === undefined || scheme === undefined) {
    throw new TypeError(
      '`baseURL` must be an http(s) or ws(s) URL such as https://api.voipbin.net/v1.0',
    );
  }
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function checkTopics(topics: unknown): string[] {
  if (!Array.isArray(topics) || topics.length === 0) {
    throw new TypeError('`topics` must list at least one topic, e.g. `customer_id:<id>:call`');
  }
  for (const topic of topics) {
    if (typeof topic !== 'string' || topic.trim() === '') {
      throw new TypeError('Each topic must be a non-empty string, e.g. `customer_id:<id>:call`');
    }
  }
  return [...new Set(topics as string[])];
}

/**
 * What makes two frames the same event: the kind, the type, the resource id, its version
 * (`tm_update`, or `tm_create` for a resource never updated) and its status. `null` (always
 * handed on) for a frame without an id or either time.
 */
function eventKey(event: Event): string | null {
  const data = event.data as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null) return null;
  const { id, status, tm_update: updated, tm_create: created } = data;
  if (typeof id !== 'string' || id === '') return null;
  const version =
    typeof updated === 'string' && updated !== ''
      ? updated
      : typeof created === 'string' && created !== ''
        ? `created ${created}`
        : null;
  if (version === null) return null;
  return JSON.stringify([event.kind, event.type, id, version, status ?? null]);
}

/** A frame's text; a Blob's comes later; a frame too large or not text is an error. */
function frameText(data: unknown, max: number): string | Promise<string> | VoipbinEventError {
  const tooLarge = (bytes: number) =>
    new VoipbinEventError(
      'FRAME_TOO_LARGE',
      `An event frame of at least ${bytes} bytes is over maxFrameBytes (${max}); it was dropped`,
    );
  if (typeof data === 'string') {
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: encode only when the length cannot tell.
    const bytes =
      data.length > max || data.length * 3 <= max
        ? data.length
        : new TextEncoder().encode(data).length;
    return bytes > max ? tooLarge(bytes) : data;
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return data.byteLength > max ? tooLarge(data.byteLength) : new TextDecoder().decode(data);
  }
  const blob = data as { size?: unknown; text?: unknown } | null;
  if (typeof blob?.size === 'number' && typeof blob.text === 'function') {
    return blob.size > max ? tooLarge(blob.size) : (blob as Blob).text();
  }
  return new VoipbinEventError(
    'UNREADABLE_FRAME',
    'An event frame is neither text nor binary; it was dropped',
  );
}
