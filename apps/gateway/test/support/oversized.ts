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
