import { isSafeRequestId, newRequestId } from '@voipbin-kit/core';

export const REQUEST_ID_HEADER = 'x-request-id';

const IDS = new WeakMap<Request, string>();

/**
 * The id of `request`, the same everywhere it is asked for: the caller's own `X-Request-Id`
 * when it is safe (1 to 64 characters of `A-Z a-z 0-9 _ -`, as VoIPBIN keeps it), else a new
 * `req_…` id. It goes to VoIPBIN with every request made for this one, comes back in the
 * answer's `X-Request-Id` and in every error's `extensions.requestId`, and is in each log line.
 */
export function requestIdOf(request: Request): string {
  let id = IDS.get(request);
  if (id === undefined) {
    const own = request.headers.get(REQUEST_ID_HEADER);
    id = own !== null && isSafeRequestId(own) ? own : newRequestId();
    IDS.set(request, id);
  }
  return id;
}

/**
 * `copy` (a Request made from `request`: a body read, a URL rewritten) keeps `request`'s id, so
 * that what is made for the copy carries the same one.
 */
export function sameRequestId(copy: Request, request: Request): void {
  IDS.set(copy, requestIdOf(request));
}
