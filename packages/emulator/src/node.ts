import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server } from 'srvx';
import { serve } from 'srvx/node';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Emulator as FullEmulator } from './create.ts';
import { WS_PING_INTERVAL_MS, WS_PONG_TIMEOUT_MS } from './sockets.ts';

/**
 * What the adapter uses of an emulator. Not the whole type: this entry is bundled apart, and
 * the in-memory WebSocket class (private fields) would make its copy of the type nominally
 * different from the one `@voipbin-kit/emulator` exports.
 */
type Emulator = Pick<FullEmulator, 'fetch' | 'sockets'>;

export interface ListenOptions {
  /** Default 9000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator is for this machine. */
  hostname?: string;
  /** Bodies larger than this answer 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Milliseconds between the event WebSocket's pings. Default VoIPBIN's, 10 s. */
  wsPingIntervalMs?: number;
  /**
   * A socket that answers no ping for this long (since it opened or its last pong) is cut off,
   * with no close frame (1006). Default VoIPBIN's, 60 s.
   */
  wsPongTimeoutMs?: number;
}

/** The largest message a WebSocket client may send (a subscribe is a few hundred bytes). */
const MAX_WS_MESSAGE_BYTES = 64 * 1024;
/** How long `close()` waits for clients to answer its close frame before cutting them off. */
const WS_CLOSE_GRACE_MS = 1_000;

export interface RunningEmulator {
  /** The API root, e.g. `http://127.0.0.1:9000/v1.0`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves an emulator over HTTP on Node (the handler itself is runtime-agnostic), and its event
 * WebSocket at `/v1.0/ws` (upgrades elsewhere, or with no valid credential, are refused with
 * VoIPBIN's error body: 404, 401).
 */
export async function listen(
  emulator: Emulator,
  options: ListenOptions = {},
): Promise<RunningEmulator> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const server: Server = serve({
    port: options.port ?? 9000,
    hostname: options.hostname ?? '127.0.0.1',
    silent: true,
    async fetch(request) {
      if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) {
        return new Response(null, { status: 413 });
      }
      try {
        return await emulator.fetch(capped(request, maxBodyBytes));
      } catch (error) {
        // A body with no Content-Length (chunked) that grew past the limit as it was read.
        if (error instanceof BodyTooLargeError) return new Response(null, { status: 413 });
        // By name: this adapter may be bundled apart from the emulator it serves.
        if (!(error instanceof Error && error.name === 'DroppedConnectionError')) throw error;
        // A dropped connection: no answer at all, as when a network path breaks.
        request.runtime?.node?.req.socket.destroy();
        return new Response(null, { status: 502 });
      }
    },
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  server.node?.server?.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    upgrade(emulator, sockets, request, socket, head, {
      pingMs: options.wsPingIntervalMs ?? WS_PING_INTERVAL_MS,
      pongMs: options.wsPongTimeoutMs ?? WS_PONG_TIMEOUT_MS,
    }),
  );
  await server.ready();
  const url = new URL(
    server.url ?? `http://${options.hostname ?? '127.0.0.1'}:${options.port ?? 9000}/`,
  );
  return {
    url: `${url.origin}/v1.0`,
    port: Number(url.port),
    async close() {
      // The server's close waits for every connection, upgraded ones included: close them first.
      await closeAll(sockets);
      await server.close(true);
    },
  };
}

/** A WebSocket handshake: refused with VoIPBIN's error body, or bridged to the emulator's hub. */
function upgrade(
  emulator: Emulator,
  sockets: WebSocketServer,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  keepAlive: { pingMs: number; pongMs: number },
) {
  socket.on('error', () => socket.destroy());
  // Only what the credential is read from: the cookie and Authorization headers, and the URL.
  const headers = new Headers();
  for (const name of ['cookie', 'authorization'] as const) {
    const value = request.headers[name];
    if (value) headers.set(name, value);
  }
  const accepted = emulator.sockets.accept(
    new Request(new URL(request.url ?? '/', 'http://emulator'), { headers }),
  );
  if (accepted instanceof Response) {
    void refuse(socket, accepted);
    return;
  }
  sockets.handleUpgrade(request, socket, head, (ws) => {
    const connection = emulator.sockets.attach(accepted.customerId, {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
      drop: () => ws.terminate(),
    });
    ws.on('message', (data, isBinary) => connection.receive(String(data), isBinary));
    // As VoIPBIN: a ping every pingMs; the read deadline is pongMs after the last pong (the
    // client's messages do not move it), and past it the connection is cut, no close frame.
    // Both timers are unref'd, so an idle socket keeps no process alive.
    const pinger = setInterval(() => ws.ping(), keepAlive.pingMs);
    const deadline = setTimeout(() => ws.terminate(), keepAlive.pongMs);
    pinger.unref();
    deadline.unref();
    ws.on('pong', () => deadline.refresh());
    ws.on('close', () => {
      clearInterval(pinger);
      clearTimeout(deadline);
      connection.closed();
    });
    // An error (a frame too large, a protocol error) is followed by close: nothing else to do.
    ws.on('error', () => {});
  });
}

/** Answers a refused handshake over the raw socket, then closes it. */
async function refuse(socket: Duplex, response: Response) {
  const body = await response.text();
  const head = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    ...[...response.headers].map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Closes every client with 1001 (going away); those that do not answer in time are cut off. */
async function closeAll(sockets: WebSocketServer) {
  const clients = [...sockets.clients];
  await Promise.all(
    clients.map(
      (ws: WebSocket) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          const timer = setTimeout(() => ws.terminate(), WS_CLOSE_GRACE_MS);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close(1001, 'emulator closing');
        }),
    ),
  );
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The request with its body counted as it is read: past `max` bytes, reading it fails. */
function capped(request: Request, max: number): Request {
  if (!request.body) return request;
  let size = 0;
  const body = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > max) controller.error(new BodyTooLargeError());
        else controller.enqueue(chunk);
      },
    }),
  );
  const { method, headers, signal } = request;
  // Node requires `duplex` with a stream body; lib.dom's RequestInit does not list it.
  return new Request(request.url, { method, headers, signal, body, duplex: 'half' } as RequestInit);
}
