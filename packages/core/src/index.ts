export * from './actions/index.ts';
export * from './address.ts';
export * from './call.ts';
export * from './call-control.ts';
export * from './client.ts';
export * from './create-call-request.ts';
export * from './error-response.ts';
export * from './errors.ts';
export * from './event.ts';
export * from './events-socket.ts';
export * from './flow.ts';
export * from './groupcall.ts';
export { NIL_UUID, normalize, UNSET_TIMESTAMP } from './normalize.ts';
export {
  type Anonymous,
  AnonymousSchema,
  E164Schema,
  LanguageSchema,
  type Open,
  UuidSchema,
} from './primitives.ts';
export { redactor } from './redact.ts';
export * from './request-id.ts';
export { check } from './validate.ts';
