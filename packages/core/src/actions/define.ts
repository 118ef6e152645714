/**
 * What the action modules share: the shape of an action, the option fields several actions use,
 * and the check of a set of actions by `type`. Only functions and two tiny schemas live here, so
 * an app that imports one action pays for that action alone.
 */
import * as v from 'valibot';
import { AddressSchema } from '../address.ts';
import { UuidSchema } from '../primitives.ts';

/** The schema of one action (`TalkActionSchema`, ...): a strict object whose `type` is a literal. */
export type ActionSchemaLike = v.StrictObjectSchema<
  { readonly type: v.LiteralSchema<string, undefined> } & v.ObjectEntries,
  undefined
>;

/** One flow step of type `type`; `option` is required when its schema is. */
/* @__NO_SIDE_EFFECTS__ */
export function actionSchema<const T extends string, const O extends v.GenericSchema>(
  type: T,
  option: O,
) {
  return v.strictObject({
    id: v.optional(UuidSchema),
    next_id: v.optional(UuidSchema),
    type: v.literal(type),
    option,
  });
}

/** Options of an action the spec gives no options for. */
export const NoOptionSchema = v.strictObject({});
/**
 * Options left open: any JSON object. No action uses it any more (VoIPBIN's option.go gives
 * every action its fields); kept for apps that built on it.
 */
export const OpenOptionSchema = v.record(v.string(), v.unknown());

// Option fields of several actions. Functions, not constants: one an app does not use costs nothing.
export const text = () => v.string();
export const nonEmptyText = () => v.pipe(v.string(), v.nonEmpty('Expected a non-empty string'));
export const url = () =>
  v.pipe(v.string(), v.url('Expected an absolute URL such as https://example.com/a'));
export const destinations = () =>
  v.pipe(v.array(AddressSchema), v.minLength(1, 'Expected at least one destination'));
/** A comparison of `condition_datetime` and `condition_variable` (`OptionConditionCommonCondition`). */
export const condition = () => v.picklist(['==', '!=', '>', '>=', '<', '<=']);
export const dtmfKeys = () =>
  v.pipe(v.string(), v.regex(/^[0-9ABCD#*]*$/, 'Expected DTMF keys: 0-9, A-D, # or *'));

/**
 * Checks an action by its `type` against one of `variant`'s options, found in one look-up.
 * valibot's `variant` tries its options in turn and builds an issue for each miss: with the 40
 * actions `talk`, the 35th, took 3.1 µs instead of 0.4. A missing or unknown `type` (or a
 * non-object) falls back to the variant, for its error: for any plain or JSON input the output
 * and issues are the variant's (a `type` getter is read once, not once per option).
 */
/* @__NO_SIDE_EFFECTS__ */
export function byType<
  const TVariant extends v.VariantSchema<
    'type',
    readonly ActionSchemaLike[],
    v.ErrorMessage<v.VariantIssue> | undefined
  >,
>(variant: TVariant) {
  const schemaOf = new Map<unknown, v.GenericSchema>(
    variant.options.map((schema) => [schema.entries.type.literal, schema]),
  );
  return v.lazy(
    (input) =>
      (schemaOf.get((input as { type?: unknown } | null | undefined)?.type) ?? variant) as TVariant,
  );
}
