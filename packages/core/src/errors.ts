import type { ErrorStatus } from './error-response.ts';
import type { Open } from './primitives.ts';

/** One problem of a request: where (`destinations.0.target`) and what, for a person. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** What the client was doing when an error happened; the URL never carries a credential. */
export interface RequestInfo {
  method: string;
  /** The path below the base URL, e.g. `/calls/5c4b...`, without the query. */
  path: string;
  /** The `X-Request-Id` sent (VoIPBIN's `request_id` of the request when it got it); `null` when none was. */
  requestId?: string | null;
}

/** The base of every error `core` throws. */
export class VoipbinError extends Error {
  override name = 'VoipbinError';

  /** A plain object to log or send on: no stack, no credential. */
  toJSON(): Record<string, unknown> {
    const { stack: _stack, cause: _cause, ...fields } = this as Record<string, unknown>;
    return { ...fields, name: this.name, message: this.message };
  }
}

/** The request is invalid; nothing was sent. `issues` lists every problem with its path. */
export class VoipbinValidationError extends VoipbinError {
  override name = 'VoipbinValidationError';
  readonly issues: ValidationIssue[];

  constructor(what: string, issues: ValidationIssue[]) {
    const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`);
    super(`Invalid ${what}; nothing was sent. ${list.join('; ')}`);
    this.issues = issues;
  }
}

/**
 * VoIPBIN's reasons for an answer given without knowing the outcome: api-manager's transport
 * failures (bin-api-manager/server/error_translate.go, `translateToVoipbinError` step 3), its
 * request to the manager behind it timed out or was canceled, after that manager may have
 * taken it.
 */
const GAVE_UP = /^REQUEST_(?:TIMEOUT|CANCELED)$/;

/** VoIPBIN answered with an error (HTTP 4xx or 5xx). */
export class VoipbinApiError extends VoipbinError {
  override name = 'VoipbinApiError';
  /** The HTTP status code. */
  readonly httpStatus: number;
  /** VoIPBIN's canonical status, e.g. `INVALID_ARGUMENT`. */
  readonly status: Open<ErrorStatus>;
  /** VoIPBIN's specific reason, e.g. `CALL_NOT_FOUND`. */
  readonly reason: string;
  /** VoIPBIN's own `error.message`, redacted; `null` when the answer was not VoIPBIN's error body. */
  readonly upstreamMessage: string | null;
  /** VoIPBIN's request id, for support tickets; `null` when the answer had none. */
  readonly requestId: string | null;
  readonly details: Record<string, unknown>[] | null;
  readonly request: RequestInfo;
  /**
   * True when a POST may have done what it asked (the call may have been placed): answered 5xx
   * with a body that is not VoIPBIN's (a proxy or load balancer in front of it, a 502 or 504),
   * or VoIPBIN's own `REQUEST_TIMEOUT` or `REQUEST_CANCELED` (its API gave up waiting on the
   * service behind it, which may still act). Any other error body of VoIPBIN's says what it
   * refused: false.
   */
  readonly outcomeUnknown: boolean;

  constructor(init: {
    httpStatus: number;
    status: Open<ErrorStatus>;
    reason: string;
    /** VoIPBIN's `error.message`; `null` when the answer was not VoIPBIN's error body. */
    message: string | null;
    requestId: string | null;
    details?: Record<string, unknown>[] | null;
    request: RequestInfo;
  }) {
    const unknown =
      init.request.method === 'POST' &&
      init.httpStatus >= 500 &&
      (init.message === null || GAVE_UP.test(init.reason));
    super(
      `VoIPBIN answered ${init.httpStatus} ${init.status} (${init.reason}) to ${init.request.method} ${init.request.path}: ${init.message ?? 'the answer was not a VoIPBIN error body'}${unknown ? '; the outcome is unknown, so it was not retried' : ''}`,
    );
    this.httpStatus = init.httpStatus;
    this.status = init.status;
    this.reason = init.reason;
    this.upstreamMessage = init.message;
    this.requestId = init.requestId;
    this.details = init.details ?? null;
    this.request = init.request;
    this.outcomeUnknown = unknown;
  }
}

/** VoIPBIN could not be reached, or the connection dropped before an answer. */
export class VoipbinNetworkError extends VoipbinError {
  override name = 'VoipbinNetworkError';
  readonly request: RequestInfo;
  /** True for a POST: it may have reached VoIPBIN, so the call may have been placed. */
  readonly outcomeUnknown: boolean;

  constructor(request: RequestInfo, options?: ErrorOptions) {
    const unknown = request.method === 'POST';
    super(
      `Could not reach VoIPBIN for ${request.method} ${request.path}${unknown ? '; the outcome is unknown, so it was not retried' : ''}`,
      options,
    );
    this.request = request;
    this.outcomeUnknown = unknown;
  }
}

/** VoIPBIN did not answer in time. For a POST the outcome is unknown: the call may exist. */
export class VoipbinTimeoutError extends VoipbinError {
  override name = 'VoipbinTimeoutError';
  readonly request: RequestInfo;
  readonly timeout: number;
  readonly outcomeUnknown: boolean;

  constructor(request: RequestInfo, timeout: number, options?: ErrorOptions) {
    const unknown = request.method === 'POST';
    super(
      `VoIPBIN did not answer ${request.method} ${request.path} within ${timeout} ms${
        unknown
          ? '; the outcome is unknown (the call may have been placed), so it was not retried'
          : ''
      }`,
      options,
    );
    this.request = request;
    this.timeout = timeout;
    this.outcomeUnknown = unknown;
  }
}

/** VoIPBIN answered 2xx with a body this client cannot read (not JSON, or not the expected shape). */
export class VoipbinResponseError extends VoipbinError {
  override name = 'VoipbinResponseError';
  readonly request: RequestInfo;
  readonly httpStatus: number;
  readonly issues: ValidationIssue[];
  /**
   * True for a POST: VoIPBIN accepted it (a call placed or hung up, a flow created), but what it
   * answered cannot be read. Sending it again may do it twice: ring the phone again.
   */
  readonly outcomeUnknown: boolean;

  constructor(request: RequestInfo, httpStatus: number, issues: ValidationIssue[]) {
    const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`);
    const unknown = request.method === 'POST';
    super(
      `VoIPBIN answered ${request.method} ${request.path} with ${httpStatus} and an unexpected body: ${list.join('; ')}${
        unknown ? '; it was accepted, so do not send it again' : ''
      }`,
    );
    this.request = request;
    this.httpStatus = httpStatus;
    this.issues = issues;
    this.outcomeUnknown = unknown;
  }
}

/** Why the event socket reported an error: see `VoipbinEventError`. */
export type EventErrorReason =
  | 'UNREADABLE_FRAME'
  | 'NOT_AN_EVENT'
  | 'FRAME_TOO_LARGE'
  | 'CONNECTION_FAILED'
  | 'SUBSCRIPTION_REJECTED'
  | 'SUBSCRIPTION_FAILED';

/**
 * The event socket could not read a frame (which was dropped), or its connection failed or was
 * refused. Never holds the socket's URL or the credential, not in any `cause` either.
 */
export class VoipbinEventError extends VoipbinError {
  override name = 'VoipbinEventError';
  /**
   * What happened: a frame that is not JSON text, not an event, or too large
   * (`UNREADABLE_FRAME`, `NOT_AN_EVENT`, `FRAME_TOO_LARGE`); a failed connection
   * (`CONNECTION_FAILED`); a topic refused with close 1008 by older servers
   * (`SUBSCRIPTION_REJECTED`); or `reconnect.maxFailedConnections` connections in a row that
   * ended before any event, after which the subscription is closed (`SUBSCRIPTION_FAILED`:
   * a refused topic or credential, or VoIPBIN unreachable).
   */
  readonly reason: EventErrorReason;
  /** Why a frame is not an event, with paths; empty otherwise. */
  readonly issues: ValidationIssue[];
  /** The WebSocket close code when the socket was closed (1006 or, from older servers, 1008 for a refused topic), else `null`. */
  readonly closeCode: number | null;

  constructor(
    reason: EventErrorReason,
    message: string,
    init: { issues?: ValidationIssue[]; closeCode?: number; cause?: unknown } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = reason;
    this.issues = init.issues ?? [];
    this.closeCode = init.closeCode ?? null;
  }
}
