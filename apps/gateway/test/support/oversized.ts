import { connect } from 'node:net';

/**
 * Starts an upload that declares `declared` bytes over a raw socket, sends only its first KB,
 * and waits (at most `ms`) for the server to answer and close the connection. Returns the status
 * line and headers of the answer, and whether the server closed the socket before the upload
 * ended (a server that reads and discards the rest would keep taking bytes).
 */
export function oversizedUpload(
  url: string,
  declared: number,
  ms = 5_000,
): Promise<{ head: string; closed: boolean }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ head: answer.split('\r\n\r\n')[0] ?? '', closed: false });
    }, ms);
    const done = () => {
      clearTimeout(timer);
      resolve({ head: answer.split('\r\n\r\n')[0] ?? '', closed: true });
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('end', done);
    socket.once('close', done);
    // A reset after the answer is the server closing too.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (answer) return;
      clearTimeout(timer);
      reject(error);
    });
    socket.write(
      `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`,
    );
    socket.write('{"query":"'.padEnd(1024, 'x'));
  });
}

export interface Upload {
  /** What the server answered, as read. */
  answer: string;
  /** The socket's error (EPIPE, ECONNRESET), if any. */
  error: string | undefined;
  /** Bytes of the body the client handed its socket. */
  sent: number;
  /** Milliseconds from the first byte to the connection closing. */
  ms: number;
  /** Whether this client gave up (`giveUpMs`) before the server closed the connection. */
  gaveUp: boolean;
}

/**
 * POSTs a body declaring `declared` bytes over a raw socket, as a client that goes on sending
 * whatever comes back (a browser, an upload tool): `total` bytes (all declared by default) as
 * fast as the socket takes them, or one byte every `trickleMs`. Resolves when the connection
 * closes, or after `giveUpMs`.
 */
export function upload(
  url: string,
  declared: number,
  {
    total = declared,
    trickleMs,
    giveUpMs = 10_000,
  }: { total?: number; trickleMs?: number; giveUpMs?: number } = {},
): Promise<Upload> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    // Half-open: the server's FIN (its answer is complete) does not stop this client sending.
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let answer = '';
    let error: string | undefined;
    let sent = 0;
    let ticker: NodeJS.Timeout | undefined;
    let gaveUp = false;
    const finish = () => {
      clearInterval(ticker);
      clearTimeout(giveUp);
      resolve({ answer, error, sent, ms: Date.now() - started, gaveUp });
    };
    const giveUp = setTimeout(() => {
      gaveUp = true;
      socket.destroy();
    }, giveUpMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code;
    });
    socket.once('close', finish);
    socket.write(
      `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`,
    );
    if (trickleMs !== undefined) {
      ticker = setInterval(() => {
        if (socket.writable && sent < total) {
          socket.write('x');
          sent++;
        }
      }, trickleMs);
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (sent < total && socket.writable) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (socket.writable) socket.end();
    };
    pump();
  });
}
