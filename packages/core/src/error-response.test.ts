import { describe, expect, it } from 'vitest';
import { ERROR_STATUS_CODES, ErrorResponseSchema } from './error-response.ts';
import { check } from './validate.ts';

const body = {
  error: {
    status: 'NOT_FOUND',
    reason: 'CALL_NOT_FOUND',
    message: 'call e2a65df2-4e50-4e37-8628-df07b3cec579 not found',
    request_id: 'req_ABCDEF0123456789',
  },
};

describe('ErrorResponseSchema', () => {
  it("parses VoIPBIN's error body", () => {
    expect(check(ErrorResponseSchema, body)).toEqual({ success: true, output: body });
  });

  it('keeps the details when VoIPBIN sends them', () => {
    const details = [{ field: 'destinations.0.target', description: 'not E.164' }];
    const withDetails = { error: { ...body.error, status: 'INVALID_ARGUMENT', details } };
    expect(check(ErrorResponseSchema, withDetails)).toMatchObject({
      success: true,
      output: { error: { details } },
    });
  });

  it("reads details written as Go's null list", () => {
    const withNull = { error: { ...body.error, details: null } };
    expect(check(ErrorResponseSchema, withNull)).toMatchObject({
      success: true,
      output: { error: { reason: 'CALL_NOT_FOUND', details: null } },
    });
  });

  it('keeps a status and a reason it does not know', () => {
    const newer = { error: { ...body.error, status: 'DEADLINE_EXCEEDED', reason: 'SLOW_CARRIER' } };
    expect(check(ErrorResponseSchema, newer)).toMatchObject({
      success: true,
      output: { error: { status: 'DEADLINE_EXCEEDED', reason: 'SLOW_CARRIER' } },
    });
  });

  it.each([
    ['a body that is not wrapped in error', body.error],
    ['a proxy error page', '<html>502 Bad Gateway</html>'],
    ['an error without a reason', { error: { ...body.error, reason: undefined } }],
    ['an error with a numeric status', { error: { ...body.error, status: 404 } }],
  ])('does not read %s as a VoIPBIN error', (_, input) => {
    expect(check(ErrorResponseSchema, input).success).toBe(false);
  });

  it('maps each status to the HTTP code VoIPBIN answers with', () => {
    expect(ERROR_STATUS_CODES).toEqual({
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
    });
  });
});
