import * as v from 'valibot';
import {
  E164Schema,
  type Open,
  ResponseTextSchema,
  ShortTextSchema,
  UuidSchema,
  unset,
} from './primitives.ts';

/** The address types of VoIPBIN's `CommonAddress`. */
export const ADDRESS_TYPES = [
  'agent',
  'conference',
  'email',
  'extension',
  'line',
  'sip',
  'tel',
  'web_session',
] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

const common = {
  target_name: v.optional(ShortTextSchema),
  name: v.optional(ShortTextSchema),
  detail: v.optional(v.pipe(v.string(), v.maxLength(1024, 'Expected at most 1024 characters'))),
};
const NonEmptyTarget = v.pipe(
  v.string(),
  v.nonEmpty('Expected a target'),
  v.maxLength(255, 'Expected at most 255 characters'),
);

/**
 * An address to call from or to (`CommonAddress` in VoIPBIN's spec), checked by its type:
 * `tel` is E.164, `agent`/`conference` a UUID, `extension` a UUID `target` or a
 * `target_name`, `email` an e-mail address, `sip` a SIP URI (`sip:user@host` or `user@host`).
 */
const addressSchema = v.variant('type', [
  v.strictObject({ type: v.literal('tel'), target: E164Schema, ...common }),
  v.strictObject({ type: v.literal('agent'), target: UuidSchema, ...common }),
  v.strictObject({ type: v.literal('conference'), target: UuidSchema, ...common }),
  v.pipe(
    v.strictObject({
      type: v.literal('extension'),
      target: v.optional(UuidSchema),
      ...common,
    }),
    v.check(
      (address) => Boolean(address.target || address.target_name),
      'An extension needs its id in `target` or its name in `target_name`',
    ),
  ),
  v.strictObject({
    type: v.literal('email'),
    target: v.pipe(NonEmptyTarget, v.email('Expected an e-mail address')),
    ...common,
  }),
  v.strictObject({
    type: v.literal('sip'),
    target: v.pipe(
      NonEmptyTarget,
      v.regex(/^(?:sips?:)?[^\s@:]+@[^\s@]+$/, 'Expected a SIP URI such as sip:alice@example.com'),
    ),
    ...common,
  }),
  v.strictObject({ type: v.literal('line'), target: NonEmptyTarget, ...common }),
  v.strictObject({ type: v.literal('web_session'), target: NonEmptyTarget, ...common }),
]);
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface AddressSchemaType extends Readonly<typeof addressSchema> {}
export const AddressSchema: AddressSchemaType = addressSchema;
export type Address = v.InferOutput<typeof AddressSchema>;

/**
 * An address as VoIPBIN answers it: an unset `type` is `null` and unknown types are kept;
 * the other fields are free text, kept as written (`""` is `null`).
 */
export const ResponseAddressSchema = v.object({
  type: unset<Open<AddressType>>(),
  target: ResponseTextSchema,
  target_name: ResponseTextSchema,
  name: ResponseTextSchema,
  detail: ResponseTextSchema,
});
export type ResponseAddress = v.InferOutput<typeof ResponseAddressSchema>;
