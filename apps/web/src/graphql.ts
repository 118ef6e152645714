import { initGraphQLTada, type ResultOf, type TadaDocumentNode } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * `graphql()` typed from the gateway's committed schema (src/graphql-env.d.ts, generated from
 * apps/gateway/schema.graphql): a misspelt field or a wrong variable fails `tsc`.
 */
export const graphql = initGraphQLTada<{
  // Fragments spread into the documents' results as plain fields (no readFragment()).
  disableMasking: true;
  introspection: introspection;
  scalars: {
    /** ISO 8601 UTC, with VoIPBIN's precision (e.g. 2026-01-15T09:30:00.000000Z). */
    DateTime: string;
    JSONObject: Record<string, unknown>;
  };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

/** True when a selection result has a field gql.tada could not type (`unknown`: not in the schema). */
type HasUnknown<T> = unknown extends T
  ? true
  : T extends readonly (infer Item)[]
    ? HasUnknown<Item>
    : T extends object
      ? true extends { [K in keyof T]-?: HasUnknown<T[K]> }[keyof T]
        ? true
        : false
      : false;

/**
 * The document as it is, if every field it selects is in the schema; otherwise `tsc` fails here.
 * (gql.tada types an unknown field as `unknown` and reports it only in the editor's plugin.)
 * JSONObject fields (`Action.option`) read as records of unknown values: do not select them.
 */
// biome-ignore lint/suspicious/noExplicitAny: any document, whatever its result and variables.
export function checked<Document extends TadaDocumentNode<any, any>>(
  document: Document &
    (HasUnknown<ResultOf<Document>> extends true
      ? { 'a selected field is not in the schema': never }
      : unknown),
): Document {
  return document;
}
