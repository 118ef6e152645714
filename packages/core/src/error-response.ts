import * as v from 'valibot';
import type { Open } from './primitives.ts';

/** VoIPBIN's canonical error statuses and the HTTP code each maps to. */
export const ERROR_STATUS_CODES = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PAYMENT_REQUIRED: 402,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUS_CODES;

/** VoIPBIN's error body: `{ error: { status, reason, message, request_id, details? } }`. */
export const ErrorResponseSchema = v.object({
  error: v.object({
    status: v.string() as v.GenericSchema<Open<ErrorStatus>>,
    reason: v.string(),
    message: v.string(),
    request_id: v.string(),
    // Go writes an empty list as `null`.
    details: v.nullish(v.array(v.record(v.string(), v.unknown()))),
  }),
});
export type ErrorResponse = v.InferOutput<typeof ErrorResponseSchema>;
