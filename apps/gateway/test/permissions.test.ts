/**
 * Permissions are declared on the schema (@pothos/plugin-scope-auth), not in resolvers: these
 * tests read the built schema, so a new field or type without its rule fails here.
 */
import { type GraphQLField, type GraphQLNamedType, getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/index.ts';

/** The types VoIPBIN answers that belong to someone: each shown only to its owner. */
const OWNED = ['Call', 'Groupcall', 'Flow'];

// biome-ignore lint/suspicious/noExplicitAny: Pothos keeps its options untyped in extensions
type Extensions = Record<string, any>;
const options = (thing: { extensions?: unknown }) =>
  ((thing.extensions as Extensions | undefined)?.pothosOptions ?? {}) as Extensions;

/** Every field of every object type, with its type's name. */
function everyField(): { type: GraphQLNamedType; field: GraphQLField<unknown, unknown> }[] {
  return Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ type, field })));
}

/** Whether a field computes its value (a resolver of its own), rather than exposing its parent's. */
const resolves = (field: GraphQLField<unknown, unknown>) =>
  !(field.extensions as Extensions).pothosExposedField;

/** Whether values of `type` can hold owned objects (directly or in a field of theirs, e.g. a page). */
function holdsOwned(type: GraphQLNamedType, seen = new Set<string>()): boolean {
  if (OWNED.includes(type.name)) return true;
  if (!isObjectType(type) || seen.has(type.name) || type.name === 'Query') return false;
  seen.add(type.name);
  return Object.values(type.getFields()).some((f) => holdsOwned(getNamedType(f.type), seen));
}

describe('permissions declared on the schema', () => {
  it('needs calls:read for every query and subscription and calls:create for every mutation, by default', () => {
    expect(options(schema.getQueryType() ?? {}).authScopes).toEqual({ read: true });
    expect(options(schema.getMutationType() ?? {}).authScopes).toEqual({ create: true });
    expect(options(schema.getSubscriptionType() ?? {}).authScopes).toEqual({ read: true });
    // No root field opts out of its type's rule.
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    for (const root of roots) {
      for (const field of Object.values(root?.getFields() ?? {})) {
        expect(options(field).skipTypeScopes, `${root?.name}.${field.name}`).toBeFalsy();
      }
    }
  });

  it('shows a call, a group call or a flow only through its ownership rule', () => {
    for (const name of OWNED) {
      const type = schema.getType(name);
      expect(type && typeof options(type).authScopes, name).toBe('function');
    }
  });

  it('gives every field that fetches or computes owned objects a rule of its own', () => {
    const missing = everyField()
      .filter(({ type }) => !['Query', 'Mutation', 'Subscription'].includes(type.name))
      .filter(({ field }) => resolves(field) && holdsOwned(getNamedType(field.type)))
      .filter(({ field }) => !options(field).authScopes)
      .map(({ type, field }) => `${type.name}.${field.name}`);
    expect(missing).toEqual([]);
  });

  it('knows which fields fetch related calls: each needs calls:read and may be null', () => {
    const fetching = everyField()
      .filter(({ type }) => OWNED.includes(type.name))
      .filter(({ field }) => resolves(field) && holdsOwned(getNamedType(field.type)));
    expect(fetching.map(({ type, field }) => `${type.name}.${field.name}`).sort()).toEqual([
      'Call.chainedCalls',
      'Call.masterCall',
      'Groupcall.calls',
    ]);
    for (const { field } of fetching) {
      expect(options(field).authScopes).toEqual({ read: true });
      // A failed lookup nulls this field, never the payload that holds it.
      expect(String(field.type).endsWith('!'), field.name).toBe(false);
    }
  });
});
