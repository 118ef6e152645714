/**
 * VoIPBIN's request ids (`bin-api-manager/lib/middleware/request_id.go`): each answer carries
 * one in `X-Request-Id` and in an error's `request_id`. VoIPBIN keeps the caller's own when it
 * is safe (1 to 64 characters of `A-Z a-z 0-9 _ -`) and otherwise makes `req_` + 26 base32
 * characters. The client sends one with every request, so a log line of yours and VoIPBIN's
 * name the same request.
 */

const SAFE = /^[A-Za-z0-9_-]{1,64}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Whether VoIPBIN echoes `id` as it is (else it makes its own). */
export const isSafeRequestId = (id: unknown): id is string =>
  typeof id === 'string' && SAFE.test(id);

// Random bytes are drawn 4 KiB at a time: one `getRandomValues` per 256 ids, not one per id (a
// few per cent of a createCall's CPU in the gateway). Each byte is handed out once.
const POOL = new Uint8Array(4096);
let used = POOL.length;

/** A fresh id as VoIPBIN makes them: `req_` + 16 random bytes in unpadded base32 (26 characters). */
export function newRequestId(): string {
  if (used + 16 > POOL.length) {
    crypto.getRandomValues(POOL);
    used = 0;
  }
  const start = used;
  used += 16;
  let out = 'req_';
  let buffer = 0;
  let bits = 0;
  for (let i = start; i < start + 16; i++) {
    buffer = (buffer << 8) | (POOL[i] as number);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}
