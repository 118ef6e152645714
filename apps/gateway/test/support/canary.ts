/**
 * The canary check: the credentials the tests plant (as a server access key, a pass-through
 * token, a JWT secret, an API key) must never come out again. Everything a test sees is
 * recorded here (console lines, and the responses the shared helpers get) and
 * `canary-setup.ts` fails the file when a canary is found in any of it.
 *
 * The record lives on `globalThis`, so the setup file and the helpers share it whatever module
 * instance they were loaded as.
 */

/** Every canary the gateway's tests plant (grep CANARY in src and test). */
export const CANARIES = [
  // test/errors.test.ts and test/security/wiring.test.ts: the server's access key.
  'CANARY-s3cr3t-key',
  // test/errors.test.ts: a caller's pass-through VoIPBIN token.
  'CANARY-s3cr3t-jwt',
  // src/security/auth.test.ts: the JWT secret and the API key.
  'CANARY-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  'CANARY-api-key-zyxwvutsrqponmlkjihgfedcba9876543210',
  // test/security/hostile.test.ts: the JWT secret.
  'CANARY-hostile-jwt-secret-0123456789abcdef',
  // The common part of the access key and the token, as errors.test.ts looks for it.
  's3cr3t',
] as const;

export interface Finding {
  /** Which canary, by its number in `CANARIES` (never the canary itself). */
  canary: string;
  /** Where it came from: `console.error`, `postGraphQL POST /graphql (body)`... */
  source: string;
  /** Some text around it, every canary masked. */
  excerpt: string;
}

interface CanaryRecord {
  /** Texts looked at so far. */
  seen: number;
  /** The canaries found in them. Texts are looked at as they come and not kept. */
  findings: Finding[];
  /** Response bodies still being read. */
  pending: Set<Promise<void>>;
}

const KEY = Symbol.for('voipbin-kit.gateway.canary');

/** This test file's record (one per file: each runs in its own module graph). */
export function canaryRecord(): CanaryRecord {
  const global = globalThis as { [KEY]?: CanaryRecord };
  global[KEY] ??= { seen: 0, findings: [], pending: new Set() };
  return global[KEY];
}

/** Records a text a test produced (a log line, a child process's output). */
export function recordText(source: string, text: string): void {
  const record = canaryRecord();
  record.seen++;
  for (const canary of CANARIES) {
    const at = text.indexOf(canary);
    if (at === -1) continue;
    // The report names the canary by its number and masks it: it must not leak it either.
    const excerpt = text.slice(Math.max(0, at - 60), at + canary.length + 60);
    record.findings.push({
      canary: `canary #${CANARIES.indexOf(canary) + 1}`,
      source,
      excerpt: mask(excerpt),
    });
  }
}

/** Bodies that are never meant to end (event streams) are recorded by their headers only. */
const STREAMING = /^(text\/event-stream|multipart\/mixed)/i;

/**
 * Records a response a test got: status line, every header and (from a clone, read in the
 * background) the body. Returns `response` untouched, so it can wrap any fetch.
 */
export function recordResponse(source: string, response: Response): Response {
  const record = canaryRecord();
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  recordText(`${source} (status and headers)`, `${response.status}\n${headers}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (response.body === null || response.bodyUsed || STREAMING.test(contentType)) return response;
  const reading = response
    .clone()
    .text()
    .then(
      (text) => recordText(`${source} (body)`, text),
      // A body that failed to arrive (aborted, timed out) has no text to look at.
      () => {},
    )
    .finally(() => record.pending.delete(reading));
  record.pending.add(reading);
  return response;
}

/** Waits (at most `ms`) for the bodies still being read. */
export async function settleRecords(ms = 2_000): Promise<void> {
  const { pending } = canaryRecord();
  if (pending.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled([...pending]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** `text` with every canary (and any part of one cut by an excerpt) replaced by `[canary]`. */
function mask(text: string): string {
  let masked = text;
  for (const canary of CANARIES) masked = masked.split(canary).join('[canary]');
  return masked.replace(/CANARY[\w-]*|s3cr3t/g, '[canary]');
}

/** Whether a test file's source plants one of `CANARIES` (the setup then wants it to record something). */
export function plantsCanary(source: string): boolean {
  return CANARIES.some((canary) => source.includes(canary));
}

/** Forgets what was recorded: each test file starts afresh. */
export function resetRecord(): void {
  const record = canaryRecord();
  record.seen = 0;
  record.findings = [];
  record.pending = new Set();
}

/** The canaries found so far, and how many texts were looked at. */
export function findCanaries(): { seen: number; findings: Finding[] } {
  const { seen, findings } = canaryRecord();
  return { seen, findings: [...findings] };
}
