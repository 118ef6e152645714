import { GraphQLError, Kind } from 'graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { builder, type Types } from '../builder.ts';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

// Our own rather than graphql-scalars' DateTime: that one goes through `Date` and would drop
// the microseconds VoIPBIN sends.
builder.scalarType('DateTime', {
  description:
    'An instant as an ISO 8601 UTC string, with the precision VoIPBIN gave (e.g. 2026-01-15T09:30:00.000000Z).',
  serialize: (value) => String(value),
  parseValue(value) {
    if (typeof value === 'string' && ISO_UTC.test(value)) return value;
    throw new GraphQLError('DateTime must be an ISO 8601 UTC string such as 2026-01-15T09:30:00Z');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && ISO_UTC.test(ast.value)) return ast.value;
    throw new GraphQLError('DateTime must be an ISO 8601 UTC string such as 2026-01-15T09:30:00Z');
  },
});

builder.addScalarType('JSONObject', JSONObjectResolver, {
  description: 'A JSON object, passed through as VoIPBIN has it.',
});

interface Timestamped {
  tm_create: string | null;
  tm_update: string | null;
  tm_delete: string | null;
}

/** `createdAt`, `updatedAt`, `deletedAt` of a VoIPBIN resource, as DateTime (null when unset). */
export const timestampFields = <T extends Timestamped>(
  t: PothosSchemaTypes.ObjectFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<Types>, T>,
) => ({
  createdAt: t.expose('tm_create' as never, {
    type: 'DateTime',
    nullable: true,
    description: 'When it was created (`tm_create`).',
  }),
  updatedAt: t.expose('tm_update' as never, {
    type: 'DateTime',
    nullable: true,
    description: 'When it last changed (`tm_update`).',
  }),
  deletedAt: t.expose('tm_delete' as never, {
    type: 'DateTime',
    nullable: true,
    description: 'When it was deleted (`tm_delete`).',
  }),
});
