/**
 * The errors the routes answer, as VoIPBIN's api-manager words them (am server/*.go,
 * lib/middleware, docsdev restful_api_errors.rst). A route throws one; the handler turns it
 * into VoIPBIN's error body with the request's id (`http.ts` `error`).
 */
import type { ErrorStatus } from '@voipbin-kit/core';
import { error } from './http.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>[],
  ) {
    super(message);
  }

  /** VoIPBIN's error body, `request_id` the request's. */
  toResponse(requestId: string): Response {
    return error(this.status, this.reason, this.message, this.details, requestId);
  }
}

/** The errors by where VoIPBIN raises them. */
export const errors = {
  /** am server/no_route.go: also a known path with a method it does not serve. */
  routeNotFound: () =>
    new ApiError('NOT_FOUND', 'ROUTE_NOT_FOUND', 'The requested endpoint does not exist.'),
  /** am lib/middleware/authenticate.go */
  authenticationRequired: () =>
    new ApiError('UNAUTHENTICATED', 'AUTHENTICATION_REQUIRED', 'Authentication is required.'),
  invalidCredentials: () =>
    new ApiError('UNAUTHENTICATED', 'INVALID_CREDENTIALS', 'The provided credentials are invalid.'),
  /** am server/calls.go: `uuid.FromStringOrNil(id) == uuid.Nil`. */
  invalidId: () =>
    new ApiError('INVALID_ARGUMENT', 'INVALID_ID', 'The provided id is not a valid UUID.'),
  /** am server/*.go: gin `BindJSON` failed (syntax, type mismatch, empty body). */
  invalidJsonBody: () =>
    new ApiError('INVALID_ARGUMENT', 'INVALID_JSON_BODY', 'The request body is not valid JSON.'),
  /** am server/error.go `classifyBindingError`: a typed query parameter that does not parse. */
  invalidRequestParameter: (name: string) =>
    new ApiError(
      'INVALID_ARGUMENT',
      'INVALID_REQUEST_PARAMETER',
      `The parameter "${name}" has an invalid format.`,
    ),
  /** am server/variables.go */
  invalidVariables: (message: string) =>
    new ApiError('INVALID_ARGUMENT', 'INVALID_VARIABLES', message),
  /** fm pkg/actionhandler/action.go `ValidateActions` */
  invalidActionType: (type: string) =>
    new ApiError('INVALID_ARGUMENT', 'INVALID_ACTION_TYPE', `not supported action type: ${type}`),
  /** fm pkg/actionhandler/action.go `ValidateActions`: a `call` or `connect` option's `anonymous`. */
  invalidAnonymousValue: (type: string, value: string) =>
    new ApiError(
      'INVALID_ARGUMENT',
      'INVALID_ANONYMOUS_VALUE',
      `invalid anonymous value for ${type} action: ${value}`,
    ),
  callNotFound: () => new ApiError('NOT_FOUND', 'CALL_NOT_FOUND', 'The call was not found.'),
  flowNotFound: () => new ApiError('NOT_FOUND', 'FLOW_NOT_FOUND', 'The flow was not found.'),
  /** am server/error_translate.go: `serviceerrors.ErrNotFound` (e.g. a deleted flow). */
  resourceNotFound: () =>
    new ApiError('NOT_FOUND', 'RESOURCE_NOT_FOUND', 'The requested resource was not found.'),
  /** am server/error_translate.go: `serviceerrors.ErrPermissionDenied`. */
  permissionDenied: () =>
    new ApiError(
      'PERMISSION_DENIED',
      'PERMISSION_DENIED',
      'You do not have permission to access this resource.',
    ),
  /** am servicehandler/call.go `callGet`: a deleted call (`serviceerrors.ErrStateInvalid`). */
  stateInvalid: () =>
    new ApiError(
      'FAILED_PRECONDITION',
      'STATE_INVALID',
      'The operation is invalid for the current resource state.',
    ),
  /** am server/error_translate.go: call-manager answered 400 (`requesthandler.ErrBadRequest`). */
  badRequest: () =>
    new ApiError('INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'The request contains invalid data.'),
  /** am server/error_translate.go: any other error of call-manager. */
  internal: () => new ApiError('INTERNAL', 'INTERNAL', 'An internal error occurred.'),
};
