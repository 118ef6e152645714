/**
 * The Node entry's upstream fetch (src/runtime/node-fetch.ts): what the core client needs of a
 * fetch, over real loopback HTTP: the exchange as sent, the answer as a Response (decoded, null
 * bodies where fetch has them), the client's deadline, network failures and odd statuses, one
 * pooled connection, the inputs it hands to global fetch, and the bounds on a large answer.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import {
  createClient,
  TalkActionSchema,
  talk,
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinTimeoutError,
} from '@voipbin-kit/core';
import { createEmulator } from '@voipbin-kit/emulator';
import { listen, type RunningEmulator } from '@voipbin-kit/emulator/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch, decoded, type NodeFetch } from '../../src/runtime/node-fetch.ts';

const ACCESS_KEY = 'CANARY-node-fetch-key';
const MiB = 1024 * 1024;

/** An error's messages and its causes', as far as they go. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    parts.push(`${e.name}: ${e.message}`);
  }
  return parts.join(' <- ');
}

/** A JSON answer of about `bytes`, as compressible as real ones (not a run of one letter). */
function bigJson(bytes: number): string {
  const texts = Array.from({ length: 64 }, () => randomBytes(24).toString('base64'));
  const calls = Array.from({ length: Math.ceil(bytes / 90) }, (_, i) => ({
    id: `${i}`.padStart(12, '0'),
    status: i % 3 ? 'progressing' : 'hangup',
    text: texts[i % texts.length],
  }));
  return JSON.stringify({ result: calls });
}

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let handler: (seen: Seen, res: ServerResponse) => void;
const seen: Seen[] = [];
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const entry = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(entry);
      handler(entry, res);
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let nodeFetch: NodeFetch;
beforeAll(() => {
  nodeFetch = createNodeFetch();
});
afterAll(() => nodeFetch.close());
afterEach(() => {
  seen.length = 0;
});

describe('createNodeFetch', () => {
  it('sends the method, headers and body as given, and answers a Response with status, headers and text', async () => {
    handler = (_, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      res.end('{"ok":true}');
    };
    const response = await nodeFetch(`${base}/v1.0/calls?accesskey=k`, {
      method: 'post',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer t' }),
      body: '{"a":1}',
    });
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/v1.0/calls?accesskey=k',
        body: '{"a":1}',
        headers: expect.objectContaining({
          'content-type': 'application/json',
          authorization: 'Bearer t',
        }),
      }),
    ]);
    // The default headers of fetch, and none over what was given.
    expect(seen[0]?.headers['user-agent']).toBe('node');
    expect(seen[0]?.headers['accept-encoding']).toBe('identity');
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers a 204 with no body, and an error status as a Response (not a rejection)', async () => {
    handler = (_, res) => {
      res.writeHead(204);
      res.end();
    };
    const empty = await nodeFetch(`${base}/x`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    handler = (_, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"status":"UNAVAILABLE"}');
    };
    const failed = await nodeFetch(`${base}/x`);
    expect(failed.status).toBe(503);
    expect(await failed.text()).toBe('{"status":"UNAVAILABLE"}');
  });

  it('decodes a gzip, deflate or br answer (and one coded twice), as fetch does', async () => {
    const json = JSON.stringify({ calls: [{ id: 'c1', text: 'x'.repeat(2000) }] });
    const coded: [string, Buffer][] = [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
      ['deflate', deflateRawSync(json)], // raw deflate, no zlib header: fetch reads it too
      ['deflate, gzip', gzipSync(deflateSync(json))],
    ];
    for (const [encoding, bytes] of coded) {
      handler = (_, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
        res.end(bytes);
      };
      const response = await nodeFetch(`${base}/coded`);
      expect(await response.text(), encoding).toBe(json);
      expect(response.headers.get('content-encoding')).toBeNull();
    }
  });

  it('decodes nothing in an empty body, whatever it claims: HEAD, 204, an empty 404', async () => {
    handler = (entry, res) => {
      const status = entry.url === '/none' ? 204 : entry.url === '/missing' ? 404 : 200;
      res.writeHead(status, { 'content-encoding': 'gzip' });
      res.end();
    };
    const head = await nodeFetch(`${base}/h`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, null]);
    const none = await nodeFetch(`${base}/none`);
    expect([none.status, none.body]).toEqual([204, null]);
    const missing = await nodeFetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
  });

  it('hands an answer in a coding it does not know over as sent, with its headers', async () => {
    handler = (_, res) => {
      res.writeHead(200, { 'content-encoding': 'compress', 'content-length': '5' });
      res.end('?????');
    };
    const response = await nodeFetch(`${base}/lzw`);
    expect(response.headers.get('content-encoding')).toBe('compress');
    expect(await response.text()).toBe('?????');
  });

  it('rejects an answer it cannot decode, naming the status it came with', async () => {
    handler = (_, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('not gzip at all');
    };
    const error = await nodeFetch(`${base}/calls`, { method: 'POST', body: '{}' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).cause)).toMatch(/the 201 answer could not be decoded \(gzip\)/);
  });

  it('keeps a header sent twice as one, its values joined, and every cookie', async () => {
    handler = (_, res) => {
      res.setHeader('x-multi', ['a', 'b']);
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('ok');
    };
    const response = await nodeFetch(`${base}/multi`);
    expect([...response.headers].filter(([name]) => name === 'x-multi')).toEqual([
      ['x-multi', 'a, b'],
    ]);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('answers a HEAD with a null body; keeps the answer without a content-type it never had', async () => {
    handler = (_, res) => {
      res.writeHead(200, { 'x-seen': 'yes' });
      res.end();
    };
    const head = await nodeFetch(`${base}/h`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(head.headers.get('x-seen')).toBe('yes');
    handler = (_, res) => res.end('plain');
    const plain = await nodeFetch(`${base}/p`);
    expect(plain.headers.get('content-type')).toBeNull();
    expect(await plain.text()).toBe('plain');
  });

  it('rejects an answer whose status is outside 200-599 with a TypeError, as fetch does', async () => {
    // node:http refuses to write such a status: answer from a raw socket.
    const raw = createTcpServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 600 Odd\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'),
      );
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const error = await nodeFetch(
        `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(String((error as Error).cause)).toMatch(/600/);
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('keeps one connection alive across sequential exchanges', async () => {
    handler = (_, res) => res.end('ok');
    const before = connections;
    for (let i = 0; i < 5; i++) expect(await (await nodeFetch(`${base}/ping`)).text()).toBe('ok');
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('rejects with the signal’s reason when aborted, and with a TypeError naming no URL when the connection fails', async () => {
    handler = () => {}; // never answers
    const reason = new DOMException('no answer within 50 ms', 'TimeoutError');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    await expect(nodeFetch(`${base}/slow`, { signal: controller.signal })).rejects.toBe(reason);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await nodeFetch(`http://127.0.0.1:${port}/v1.0/calls?accesskey=${ACCESS_KEY}`, {
      method: 'POST',
      body: '{}',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).not.toContain(ACCESS_KEY);
    expect((error as Error).cause).toBeDefined();
  });

  it('hands a Request object or a non-text body to the global fetch', async () => {
    handler = (entry, res) => res.end(`${entry.method} ${entry.body}`);
    const viaRequest = await nodeFetch(new Request(`${base}/r`, { method: 'PUT', body: 'x' }));
    expect(await viaRequest.text()).toBe('PUT x');
    const form = await nodeFetch(`${base}/f`, {
      method: 'POST',
      body: new URLSearchParams({ a: '1' }),
    });
    expect(await form.text()).toBe('POST a=1');
  });
});

describe('createNodeFetch on a large answer', () => {
  it.each([
    ['uncompressed', undefined],
    ['gzip', 'gzip'],
  ])(
    'refuses a body that grows past 16 MiB as sent (%s), without reading it all',
    async (_, encoding) => {
      // 1 MiB gzip members (stored, of random bytes): 64 of them are a valid 64 MiB gzip body.
      const chunk = encoding ? gzipSync(randomBytes(MiB), { level: 0 }) : randomBytes(MiB);
      const total = 64 * MiB;
      let written = 0;
      const closed = new Promise<void>((resolve) => {
        handler = (_, res) => {
          res.on('close', resolve);
          res.writeHead(200, encoding ? { 'content-encoding': encoding } : {});
          // Waits for the client to drain each write, as long as it reads.
          const more = () => {
            while (written < total && !res.destroyed) {
              written += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', more);
            }
            if (!res.destroyed) res.end();
          };
          more();
        };
      });
      const error = await nodeFetch(`${base}/v1.0/calls?accesskey=${ACCESS_KEY}`).catch(
        (e: unknown) => e,
      );
      await closed;
      // On the messages first: a Response read in full would take long to print.
      expect(messages(error)).toMatch(/^TypeError: fetch failed <- .*exceeded max size/);
      expect(error).toBeInstanceOf(TypeError);
      expect(messages(error)).not.toMatch(/127\.0\.0\.1|accesskey|CANARY/);
      expect(written).toBeLessThan(total);
    },
  );

  it('refuses a content-length over 16 MiB before reading its body; a HEAD may announce one', async () => {
    const announced = String(32 * MiB);
    const closed = new Promise<void>((resolve) => {
      handler = (entry, res) => {
        res.writeHead(200, { 'content-length': announced });
        if (entry.method === 'HEAD') return res.end();
        res.on('close', resolve);
        res.write('{"result": ['); // and nothing more: only a refusal ends this exchange
      };
    });
    const error = await nodeFetch(`${base}/big`, { signal: AbortSignal.timeout(5_000) }).catch(
      (e: unknown) => e,
    );
    expect(messages(error)).toMatch(/^TypeError: fetch failed <- .*exceeded max size/);
    await closed;

    const head = await nodeFetch(`${base}/big`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(announced);
    expect(head.body).toBeNull();
  });

  it('decodes a large gzip answer, near both bounds', async () => {
    // Random text: 15 MiB decoded, about 11 MiB as sent.
    const text = randomBytes(11 * MiB).toString('base64');
    const body = gzipSync(text, { level: 1 });
    expect(body.length).toBeGreaterThan(8 * MiB);
    handler = (_, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length });
      res.end(body);
    };
    const response = await nodeFetch(`${base}/large`);
    const answer = await response.text();
    expect(answer.length).toBe(text.length);
    expect(answer === text).toBe(true);
    expect(response.headers.get('content-encoding')).toBeNull();
  });

  it('rejects an answer over 16 MiB decoded', async () => {
    const body = gzipSync(Buffer.alloc(17 * MiB, 'a'));
    handler = (_, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(body);
    };
    const error = await nodeFetch(`${base}/bomb`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(messages(error)).toMatch(/the 200 answer could not be decoded \(gzip\)/);
  });

  it('decodes without blocking the event loop: callbacks keep running meanwhile', async () => {
    const json = bigJson(12 * MiB);
    const body = gzipSync(json);
    let ticks = 0;
    let decoding = true;
    const tick = () => {
      ticks++;
      if (decoding) setImmediate(tick);
    };
    setImmediate(tick);
    // A synchronous decoder would return before any callback ran: ticks would stay 0.
    const plain = await decoded(body, ['gzip']);
    decoding = false;
    expect(ticks).toBeGreaterThan(0);
    expect(Buffer.from(plain as Uint8Array).toString() === json).toBe(true);
  });
});

describe('the core client on createNodeFetch', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await listen(createEmulator({ clock: { speed: 1000 } }), { port: 0 });
  });
  afterAll(() => emulator.close());

  it('places the quickstart call over HTTP and reads it back; errors keep their kind', async () => {
    const client = createClient({
      baseURL: emulator.url,
      accessKey: ACCESS_KEY,
      actions: [TalkActionSchema],
      fetch: nodeFetch,
    });
    const { calls } = await client.calls.create({
      source: { type: 'tel', target: '+821028286521' },
      destinations: [{ type: 'tel', target: '+821021656521' }],
      actions: [talk({ text: 'Hello from undici.', language: 'en-US', gender: 'female' })],
    });
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect((await client.calls.get(call?.id ?? '')).id).toBe(call?.id);
    const missing = await client.calls
      .get('00000000-0000-4000-8000-000000000001')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(VoipbinApiError);
    expect((missing as VoipbinApiError).httpStatus).toBe(404);
  });

  it('times out a POST that gets no answer, once (never retried), outcome unknown', async () => {
    handler = () => {}; // never answers
    const client = createClient({
      baseURL: `${base}/v1.0`,
      accessKey: ACCESS_KEY,
      actions: [TalkActionSchema],
      fetch: nodeFetch,
      timeout: 100,
    });
    const error = await client.calls
      .create({
        source: { type: 'tel', target: '+821028286521' },
        destinations: [{ type: 'tel', target: '+821021656521' }],
        actions: [talk({ text: 'Hi' })],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinTimeoutError);
    expect(String((error as Error).message)).toMatch(/outcome|unknown/i);
    expect(seen.filter((entry) => entry.method === 'POST')).toHaveLength(1);
    expect(JSON.stringify(error)).not.toContain(ACCESS_KEY);
  });

  it('reports a refused connection as a network error without the credential', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = createClient({
      baseURL: `http://127.0.0.1:${port}/v1.0`,
      accessKey: ACCESS_KEY,
      fetch: nodeFetch,
      retry: 0,
    });
    const error = await client.calls.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinNetworkError);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(ACCESS_KEY);
  });
});
