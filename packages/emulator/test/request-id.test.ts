/**
 * X-Request-Id as VoIPBIN's am lib/middleware/request_id.go: every answer echoes it, the
 * caller's own when it is 1 to 64 characters of [A-Za-z0-9_-], else `req_` and 26 base32
 * characters; an error body's `request_id` is the same id.
 */
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../src/index.ts';
import { conforming } from './support/conforming.ts';
import { sender } from './support/send.ts';

const GENERATED = /^req_[A-Z2-7]{26}$/;

describe('X-Request-Id', () => {
  const emulator = conforming(createEmulator());
  const send = sender(emulator);

  it('echoes a safe id of the caller, on answers and errors alike', async () => {
    for (const id of ['a', 'my-request_42', 'x'.repeat(64)]) {
      const ok = await send('GET', '/calls', { headers: { 'x-request-id': id } });
      expect(ok.headers.get('x-request-id')).toBe(id);
      const error = await send('GET', '/calls/nope', { headers: { 'x-request-id': id } });
      expect(error.headers.get('x-request-id')).toBe(id);
      expect(error.body.error.request_id).toBe(id);
    }
  });

  it('makes a new req_ + 26 base32 id for none, an unsafe or a too long one', async () => {
    for (const id of [undefined, 'x'.repeat(65), 'has space', 'semi;colon', 'ünï']) {
      const headers: Record<string, string> = id === undefined ? {} : { 'x-request-id': id };
      const ok = await send('GET', '/calls', { headers });
      expect(ok.headers.get('x-request-id')).toMatch(GENERATED);
      const error = await send('GET', '/recordings', { headers, credential: null });
      const header = error.headers.get('x-request-id');
      expect(header).toMatch(GENERATED);
      expect(error.body.error.request_id).toBe(header);
    }
  });

  it("gives the error body VoIPBIN's shape: { error: { status, reason, message, request_id } }", async () => {
    const { status, body } = await send('GET', '/calls', { credential: null });
    expect(status).toBe(401);
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['message', 'reason', 'request_id', 'status']);
    expect(body.error).toMatchObject({
      status: 'UNAUTHENTICATED',
      reason: 'AUTHENTICATION_REQUIRED',
    });
  });

  it('an injected fault answers with the request id too', async () => {
    const faulty = createEmulator({ faults: [{ status: 503 }] });
    const answer = await sender(faulty)('GET', '/calls', { headers: { 'x-request-id': 'mine' } });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('x-request-id')).toBe('mine');
    expect(answer.body.error.request_id).toBe('mine');
  });
});
