/**
 * Lingering close for the Node entry, as nginx does it (`lingering_close`): after a 413 answered
 * before the body was read (src/security/body-limit.ts, `connection: close`), read the rest of
 * the body and throw it away, within bounds, before closing the connection.
 *
 * Node's server otherwise closes the socket as soon as the answer is written, with the body's
 * rest still arriving: the kernel answers those bytes with a reset, and a client still sending
 * (a browser, Node's fetch, curl, an upload over a slow link) sees EPIPE or ECONNRESET, often
 * before it reads the 413. Here the answer is written and the sending side closed (FIN: the
 * answer is complete), and the connection is closed for good once the client has sent all it
 * declared or closed its side, or past a bound: `ms` from the answer, or `bytes` read after it.
 *
 * Node calls `socket.destroySoon()` once it has written an answer after which the connection
 * closes; for a 413 with an unread body, this replaces it, on that socket, for that one call.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long a rejected upload may go on sending, from its answer: 5 s, nginx's
 * `lingering_timeout`, time for what was in flight to arrive and for the client to read the
 * answer; then the connection is cut as it was before.
 */
export const LINGER_MS = 5_000;
/**
 * How much of a rejected upload is read and thrown away: 64 MiB, a few seconds of a fast link
 * (a 20 MiB upload drains in well under a second on loopback or a LAN). Nothing is kept.
 */
export const LINGER_BYTES = 64 * 1024 * 1024;

export interface LingerOptions {
  /** Milliseconds from the answer; default `LINGER_MS`. */
  ms?: number;
  /** Bytes of the body read after the answer; default `LINGER_BYTES`. */
  bytes?: number;
}

/** Back to `Socket.prototype.destroySoon`. */
const restore = (socket: Socket) => Reflect.deleteProperty(socket, 'destroySoon');

/** `listener`, with a lingering close after a 413 whose body was not all read. */
export function lingeringClose(
  listener: RequestListener,
  { ms = LINGER_MS, bytes = LINGER_BYTES }: LingerOptions = {},
): RequestListener {
  return (req, res) => {
    // Before Node's own 'finish' handler, which would discard the body without a word (and
    // close the socket): the status is known, nothing is flushed yet.
    res.once('prefinish', () => {
      if (res.statusCode === 413 && !req.complete) linger(req, res, ms, bytes);
    });
    return listener(req, res);
  };
}

function linger(req: IncomingMessage, res: ServerResponse, ms: number, bytes: number) {
  const socket = req.socket;
  let read = 0;
  let armed: (() => void) | undefined;
  // Counted from now; the bounds hold once Node has decided to close (below). Keep-alive
  // (a 413 without `connection: close`) would read the rest anyway.
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > bytes) armed?.();
  });
  req.resume();
  socket.destroySoon = () => {
    restore(socket);
    if (req.complete || socket.destroyed || read > bytes) {
      socket.destroySoon();
      return;
    }
    // The answer's end (FIN); the reading side stays open (Node's HTTP sockets allow half-open).
    socket.end();
    const cut = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(cut, ms);
    timer.unref();
    armed = cut;
    // All it declared, or the client closing its side: nothing left to read, close cleanly.
    req.once('end', () => {
      clearTimeout(timer);
      socket.destroySoon();
    });
    socket.once('end', cut);
    socket.once('close', () => clearTimeout(timer));
  };
  res.once('close', () => {
    // The answer never finished (the socket died first): leave the socket as Node has it.
    if (!res.writableFinished) restore(socket);
  });
}
