import SchemaBuilder from '@pothos/core';
import type { Context } from './context.ts';

/** The Pothos builder: the context type and the scalars; the types live in `schema/`. */
export interface Types {
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}

export const builder = new SchemaBuilder<Types>({ defaultFieldNullability: false });

builder.queryType({ description: 'Read calls and flows.' });
builder.mutationType({ description: 'Place calls, hang them up, create flows.' });
