import * as v from 'valibot';
import { normalize } from './normalize.ts';

/** A UUID in its 8-4-4-4-12 hex form; VoIPBIN does not restrict the version nibble. */
export const UuidSchema = v.pipe(v.string(), v.uuid('Expected a UUID such as 9b0c3f0e-...'));

/** An E.164 phone number: `+`, then 8 to 15 digits, no spaces or dashes. */
export const E164Schema = v.pipe(
  v.string(),
  v.regex(/^\+[1-9]\d{7,14}$/, 'Expected an E.164 phone number: "+" then 8 to 15 digits'),
);

/** A language tag such as `en-US`, as the talk and transcribe actions take it. */
export const LanguageSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'Expected a language tag such as en-US'),
);

/** A short text such as a name or a label. */
export const ShortTextSchema = v.pipe(
  v.string(),
  v.maxLength(255, 'Expected at most 255 characters'),
);

/** A non-negative whole number of milliseconds or seconds. */
export const DurationSchema = v.pipe(
  v.number(),
  v.integer('Expected a whole number'),
  v.minValue(0, 'Expected a number of at least 0'),
);

/** `anonymous`: whether VoIPBIN hides the caller ID on PSTN legs. */
export const AnonymousSchema = v.picklist(['yes', 'no', 'auto']);
export type Anonymous = v.InferOutput<typeof AnonymousSchema>;

/** A value of an enum VoIPBIN may grow: the known values, or any newer string. */
export type Open<T extends string> = T | (string & {});

/** A field of an answer that VoIPBIN may leave out or send as `null`, read by `schema` and mapped by `map`. */
export function loose<T extends v.GenericSchema, R>(
  schema: T,
  map: (value: v.InferOutput<T> | null) => R,
) {
  return v.pipe(v.optional(v.nullable(schema), null), v.transform(map));
}

/** A scalar of an answer, normalised: "unset" in any spelling becomes `null`. */
export function unset<T = string>() {
  return loose(v.string(), (value) => normalize(value) as T | null);
}

/**
 * A free text of an answer (a name, a label, a SIP target): `""` or a missing field becomes
 * `null`, anything else is kept as written. Unlike `unset()`, a text that looks like a
 * timestamp or a nil UUID is not rewritten.
 */
export const ResponseTextSchema = loose(v.string(), (text) => text || null);

/** An id of an answer: a nil UUID, `""` or a missing field becomes `null`. */
export const ResponseIdSchema = unset();

/** A timestamp of an answer as ISO 8601 UTC, or `null` when it has not happened. */
export const ResponseTimestampSchema = unset();

/** A list of ids in an answer; Go writes an empty list as `null`. */
export const ResponseIdListSchema = loose(v.array(v.string()), (ids) => ids ?? []);
