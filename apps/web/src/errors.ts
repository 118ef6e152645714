import type { CombinedError } from '@urql/core';
import type { Field, FieldErrors } from './form.ts';

/** What the page shows for a failed request: messages next to fields, and a banner for the rest. */
export interface ErrorView {
  fields: FieldErrors;
  /** Lines for the banner; empty when every issue found its field. */
  banner: string[];
}

/** GraphQL input paths (createCall's `input`) -> the form field that holds the value. */
const FIELD_PATHS: [RegExp, Field][] = [
  [/^input\.source(\.|$)/, 'source'],
  [/^input\.destinations(\.0(\.|$)|$)/, 'destination'],
  [/^input\.actions\.0\.talk\.text$/, 'text'],
  [/^input\.actions\.0\.talk\.language$/, 'language'],
  [/^input\.actions\.0\.talk\.gender$/, 'gender'],
  [/^input\.actions\.0\.talk$/, 'text'],
];

/** The field a GraphQL issue path (`input.destinations.0.target`) names, if the form has it. */
export function fieldOfPath(path: string): Field | undefined {
  return FIELD_PATHS.find(([pattern]) => pattern.test(path))?.[1];
}

interface Issue {
  path: string;
  message: string;
}

const isIssue = (value: unknown): value is Issue =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Issue).path === 'string' &&
  typeof (value as Issue).message === 'string';

/** Seconds to wait, rounded up, from `extensions.retryAfterMs`; undefined when not given. */
export function retryAfterSeconds(extensions: Record<string, unknown>): number | undefined {
  const ms = extensions.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0
    ? Math.max(1, Math.ceil(ms / 1000))
    : undefined;
}

/** The status of an HTTP answer a network error carries (graphql-sse's NetworkError has it). */
function httpStatusOf(error: Error): number | undefined {
  const status = (error as { response?: { status?: unknown } }).response?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The banner line for one GraphQL error that names no field of the form. */
function describe(code: string | undefined, message: string, ext: Record<string, unknown>) {
  switch (code) {
    case 'RATE_LIMITED': {
      const seconds = retryAfterSeconds(ext);
      return seconds === undefined
        ? 'Too many calls: VoIPBIN is limiting this account. Try again later.'
        : `Too many calls: try again in ${seconds} s.`;
    }
    case 'IDEMPOTENCY_IN_PROGRESS': {
      const seconds = retryAfterSeconds(ext);
      return `The same call is still being placed${seconds === undefined ? '' : `; try again in ${seconds} s`}.`;
    }
    case 'FORBIDDEN':
      return `Refused: ${message}`;
    case 'UNAUTHENTICATED':
      return `Not signed in to the gateway: ${message}`;
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_TIMEOUT': {
      const what =
        code === 'UPSTREAM_TIMEOUT' ? 'VoIPBIN did not answer in time' : 'VoIPBIN is unavailable';
      return ext.outcomeUnknown === true
        ? `${what}; the call may have been placed. Look before calling again.`
        : `${what}; nothing was placed. Try again.`;
    }
    case 'TOO_MANY_SUBSCRIPTIONS':
      return `Too many live streams open: ${message}`;
    default:
      return code ? `${message} (${code})` : message;
  }
}

/**
 * Maps a urql error to the page: BAD_USER_INPUT and FORBIDDEN issues (`extensions.issues`) go to
 * the field their path names; other issues, other codes and network failures to the banner.
 */
export function toErrorView(error: CombinedError): ErrorView {
  const view: ErrorView = { fields: {}, banner: [] };
  if (error.networkError) {
    const status = httpStatusOf(error.networkError);
    view.banner.push(
      status === undefined
        ? 'The gateway cannot be reached (network error). Is it running?'
        : `The gateway answered HTTP ${status}: ${error.networkError.message}`,
    );
  }
  for (const e of error.graphQLErrors) {
    const ext = (e.extensions ?? {}) as Record<string, unknown>;
    const code = typeof ext.code === 'string' ? ext.code : undefined;
    const issues = Array.isArray(ext.issues) ? ext.issues.filter(isIssue) : [];
    if ((code === 'BAD_USER_INPUT' || code === 'FORBIDDEN') && issues.length > 0) {
      for (const issue of issues) {
        const field = fieldOfPath(issue.path);
        if (field === undefined) view.banner.push(`${issue.path}: ${issue.message}`);
        else view.fields[field] = view.fields[field] ?? issue.message;
      }
      continue;
    }
    view.banner.push(describe(code, e.message, ext));
  }
  return view;
}

/** Whether the same idempotency key is still being placed (try again with it, later). */
export const inProgress = (error: CombinedError): boolean =>
  error.graphQLErrors.some((e) => e.extensions?.code === 'IDEMPOTENCY_IN_PROGRESS');

/** Whether the answer is a replay of an idempotency key's first outcome. */
export const replayed = (error: CombinedError): boolean =>
  error.graphQLErrors.some((e) => e.extensions?.replayed === true);

/**
 * Whether a failed createCall may still have placed its call: the gateway says so
 * (`extensions.outcomeUnknown`), or no answer came at all (a network error).
 */
export function outcomeUnknown(error: CombinedError): boolean {
  if (error.networkError) return true;
  return error.graphQLErrors.some((e) => e.extensions?.outcomeUnknown === true);
}
