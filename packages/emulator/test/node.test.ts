/**
 * `listen()`, the Node adapter: a body larger than `maxBodyBytes` answers 413, whether its
 * size is announced (Content-Length) or not (chunked), and nothing is placed.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/index.ts';
import { listen, type RunningEmulator } from '../src/node.ts';
import { conforming } from './support/conforming.ts';

const MAX = 1_024;

/** A call request of about `size` bytes (a long talk). */
function callOf(size: number): string {
  return JSON.stringify({
    source: { type: 'tel', target: '+821028286521' },
    destinations: [{ type: 'tel', target: '+821021656521' }],
    actions: [{ type: 'talk', option: { text: 'a'.repeat(Math.max(1, size - 150)) } }],
  });
}

/** POSTs `body` to `POST /calls` over HTTP, in 256-byte chunks when `chunked`. */
function post(
  running: RunningEmulator,
  body: string,
  chunked: boolean,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = Buffer.byteLength(body);
    const request = httpRequest(
      `${running.url}/calls?token=node-test-token`,
      { method: 'POST', headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    // The server may answer 413 and close before it has read everything: not a failure.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    for (let i = 0; i < body.length; i += 256) request.write(body.slice(i, i + 256));
    request.end();
  });
}

describe('listen() and maxBodyBytes', () => {
  let emulator: Emulator;
  let running: RunningEmulator | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function start() {
    emulator = conforming(createEmulator());
    running = await listen(emulator, { port: 0, maxBodyBytes: MAX });
    return running;
  }

  it.each([
    ['announced by Content-Length', false],
    ['sent chunked, with no Content-Length', true],
  ])('a body over the limit, %s, answers 413 and places nothing', async (_how, chunked) => {
    const server = await start();
    const answer = await post(server, callOf(4 * MAX), chunked);
    expect(answer.status).toBe(413);
    expect(emulator.calls()).toEqual([]);
  });

  it.each([
    ['announced by Content-Length', false],
    ['sent chunked', true],
  ])('a body within the limit, %s, is served', async (_how, chunked) => {
    const server = await start();
    const body = callOf(MAX - 100);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX);
    const answer = await post(server, body, chunked);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).calls[0].status).toBe('dialing');
  });
});
