import type { Server } from 'srvx';
import { serve } from 'srvx/node';
import type { Emulator } from './emulator.ts';

export interface ListenOptions {
  /** Default 9000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator is for this machine. */
  hostname?: string;
  /** Bodies larger than this answer 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RunningEmulator {
  /** The API root, e.g. `http://127.0.0.1:9000/v1.0`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves an emulator over HTTP on Node (the handler itself is runtime-agnostic). */
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
  await server.ready();
  const url = new URL(
    server.url ?? `http://${options.hostname ?? '127.0.0.1'}:${options.port ?? 9000}/`,
  );
  return {
    url: `${url.origin}/v1.0`,
    port: Number(url.port),
    close: () => server.close(true),
  };
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
