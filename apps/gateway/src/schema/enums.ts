import type { EnumRef, SchemaTypes } from '@pothos/core';
import { builder, type Types } from '../builder.ts';

/** The internal value of `UNKNOWN`: a value VoIPBIN sent that this gateway does not know yet. */
export const UNKNOWN = '\u0000unknown';

/** The comparisons of VoIPBIN's conditions, named as its Go constants name them. */
const OPERATORS: Record<string, string> = {
  '==': 'EQUAL',
  '!=': 'NOT_EQUAL',
  '>': 'GREATER',
  '>=': 'GREATER_EQUAL',
  '<': 'LESS',
  '<=': 'LESS_EQUAL',
};

/** `sip-service` -> `SIP_SERVICE`, `""` -> `NONE`, `>=` -> `GREATER_EQUAL`. */
export const screaming = (value: string) =>
  value === '' ? 'NONE' : (OPERATORS[value] ?? value.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase());

/**
 * A GraphQL enum over VoIPBIN's values, in SCREAMING_CASE. `open` enums (those of answers)
 * get an `UNKNOWN` value so that a value VoIPBIN adds later does not fail the whole answer.
 */
export function voipbinEnum(
  name: string,
  values: readonly string[],
  description: string,
  { open = true }: { open?: boolean } = {},
) {
  const known = new Set(values);
  // Resolvers return VoIPBIN's raw strings (or UNKNOWN); the enum maps them to names.
  const ref = builder.enumType(name, {
    description,
    values: {
      ...Object.fromEntries(
        values.map((value) => [
          screaming(value),
          { value, description: `VoIPBIN's \`${value}\`.` },
        ]),
      ),
      ...(open
        ? { UNKNOWN: { value: UNKNOWN, description: 'A value this gateway does not know yet.' } }
        : {}),
    },
  }) as unknown as EnumRef<Types & SchemaTypes, string, string>;
  /** Maps an answer's value to the enum's: null stays null, a new value is UNKNOWN (or null when closed). */
  const read = (value: string | null | undefined): string | null =>
    value == null ? null : known.has(value) ? value : open ? UNKNOWN : null;
  return { ref, read };
}
