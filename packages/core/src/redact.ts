import { VoipbinError } from './errors.ts';

const MARK = '[redacted]';

// Credentials as they travel, whatever the encoding: `?accesskey=...`, `&token=...`, `Bearer ...`.
const CARRIERS = /([?&;](?:accesskey|token)=|\bBearer\s+)[^\s&#"'<>)\]]+/gi;

/** Returns a function that blanks every secret in a text, raw, URL-encoded or in a query string. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  // A secret too short to be a real credential would blank ordinary words; where it travels
  // (query, Bearer) the carrier pattern still blanks it.
  const forms = [
    ...new Set(secrets.filter((s) => s.length >= 6).flatMap((s) => [s, encodeURIComponent(s)])),
  ];
  // Longest first, so a secret that contains another is blanked whole.
  forms.sort((a, b) => b.length - a.length);
  return (text) =>
    forms
      .reduce((out, secret) => out.split(secret).join(MARK), text)
      .replace(CARRIERS, `$1${MARK}`);
}

/**
 * Makes `error` safe to log or send on: its message, stack, issues and every cause are
 * blanked of the client's credentials. Our own errors are fixed in place; anything else
 * (a fetch failure, which may quote the URL with `?accesskey=`) is replaced by a plain copy.
 */
export function redactError(error: unknown, redact: (text: string) => string, depth = 0): Error {
  if (!(error instanceof VoipbinError)) return copy(error, redact);
  const fields = error as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value === 'string') fields[key] = redact(value);
    else if (value !== null && typeof value === 'object')
      fields[key] = JSON.parse(redact(JSON.stringify(value)));
  }
  error.message = redact(error.message);
  error.stack = redact(error.stack ?? '');
  if (error.cause !== undefined && depth < 4)
    error.cause = redactError(error.cause, redact, depth + 1);
  return error;
}

function copy(error: unknown, redact: (text: string) => string, depth = 0): Error {
  if (!(error instanceof Error)) return new Error(redact(String(error)));
  const safe =
    error.cause !== undefined && depth < 4
      ? new Error(redact(error.message), { cause: copy(error.cause, redact, depth + 1) })
      : new Error(redact(error.message));
  safe.name = error.name;
  safe.stack = redact(error.stack ?? '');
  return safe;
}
