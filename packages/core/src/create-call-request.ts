import * as v from 'valibot';
import { ActionByTypeSchema } from './actions/all.ts';
import { AddressSchema } from './address.ts';
import { NIL_UUID } from './normalize.ts';
import { AnonymousSchema, UuidSchema } from './primitives.ts';

const KB = 1024;
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Flow variables seeded into a new call: string values, at most 100 keys, 64 KB in all
 * (keys and values, UTF-8) and 32 KB a value. VoIPBIN ignores keys starting with `voipbin.`.
 */
export const VariablesSchema = v.pipe(
  // valibot's `record` reads an array as an object (`['a']` -> `{ "0": "a" }`) and drops the keys
  // `__proto__`, `constructor` and `prototype` without a word: refuse both instead.
  v.custom<Record<string, string>>(
    (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
    'Expected an object of string values',
  ),
  v.check(
    (vars) => !Object.keys(vars).some((key) => UNSAFE_KEYS.includes(key)),
    'Expected no variable named __proto__, constructor or prototype',
  ),
  v.record(
    v.pipe(v.string(), v.nonEmpty('Expected a non-empty variable name')),
    v.pipe(
      v.string(),
      v.check((value) => bytes(value) <= 32 * KB, 'Expected a value of at most 32 KB'),
    ),
  ),
  v.check((vars) => Object.keys(vars).length <= 100, 'Expected at most 100 variables'),
  v.check(
    (vars) =>
      Object.entries(vars).reduce((sum, [k, value]) => sum + bytes(k) + bytes(value), 0) <= 64 * KB,
    'Expected variables of at most 64 KB in all',
  ),
);
export type Variables = v.InferOutput<typeof VariablesSchema>;

/** A destination to ring: any address but an e-mail one, which VoIPBIN cannot call. */
const DestinationSchema = v.pipe(
  AddressSchema,
  v.forward(
    v.check((address) => address.type !== 'email', 'An e-mail address cannot be called'),
    ['type'],
  ),
);

/** VoIPBIN needs something to run: `actions` or a `flow_id` (reported on `actions`). */
const actionsOrFlow = v.forward(
  v.partialCheck(
    [['actions'], ['flow_id']],
    // VoIPBIN reads the nil UUID as "no flow", so it does not count as a `flow_id`.
    (request: { actions?: unknown[] | undefined; flow_id?: string | undefined }) =>
      request.actions !== undefined ||
      (request.flow_id !== undefined && request.flow_id !== NIL_UUID),
    'Expected `actions` (at least one) or `flow_id`',
  ),
  ['actions'],
);

/**
 * The schema of the body of `POST /v1.0/calls` whose actions `action` checks. The client builds
 * it from the action schemas it is given, so an app bundles only the actions it sends.
 * Give `actions` (an inline flow) or `flow_id` (an existing flow); when both are given VoIPBIN
 * runs `flow_id` and ignores `actions`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function createCallRequestSchema<const TAction extends v.GenericSchema>(action: TAction) {
  const request = v.strictObject({
    source: AddressSchema,
    destinations: v.pipe(
      v.array(DestinationSchema),
      v.minLength(1, 'Expected at least one destination'),
    ),
    actions: v.optional(v.pipe(v.array(action), v.minLength(1, 'Expected at least one action'))),
    flow_id: v.optional(UuidSchema),
    anonymous: v.optional(AnonymousSchema),
    variables: v.optional(VariablesSchema),
  });
  // The check is typed for any request; a check's output is its input, which the cast says.
  return v.pipe(
    request,
    actionsOrFlow as unknown as v.CheckAction<v.InferOutput<typeof request>, string>,
  );
}

/** The body of `POST /v1.0/calls`, with any action; see `createCallRequestSchema`. */
const createCallRequestSchemaOfAll = /* @__PURE__ */ createCallRequestSchema(ActionByTypeSchema);
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface CreateCallRequestSchemaType
  extends Readonly<typeof createCallRequestSchemaOfAll> {}
export const CreateCallRequestSchema: CreateCallRequestSchemaType = createCallRequestSchemaOfAll;
export type CreateCallRequest = v.InferInput<typeof CreateCallRequestSchema>;
/** The body of `POST /v1.0/calls` with the actions `TAction` checks. */
export type CreateCallRequestWith<TAction extends v.GenericSchema> = v.InferInput<
  ReturnType<typeof createCallRequestSchema<TAction>>
>;
