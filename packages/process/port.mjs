// A free TCP port on loopback, for a server a test or the bench starts.
import { createServer } from 'node:net';

/** A TCP port free now on 127.0.0.1 (the OS picks it; a server may still take it before you). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
