/**
 * What the resolvers do beyond mapping GraphQL: the one path from a field to the stores, the
 * event hub and VoIPBIN (the policy and rate limit, idempotency, owner records, published
 * states, the ownership check of every read and control verb, live follows). Plain functions
 * of the request's context, one a field; `schema/` imports them, never `security/` or `events/`.
 */

export { CONTROL_RULES, type ControlRule, controlCall } from './control.ts';
export { createCall, createFlow, validateCall } from './create.ts';
export type { InputProblem } from './guard.ts';
export { audienceOf, callEvents, callUpdated, deliver } from './live.ts';
export { flowById, listCalls } from './read.ts';
