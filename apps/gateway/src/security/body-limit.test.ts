import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oversizedUpload } from '../../test/support/oversized.ts';
import { useBodyLimit } from './body-limit.ts';

const LIMIT = 200;
let resolved = 0;

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { echo(text: String!): String! }',
    resolvers: {
      Query: {
        echo: (_: unknown, { text }: { text: string }) => {
          resolved++;
          return text;
        },
      },
    },
  }),
  maxRequestBodySize: false,
  logging: false,
  plugins: [useBodyLimit(LIMIT)],
});

/** A body of exactly `bytes` bytes asking for `echo`. */
function body(bytes: number): string {
  const frame = JSON.stringify({ query: '{ echo(text: "") }' });
  const padding = bytes - frame.length;
  if (padding < 0) throw new Error('too small');
  return JSON.stringify({ query: `{ echo(text: "${'x'.repeat(padding)}") }` });
}

/** A streamed body: no Content-Length, as a chunked upload. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 50) controller.enqueue(bytes.subarray(i, i + 50));
      controller.close();
    },
  });
}

describe('useBodyLimit (in process)', () => {
  it('admits a body of exactly the limit, declared or streamed', async () => {
    const text = body(LIMIT);
    expect(new TextEncoder().encode(text).length).toBe(LIMIT);
    const declared = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(LIMIT) },
      body: text,
    });
    expect(declared.status).toBe(200);
    const chunked = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamed(text),
      duplex: 'half',
    });
    expect(chunked.status).toBe(200);
    const frame = JSON.stringify({ query: '{ echo(text: "") }' }).length;
    expect((await chunked.json()).data.echo).toHaveLength(LIMIT - frame);
  });

  it('refuses a declared length over the limit with 413 before reading or running anything', async () => {
    const before = resolved;
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) },
      body: body(LIMIT + 1),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0]).toMatchObject({
      message: 'Request body too large',
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
    expect(resolved).toBe(before);
  });

  it('cuts a streamed body off past the limit with 413', async () => {
    const before = resolved;
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamed(body(LIMIT * 10)),
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(resolved).toBe(before);
  });

  it('refuses Content-Length with Transfer-Encoding (workerd reads such a body as chunked, past the length)', async () => {
    const before = resolved;
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': '10',
        'transfer-encoding': 'chunked',
      },
      body: streamed(body(LIMIT * 10)),
      duplex: 'half',
    });
    expect(response.status).toBe(400);
    expect(resolved).toBe(before);
  });

  it.each(['-1', '1, 1', '0x10', '1e3'])('refuses Content-Length %j with 400', async (value) => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': value },
      body: body(LIMIT),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('useBodyLimit on node:http (the Node entry’s server)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('admits the limit and refuses one byte more, declared (fetch sends Content-Length)', async () => {
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(LIMIT),
    });
    expect(ok.status).toBe(200);
    const over = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(LIMIT + 1),
    });
    expect(over.status).toBe(413);
  });

  it('answers a declared length over the limit at once with 413 and closes, not reading the rest', async () => {
    const before = resolved;
    const { head, closed } = await oversizedUpload(url, 10 * 1024 * 1024);
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
    expect(resolved).toBe(before);
  });

  it('cuts off a chunked upload past the limit', async () => {
    const before = resolved;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamed(body(LIMIT * 10)),
      // @ts-expect-error: a streamed request body needs `duplex`
      duplex: 'half',
    });
    expect(response.status).toBe(413);
    expect(resolved).toBe(before);
    const small = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamed(body(LIMIT)),
      // @ts-expect-error: a streamed request body needs `duplex`
      duplex: 'half',
    });
    expect(small.status).toBe(200);
  });
});
