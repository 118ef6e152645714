import {
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinTimeoutError,
  VoipbinValidationError,
} from '@voipbin-kit/core';
import { GraphQLError } from 'graphql';
import { graphqlPath } from './schema/action.ts';
import { IdempotencyError, IdempotencyInProgressError } from './security/idempotency.ts';

/** `extensions.code` by VoIPBIN's error status. */
const CODES: Record<string, string> = {
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  PERMISSION_DENIED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'CONFLICT',
  FAILED_PRECONDITION: 'CONFLICT',
  RESOURCE_EXHAUSTED: 'RATE_LIMITED',
  UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  INTERNAL: 'UPSTREAM_UNAVAILABLE',
};

/**
 * A GraphQL error for what core threw, with `extensions.code`; anything else is rethrown as
 * it is and masked by Yoga. `input` is the VoIPBIN JSON sent, to name issue paths in
 * GraphQL's terms; `argument` is the GraphQL argument it came from.
 */
export function toGraphQLError(
  error: unknown,
  input?: { json: unknown; argument: string },
): unknown {
  if (error instanceof VoipbinValidationError) {
    const issues = error.issues.map((issue) => ({
      path: [input?.argument, input ? graphqlPath(issue.path, input.json) : issue.path]
        .filter(Boolean)
        .join('.'),
      message: issue.message,
    }));
    return new GraphQLError(
      `Invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        extensions: { code: 'BAD_USER_INPUT', issues },
      },
    );
  }
  if (error instanceof VoipbinApiError) {
    const code =
      CODES[error.status] ?? (error.httpStatus >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'BAD_REQUEST');
    return new GraphQLError(`VoIPBIN: ${error.upstreamMessage ?? error.message}`, {
      extensions: {
        code,
        voipbin: {
          httpStatus: error.httpStatus,
          status: error.status,
          reason: error.reason,
          requestId: error.requestId,
        },
      },
    });
  }
  if (error instanceof VoipbinTimeoutError || error instanceof VoipbinNetworkError) {
    return new GraphQLError(error.message, {
      extensions: {
        code: error instanceof VoipbinTimeoutError ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
        outcomeUnknown: error.outcomeUnknown,
      },
    });
  }
  if (error instanceof VoipbinResponseError) {
    return new GraphQLError('VoIPBIN answered with a body this gateway cannot read.', {
      extensions: { code: 'UPSTREAM_UNAVAILABLE', httpStatus: error.httpStatus },
    });
  }
  if (error instanceof IdempotencyError) {
    const retryAfterMs =
      error instanceof IdempotencyInProgressError ? { retryAfterMs: error.retryAfterMs } : {};
    return new GraphQLError(error.message, { extensions: { code: error.code, ...retryAfterMs } });
  }
  return error;
}

/** Runs an upstream request, turning core's errors into GraphQL errors. */
export async function upstream<T>(
  work: () => Promise<T>,
  input?: { json: unknown; argument: string },
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphQLError(error, input);
  }
}

/** A 404 from VoIPBIN as `null`, for the queries that answer null when there is none. */
export async function notFoundAsNull<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VoipbinApiError && error.httpStatus === 404) return null;
    throw error;
  }
}
