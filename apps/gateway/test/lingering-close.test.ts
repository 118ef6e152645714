/**
 * The Node entry's lingering close (src/runtime/lingering-close.ts) on a real `createServer`: a
 * client still sending an oversized body reads its 413 instead of a reset, and the rest of the
 * body is read within bounds (time, bytes) only.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator } from '@voipbin-kit/emulator';
import { runProcess } from '@voipbin-kit/process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.ts';
import { type LingerOptions, lingeringClose } from '../src/runtime/lingering-close.ts';
import { oversizedUpload, upload } from './support/oversized.ts';

const LIMIT = 1024;
const MiB = 1024 * 1024;
const CURL = '/usr/bin/curl';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A gateway with a 1 KiB body limit behind Node's `createServer`, as the Node entry has it. */
async function serve(options?: LingerOptions): Promise<string> {
  const gateway = createGateway({
    upstream: { kind: 'emulator', emulator: createEmulator({ clock: 'manual' }) },
    security: { limits: { bodyBytes: LIMIT } },
  });
  const server = createServer(lingeringClose(gateway.yoga, options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
}

const status = (answer: string) => /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];

describe('a 413 a client still sending can read (lingering close on the Node entry)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lingering-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers Node's fetch POSTing 20 MiB with the 413 and its JSON body, no exception", async () => {
    const url = await serve();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array(20 * MiB),
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        errors: [
          {
            message: 'Request body too large',
            extensions: {
              code: 'REQUEST_ENTITY_TOO_LARGE',
              requestId: response.headers.get('x-request-id'),
            },
          },
        ],
      });
    }
  });

  it.skipIf(!existsSync(CURL))(
    'answers curl --data-binary @file of 20 MiB with 413, curl exiting 0 (with and without Expect: 100-continue)',
    async () => {
      const url = await serve();
      const file = join(dir, 'big.json');
      writeFileSync(file, Buffer.alloc(20 * MiB, 'x'));
      for (const extra of [[], ['-H', 'Expect:']]) {
        const curl = await run(CURL, [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '-H',
          'content-type: application/json',
          ...extra,
          '--data-binary',
          `@${file}`,
          '--max-time',
          '20',
          url,
        ]);
        expect(curl.stdout).toBe('413');
        expect(curl.code, curl.stderr).toBe(0);
      }
    },
  );

  it('lets a client send all it declared, reads the 413 and closes cleanly: no EPIPE, no reset', async () => {
    const url = await serve();
    const sent = await upload(url, 20 * MiB);
    expect(status(sent.answer)).toBe('413');
    expect(sent.answer).toContain('REQUEST_ENTITY_TOO_LARGE');
    expect(sent.error).toBeUndefined();
    expect(sent.sent).toBe(20 * MiB);
  });

  it('cuts off a client that never finishes after the time bound (slowloris)', async () => {
    const url = await serve({ ms: 300 });
    const slow = await upload(url, 10 * MiB, { trickleMs: 20, giveUpMs: 15_000 });
    expect(status(slow.answer)).toBe('413');
    // Cut by the server, before this client gave up; and not before the bound (a timer never
    // fires early, so this lower bound holds on any machine).
    expect(slow.gaveUp).toBe(false);
    expect(slow.ms).toBeGreaterThanOrEqual(250);
  });

  it('cuts off a client that sends more than the byte bound', async () => {
    const url = await serve({ bytes: 1 * MiB });
    const big = await upload(url, 64 * MiB, { giveUpMs: 15_000 });
    expect(status(big.answer)).toBe('413');
    expect(big.error).toMatch(/^(EPIPE|ECONNRESET)$/);
    expect(big.sent).toBeLessThan(64 * MiB);
    expect(big.gaveUp).toBe(false);
  });

  it('still answers 413 at once and closes the connection (test/runtimes oversizedUpload)', async () => {
    const url = await serve();
    // Closed by the server within 3 s: not after the 5 s a lingering close allows.
    const { head, closed } = await oversizedUpload(url, 10 * MiB, 3_000);
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
  });

  it('keeps other answers as they were: a request after a 413 on a new connection is served', async () => {
    const url = await serve();
    expect((await upload(url, 2 * MiB)).answer).toMatch(/^HTTP\/1\.1 413 /);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

/** Runs `command` without blocking this process's event loop (the server runs in it). */
async function run(command: string, args: string[]) {
  const { code, stdout, stderr } = await runProcess({ command, args });
  return { code: code ?? 1, stdout, stderr };
}
