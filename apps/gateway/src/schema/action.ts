/**
 * Flow actions. `ActionInput` is generated from core's valibot schemas, one `@oneOf` field per
 * action type, so the GraphQL inputs cannot drift from what core validates; the same walk
 * turns an input back into VoIPBIN's JSON.
 */
import {
  ACTION_TYPES,
  ActionSchema,
  AddressSchema,
  AnonymousSchema,
  type ResponseAction,
} from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import { camel, isOpen, optionOf, pascal, type Schema, unwrap } from '../mapping.ts';
import { AddressInput } from './address.ts';
import { voipbinEnum } from './enums.ts';

export const ActionRef = builder.objectRef<ResponseAction>('Action').implement({
  description: 'A step of a flow (VoIPBIN `FlowManagerAction`); a call shows the one running.',
  fields: (t) => ({
    // VoIPBIN's spec requires an action's id; an answer without one fails this field only.
    id: t.id({ description: 'The step id (`id`).', resolve: (a) => a.id as string }),
    nextId: t.exposeID('next_id', {
      nullable: true,
      description: 'The step that follows, when not the next in order (`next_id`).',
    }),
    type: t.string({
      description:
        'The action type, e.g. `talk` (`type`); new VoIPBIN types come through as they are.',
      resolve: (a) => a.type ?? '',
    }),
    option: t.expose('option', {
      type: 'JSONObject',
      nullable: true,
      description: "The action's options as VoIPBIN has them (`option`).",
    }),
    executedAt: t.expose('tm_execute', {
      type: 'DateTime',
      nullable: true,
      description: 'When the step started (`tm_execute`).',
    }),
  }),
});

// ---- generated inputs ------------------------------------------------------------------

export const AnonymousMode = voipbinEnum(
  'AnonymousMode',
  AnonymousSchema.options,
  'Whether VoIPBIN hides the caller ID on PSTN legs (`anonymous`).',
  { open: false },
);
const enums = new Map<unknown, ReturnType<typeof voipbinEnum>>([[AnonymousSchema, AnonymousMode]]);

/**
 * Gives a schema's picklist a GraphQL enum of its own name, instead of one named after its
 * field; `values` may leave out some of the schema's (VoIPBIN's `''`, which a GraphQL input
 * says by leaving the field out).
 */
export function namedEnum(
  schema: unknown,
  name: string,
  values: readonly string[],
  description: string,
) {
  const e = voipbinEnum(name, values, description, { open: false });
  enums.set(schema, e);
  return e;
}

/** Enums that several actions share, by their values. */
const SHARED_ENUMS: Record<string, string> = {
  '|gcp|aws': 'TranscribeProvider',
  'both|in|out': 'TranscribeDirection',
  '==|!=|>|>=|<|<=': 'ConditionOperator',
};

const sharedEnums = new Map<string, ReturnType<typeof voipbinEnum>>();

// biome-ignore lint/suspicious/noExplicitAny: generated types are checked at run time by core
type AnyRef = any;

/** Whether `schema`'s pipe has a `type` action, also in a piped schema (`v.pipe(DurationSchema, ...)`). */
const piped = (schema: Schema, type: string): boolean =>
  schema.pipe?.some(
    (a) => a.type === type || (a !== schema && 'pipe' in a && piped(a as Schema, type)),
  ) ?? false;

/** The GraphQL input type of a valibot schema, and whether the field is a list. */
export function graphqlType(
  schema: Schema,
  owner: string,
  field: string,
): { type: AnyRef; list: boolean } {
  const s = unwrap(schema).schema;
  if (s === (AddressSchema as unknown)) return { type: AddressInput, list: false };
  if (s === (ActionSchema as unknown)) return { type: ActionInput, list: false };
  switch (s.type) {
    case 'array':
      return { type: graphqlType(s.item as Schema, owner, field).type, list: true };
    case 'string':
      return { type: piped(s, 'uuid') ? 'ID' : 'String', list: false };
    case 'number':
      return { type: piped(s, 'integer') ? 'Int' : 'Float', list: false };
    case 'boolean':
      return { type: 'Boolean', list: false };
    case 'picklist': {
      const values = s.options as string[];
      let e = enums.get(s);
      if (!e) {
        const shared = SHARED_ENUMS[values.join('|')];
        const name = shared ?? `${owner}${pascal(field)}`;
        // A shared enum is made once, whichever schema object carries its values.
        e =
          (shared && sharedEnums.get(shared)) ||
          voipbinEnum(name, values, `Values of VoIPBIN's \`${field}\` option.`, { open: false });
        if (shared) sharedEnums.set(shared, e);
        enums.set(s, e);
      }
      return { type: e.ref, list: false };
    }
    case 'strict_object':
    case 'object':
      return {
        type: objectInput(`${owner}${pascal(field)}Input`, s, `Options of \`${field}\`.`),
        list: false,
      };
    default:
      return { type: 'JSONObject', list: false };
  }
}

/**
 * A GraphQL input type with a field per key of a valibot object schema (camelCase names,
 * optional where the schema's key is), its enums and nested inputs generated alike.
 */
export function objectInput(
  name: string,
  schema: Schema,
  description: string,
  extra?: (t: AnyRef) => Record<string, AnyRef>,
) {
  return builder.inputType(name, {
    description,
    fields: (t: AnyRef) => ({
      ...extra?.(t),
      ...Object.fromEntries(
        Object.entries(unwrap(schema).schema.entries ?? {}).map(([key, entry]) => {
          const owner = name.replace(/(Action)?Input$/, '');
          const { type, list } = graphqlType(entry, owner, key);
          const required = !unwrap(entry).optional;
          return [
            camel(key),
            t.field({
              type: list ? [type] : type,
              required: list ? { list: required, items: true } : required,
              description: `VoIPBIN's \`${key}\` option.`,
            }),
          ];
        }),
      ),
    }),
  });
}

const ids = (t: AnyRef) => ({
  id: t.id({ description: 'The step id (`id`); VoIPBIN makes one when left out.' }),
  nextId: t.id({ description: 'The step to run next, when not the following one (`next_id`).' }),
});

export const ActionInput: AnyRef = builder.inputType('ActionInput', {
  description:
    'One flow step: set exactly one field, named after the action type (`talk`, `play`, `digitsReceive`, ...). Options follow VoIPBIN `FlowManagerActionOption*`.',
  isOneOf: true,
  fields: (t: AnyRef) =>
    Object.fromEntries(
      ACTION_TYPES.map((type) => {
        const name = `${pascal(type)}ActionInput`;
        const description = `A \`${type}\` step and its options (VoIPBIN \`FlowManagerActionOption${pascal(type)}\`).`;
        const input = isOpen(type)
          ? builder.inputType(name, {
              description,
              fields: (f: AnyRef) => ({
                ...ids(f),
                option: f.field({
                  type: 'JSONObject',
                  description: 'Options, passed as they are (`option`).',
                }),
              }),
            })
          : objectInput(name, optionOf.get(type) as Schema, description, ids);
        return [
          camel(type),
          t.field({ type: input, description: `VoIPBIN's \`${type}\` action.` }),
        ];
      }),
    ),
});
