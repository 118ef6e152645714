import { error } from './http.ts';

/** A fault to inject on matching requests. */
export interface FaultRule {
  /** Only this method (default: any). */
  method?: string;
  /** Only paths starting with this (e.g. `/v1.0/calls`) or matching this RegExp (default: any). */
  path?: string | RegExp;
  /** Waits this many real milliseconds before answering. */
  latency?: number;
  /** Answers this status with VoIPBIN's error body (500 INTERNAL, 503 UNAVAILABLE, ...). */
  status?: 500 | 502 | 503 | 504;
  /** Drops the connection without an answer (over HTTP the socket is destroyed; in-process `fetch` rejects). */
  drop?: boolean;
  /** Answers 200 with a truncated, unparsable JSON body. */
  malformed?: boolean;
  /** Answers 200 with this body (say, valid JSON of the wrong shape). */
  body?: string;
  /**
   * Answers as VoIPBIN's API does when its request to the service behind it timed out
   * (`'timeout'`) or was canceled: 503 UNAVAILABLE `REQUEST_TIMEOUT` / `REQUEST_CANCELED` (am
   * server/error_translate.go). With `after`, the call is placed all the same: VoIPBIN's answer
   * cannot say whether it was.
   */
  gaveUp?: 'timeout' | 'canceled';
  /** Applies after the request was handled: the call is placed, the answer is lost. Default false. */
  after?: boolean;
  /** How many matching requests it hits (default: all). */
  times?: number;
}

export type Fault = FaultRule;

/**
 * Marks an answer made by a fault (`status`, `malformed`, `body` or `gave-up`), its value the
 * kind, so that a log or a test can tell it from one the emulator made as VoIPBIN would.
 */
export const FAULT_HEADER = 'x-emulator-fault';

/** Thrown by the handler for a dropped connection: adapters destroy the socket, in-process callers see a network error. */
export class DroppedConnectionError extends TypeError {
  override name = 'DroppedConnectionError';
  constructor() {
    super('fetch failed: the emulator dropped the connection (fault injection)');
  }
}

const STATUS = {
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'UNAVAILABLE',
} as const;

export class Faults {
  #rules: FaultRule[] = [];

  constructor(rules: FaultRule[] = []) {
    this.set(rules);
  }

  set(rules: FaultRule[]) {
    this.#rules = rules.map((rule) => ({ ...rule }));
  }

  /** The first rule that matches, counted as used. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.#rules.find(
      (r) =>
        (r.times === undefined || r.times > 0) &&
        (!r.method || r.method.toUpperCase() === method) &&
        (r.path === undefined ||
          (typeof r.path === 'string' ? path.startsWith(r.path) : r.path.test(path))),
    );
    if (rule?.times !== undefined) rule.times--;
    return rule;
  }

  /**
   * Carries the fault out: waits, throws for a drop, or returns the answer to send instead.
   * The wait ends early when `signal` (the request's) aborts, as a caller's timeout cuts a slow
   * answer short; the abort reason is thrown.
   */
  async apply(
    rule: FaultRule,
    signal?: AbortSignal,
    requestId?: string,
  ): Promise<Response | undefined> {
    if (rule.latency) await delay(rule.latency, signal);
    if (rule.drop) throw new DroppedConnectionError();
    if (rule.status) {
      const response = error(
        STATUS[rule.status],
        'INJECTED_FAULT',
        `Injected fault: ${rule.status}.`,
        undefined,
        requestId,
      );
      response.headers.set(FAULT_HEADER, 'status');
      return new Response(response.body, { status: rule.status, headers: response.headers });
    }
    if (rule.gaveUp) {
      const timeout = rule.gaveUp === 'timeout';
      const response = error(
        'UNAVAILABLE',
        timeout ? 'REQUEST_TIMEOUT' : 'REQUEST_CANCELED',
        timeout ? 'The request timed out.' : 'The request was canceled.',
        undefined,
        requestId,
      );
      response.headers.set(FAULT_HEADER, 'gave-up');
      return response;
    }
    const headers = {
      'content-type': 'application/json',
      ...(requestId ? { 'x-request-id': requestId } : {}),
    };
    if (rule.malformed) {
      return new Response('{"calls": [{"id": "', {
        status: 200,
        headers: { ...headers, [FAULT_HEADER]: 'malformed' },
      });
    }
    if (rule.body !== undefined) {
      return new Response(rule.body, {
        status: 200,
        headers: { ...headers, [FAULT_HEADER]: 'body' },
      });
    }
    return undefined;
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
