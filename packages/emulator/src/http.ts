import {
  type ErrorStatus,
  ERROR_STATUS_CODES as HTTP,
  isSafeRequestId,
  newRequestId,
} from '@voipbin-kit/core';

/**
 * A new request id as VoIPBIN makes them (am lib/middleware/request_id.go): core's, `req_` and
 * 16 random bytes in base32 without padding, 26 characters.
 */
export const requestId = newRequestId;

/** The request id of a request: the caller's own when it is safe, else a new one. */
export function requestIdOf(request: Request): string {
  const own = request.headers.get('x-request-id');
  return isSafeRequestId(own) ? own : requestId();
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set('content-type', 'application/json; charset=utf-8');
  return response;
}

/** VoIPBIN's error body: `{ error: { status, reason, message, request_id, details? } }`. */
export function error(
  status: ErrorStatus,
  reason: string,
  message: string,
  details?: Record<string, unknown>[],
  id: string = requestId(),
): Response {
  const body = {
    status,
    reason,
    message,
    request_id: id,
    ...(details ? { details } : {}),
  };
  return json({ error: body }, HTTP[status], { 'x-request-id': id });
}

/** Parses a JSON body; `lenient` also takes trailing commas, as in VoIPBIN's quickstart. */
export function parseJson(
  text: string,
  lenient: boolean,
): { ok: true; value: unknown; relaxed: boolean } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text), relaxed: false };
  } catch {
    if (!lenient) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(withoutTrailingCommas(text)), relaxed: true };
    } catch {
      return { ok: false };
    }
  }
}

/** Removes commas that stand before `}` or `]`, outside strings. */
export function withoutTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

/** The credential of a request, where VoIPBIN reads it: cookie, query, then Bearer header. */
export function credentialOf(request: Request, url: URL): string | null {
  const cookies = request.headers.get('cookie') ?? '';
  for (const name of ['token', 'accesskey']) {
    const match = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(cookies);
    if (match?.[1]) return decodeCookie(match[1]);
  }
  const fromQuery = url.searchParams.get('token') || url.searchParams.get('accesskey');
  if (fromQuery) return fromQuery;
  const auth = request.headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  return bearer || null;
}

/** A cookie value, percent-decoded when it is well formed (a malformed one is taken as it is). */
function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
