/**
 * The upstream client's `fetch` on Node: undici's `request` on the gateway's own connection pool,
 * answered as @whatwg-node's `Response` (the one Yoga itself answers with on Node) around the
 * body, read in full.
 *
 * Node's global fetch wraps the same undici in the whole WHATWG machinery: a Request, header
 * guards, signal plumbing and a web stream for each body. On Node 20 creating one ReadableStream
 * alone costs about 6 µs, and a `new Response(text)` read back with `.text()` 17 µs; @whatwg-node's
 * Response costs under 1 µs. For one small JSON exchange per mutation that is most of the
 * difference (docs/PERFORMANCE.md). The Node entry hands this to the core client when calls go
 * to VoIPBIN; Bun, Deno and Workers keep their native fetch, which has no such overhead to shed.
 *
 * As fetch: `user-agent: node` unless one is given; undici's keep-alive (4 s, or the server's
 * `Keep-Alive` hint), as Node's fetch; an answer encoded with gzip, deflate (zlib or raw) or br
 * is decoded (by zlib's asynchronous forms, in libuv's thread pool, so that a large answer does
 * not block the event loop), one in a coding fetch does not know either is handed over as sent,
 * headers and all; a HEAD or a 204/205/304 answers a null body; a header sent twice is one, its
 * values joined (`set-cookie` apart); a status outside 200-599 rejects; an aborted exchange
 * rejects with the signal's reason, any other failure with a TypeError that names no URL (a body
 * that cannot be decoded: its cause names the status, which tells that the server did answer).
 * Unlike fetch: redirects are not followed (a 3xx reaches the client as it is: VoIPBIN's API does
 * not redirect); `accept-encoding: identity` is asked unless one is given (VoIPBIN's answers are
 * small); the body is read before the promise resolves (the client reads it in full anyway,
 * under its own deadline, which the `signal` carries here); an answer is bounded, 16 MiB as sent
 * (compressed or not) and 16 MiB decoded: a `content-length` over the bound is refused before
 * the body is read, and a body that grows past it is dropped (the connection closed) as soon as
 * more arrives, both rejecting with a TypeError that names no URL. Inputs this path does not
 * handle (a `Request`, a stream or form body) go to the global fetch unchanged.
 */
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';
import { Response } from '@whatwg-node/fetch';
import { Agent, errors, request } from 'undici';

type Fetch = typeof fetch;

export interface NodeFetch extends Fetch {
  /** Closes the pool's idle connections (on shutdown). */
  close(): Promise<void>;
}

/** Statuses whose `Response` has no body. */
const NULL_BODY = new Set([204, 205, 304]);

/** The most a decoded answer may take: VoIPBIN's answers are kilobytes. */
const MAX_DECODED_BYTES = 16 * 1024 * 1024;

/** The most an answer's body may take as sent (compressed or not), read before it is decoded. */
const MAX_RAW_BYTES = 16 * 1024 * 1024;

const limit = { maxOutputLength: MAX_DECODED_BYTES };

// The asynchronous forms run in libuv's thread pool: a large answer does not block the event loop.
const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliDecompressAsync = promisify(brotliDecompress);

/** A zlib stream starts with a 2-byte header (RFC 1950); servers also send raw deflate, as fetch reads. */
const isZlib = (bytes: Uint8Array) =>
  bytes.length >= 2 &&
  ((bytes[0] as number) & 0x0f) === 8 &&
  (((bytes[0] as number) << 8) | (bytes[1] as number)) % 31 === 0;

type Decoder = (bytes: Uint8Array) => Promise<Uint8Array>;

const DECODERS: Record<string, Decoder> = {
  gzip: (bytes) => gunzipAsync(bytes, limit),
  'x-gzip': (bytes) => gunzipAsync(bytes, limit),
  deflate: (bytes) => (isZlib(bytes) ? inflateAsync(bytes, limit) : inflateRawAsync(bytes, limit)),
  br: (bytes) => brotliDecompressAsync(bytes, limit),
};

/**
 * The body as sent, undone (codings apply in the order listed, so they are undone in reverse),
 * or `undefined` when a coding is one fetch does not know either: then the body and its headers
 * reach the caller as sent, as fetch does. Rejects past 16 MiB decoded. Exported for its tests.
 */
export async function decoded(
  bytes: Uint8Array,
  codings: readonly string[],
): Promise<Uint8Array | undefined> {
  if (!codings.every((coding) => coding in DECODERS)) return undefined;
  let body = bytes;
  for (const coding of [...codings].reverse()) body = await (DECODERS[coding] as Decoder)(body);
  return body;
}

/**
 * A fetch on undici's `request`, with its own connection pool; `options` are undici's `Agent`
 * options, but for `maxResponseSize`, which is this fetch's bound on a body as sent (16 MiB).
 */
export function createNodeFetch(options: ConstructorParameters<typeof Agent>[0] = {}): NodeFetch {
  // undici counts the body's bytes as they arrive and closes the connection once more came.
  const dispatcher = new Agent({ ...options, maxResponseSize: MAX_RAW_BYTES });

  const nodeFetch = async (input: Parameters<Fetch>[0], init: RequestInit = {}) => {
    const body = init.body;
    if (
      input instanceof Request ||
      !(
        body === undefined ||
        body === null ||
        typeof body === 'string' ||
        body instanceof Uint8Array
      )
    ) {
      return fetch(input, init);
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    headers['user-agent'] ??= 'node';
    headers['accept-encoding'] ??= 'identity';
    let status: number;
    let answerHeaders: Record<string, string | string[] | undefined>;
    let bytes: Uint8Array;
    try {
      const answer = await request(input instanceof URL ? input : String(input), {
        dispatcher,
        method: method as 'GET',
        headers,
        body: body ?? null,
        signal: init.signal ?? null,
      });
      status = answer.statusCode;
      answerHeaders = answer.headers;
      // An announced length over the bound is refused before reading (a HEAD or a 204/205/304
      // may announce any: it has no body).
      if (
        method !== 'HEAD' &&
        !NULL_BODY.has(status) &&
        Number(answerHeaders['content-length']) > MAX_RAW_BYTES
      ) {
        answer.body.destroy();
        throw new errors.ResponseExceededMaxSizeError();
      }
      bytes = await answer.body.bytes();
    } catch (error) {
      // As fetch does: an aborted exchange rejects with the signal's reason, others with a
      // TypeError whose cause is what went wrong (neither names the URL).
      if (init.signal?.aborted) throw init.signal.reason;
      throw new TypeError('fetch failed', { cause: error });
    }
    if (status < 200 || status > 599) {
      throw new TypeError('fetch failed', { cause: new RangeError(`HTTP status ${status}`) });
    }
    const empty = method === 'HEAD' || NULL_BODY.has(status);
    const codings = [answerHeaders['content-encoding'] ?? '']
      .flat()
      .join(',')
      .split(',')
      .map((coding) => coding.trim().toLowerCase())
      .filter((coding) => coding && coding !== 'identity');
    // Nothing to decode in an empty body, whatever its headers say (a HEAD, a 204, an empty 404).
    let plain: Uint8Array | undefined;
    if (!empty && bytes.length > 0 && codings.length > 0) {
      try {
        plain = await decoded(bytes, codings);
      } catch (error) {
        // The status says VoIPBIN answered (a 201: the call was placed): keep it in the error.
        throw new TypeError('fetch failed', {
          cause: new Error(`the ${status} answer could not be decoded (${codings.join(', ')})`, {
            cause: error,
          }),
        });
      }
    }
    const responseHeaders: [string, string][] = [];
    for (const [name, value] of Object.entries(answerHeaders)) {
      if (value === undefined) continue;
      // A decoded body is handed over as such: its coding and length no longer apply.
      if (plain && (name === 'content-encoding' || name === 'content-length')) continue;
      // One header a name, its values joined, as fetch's Headers keeps them; cookies one by one.
      if (name === 'set-cookie')
        for (const cookie of [value].flat()) responseHeaders.push([name, cookie]);
      else responseHeaders.push([name, [value].flat().join(', ')]);
    }
    // undici's bytes never sit on a SharedArrayBuffer, which is all the type leaves open.
    return new Response(empty ? null : ((plain ?? bytes) as Uint8Array<ArrayBuffer>), {
      status,
      headers: responseHeaders,
    }) as unknown as globalThis.Response;
  };

  return Object.assign(nodeFetch as Fetch, { close: () => dispatcher.close() });
}
