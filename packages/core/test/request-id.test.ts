import { describe, expect, it, vi } from 'vitest';
import {
  createClient,
  isSafeRequestId,
  newRequestId,
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinValidationError,
} from '../src/index.ts';
import { json, rawCall, stubFetch } from './support/voipbin.ts';

/** Request ids: one id ties a log line of the caller's to VoIPBIN's (am lib/middleware/request_id.go). */

const CALL_ID = 'e2a65df2-4e50-4e37-8628-df07b3cec579';
const client = (fetch: typeof globalThis.fetch, extra = {}) =>
  createClient({ token: 't', fetch, retryDelay: 0, ...extra });

describe('request ids', () => {
  it('makes ids as VoIPBIN does: req_ and 26 base32 characters, each new', () => {
    const ids = new Set(Array.from({ length: 1000 }, newRequestId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^req_[A-Z2-7]{26}$/);
      expect(isSafeRequestId(id)).toBe(true);
    }
  });

  it('draws random bytes 4 KiB at a time, each byte used once', () => {
    // Bytes 0, 1, 2... in every block drawn: each id shows which 16 bytes it was made of.
    const draw = vi.spyOn(crypto, 'getRandomValues').mockImplementation((array) => {
      const bytes = array as Uint8Array;
      for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
      return array;
    });
    try {
      const ids = Array.from({ length: 512 }, newRequestId);
      // 512 ids of 16 bytes: two blocks of 4,096 (three if the pool had bytes left before).
      expect(draw.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(draw.mock.calls.length).toBeLessThanOrEqual(3);
      // Within a block, id k of the block is made of bytes 16k to 16k+15: none repeats its neighbour.
      const repeats = ids.filter((id, i) => i > 0 && id === ids[i - 1]);
      expect(repeats).toEqual([]);
    } finally {
      draw.mockRestore();
    }
  });

  it.each([
    ['', false],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['req_foo\nSet-Cookie: x=y', false],
    ['trace-1_A', true],
    ['with space', false],
    ['ünï', false],
  ])('judges %j safe: %s (as VoIPBIN, which echoes only a safe one)', (id, safe) => {
    expect(isSafeRequestId(id)).toBe(safe);
  });

  it('sends a fresh X-Request-Id with each request, the same one on each retry', async () => {
    const stub = stubFetch(
      () => {
        throw new TypeError('fetch failed');
      },
      json(rawCall()),
      json(rawCall()),
    );
    const c = client(stub.fetch);
    await c.calls.get(CALL_ID);
    await c.calls.get(CALL_ID);
    const [first, retry, next] = stub.requests.map((r) => r.headers.get('x-request-id'));
    expect(first).toMatch(/^req_[A-Z2-7]{26}$/);
    expect(retry).toBe(first);
    expect(next).toMatch(/^req_[A-Z2-7]{26}$/);
    expect(next).not.toBe(first);
  });

  it("sends the caller's own id, and refuses an unsafe one before sending anything", async () => {
    const stub = stubFetch(json(rawCall()));
    const c = client(stub.fetch);
    await c.calls.hangup(CALL_ID, { requestId: 'my-trace_42' });
    expect(stub.requests[0]?.headers.get('x-request-id')).toBe('my-trace_42');
    const error = await c.calls
      .hangup(CALL_ID, { requestId: 'bad\r\nid' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VoipbinValidationError);
    expect((error as VoipbinValidationError).issues).toEqual([
      { path: 'requestId', message: expect.stringContaining('1 to 64') },
    ]);
    expect(stub.requests).toHaveLength(1);
  });

  it("exposes VoIPBIN's request_id on an error, else its header, else the id sent", async () => {
    const body = (id?: string) =>
      new Response(
        JSON.stringify({
          error: {
            status: 'NOT_FOUND',
            reason: 'CALL_NOT_FOUND',
            message: 'No call.',
            ...(id ? { request_id: id } : {}),
          },
        }),
        { status: 404, headers: { 'x-request-id': 'req_FROMHEADER' } },
      );
    const fromBody = await client(stubFetch(body('req_FROMBODY')).fetch)
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);
    expect(fromBody).toBeInstanceOf(VoipbinApiError);
    expect((fromBody as VoipbinApiError).requestId).toBe('req_FROMBODY');
    const fromHeader = await client(stubFetch(body()).fetch)
      .calls.get(CALL_ID)
      .catch((e: unknown) => e);
    expect((fromHeader as VoipbinApiError).requestId).toBe('req_FROMHEADER');
    // A proxy's 502 carries neither: the request's own id is still on the error.
    const stub = stubFetch(new Response('bad gateway', { status: 502 }));
    const proxied = (await client(stub.fetch, { retry: 0 })
      .calls.get(CALL_ID)
      .catch((e: unknown) => e)) as VoipbinApiError;
    expect(proxied.requestId).toBeNull();
    expect(proxied.request.requestId).toBe(stub.requests[0]?.headers.get('x-request-id'));
  });

  it('puts the id sent on network errors, so a lost POST can be asked about', async () => {
    const stub = stubFetch(() => {
      throw new TypeError('fetch failed');
    });
    const error = (await client(stub.fetch)
      .calls.hangup(CALL_ID)
      .catch((e: unknown) => e)) as VoipbinNetworkError;
    expect(error).toBeInstanceOf(VoipbinNetworkError);
    expect(error.request.requestId).toBe(stub.requests[0]?.headers.get('x-request-id'));
  });

  it("sends none from a browser (VoIPBIN's CORS allows no X-Request-Id) unless asked", async () => {
    const g = globalThis as { document?: unknown };
    g.document = {};
    try {
      const stub = stubFetch(json(rawCall()), json(rawCall()), json(rawCall()));
      await client(stub.fetch).calls.get(CALL_ID);
      await client(stub.fetch).calls.get(CALL_ID, { requestId: 'mine' });
      await client(stub.fetch, { requestIds: true }).calls.get(CALL_ID);
      expect(stub.requests.map((r) => r.headers.get('x-request-id'))).toEqual([
        null,
        'mine',
        expect.stringMatching(/^req_/),
      ]);
    } finally {
      delete g.document;
    }
  });
});
