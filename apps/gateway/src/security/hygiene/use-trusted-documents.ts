import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { type DocumentNode, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Ids of a trusted document: `extensions.persistedQuery.sha256Hash` (version 1) or `documentId`. */
function extractDocumentId(params: Record<string, unknown>, request: Request): string | null {
  const persisted = (
    params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } }
  )?.persistedQuery;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === 'string')
    return persisted.sha256Hash;
  if (typeof params.documentId === 'string') return params.documentId;
  if (request.method === 'GET') return new URL(request.url).searchParams.get('documentId');
  return null;
}

/**
 * Trusted documents: only `documents` (hash or id -> document) run, asked for by hash
 * (`extensions.persistedQuery.sha256Hash`, as Apollo's persisted queries send it, or a
 * `documentId` in the body or the URL); any other document is refused (`PERSISTED_QUERY_*`).
 * Throws at once on a registered document that does not parse.
 */
export function useTrustedDocuments(documents: Record<string, string>): Plugin {
  // Parsed once, here: a registered document that does not parse is a configuration error.
  const parsed = new Map<string, DocumentNode>();
  for (const [id, document] of Object.entries(documents)) {
    try {
      parsed.set(id, parse(document));
    } catch (error) {
      throw new Error(`Trusted document ${id} does not parse: ${(error as Error).message}`);
    }
  }
  return usePersistedOperations({
    allowArbitraryOperations: false,
    extractPersistedOperationId: (params, request) =>
      extractDocumentId(params as unknown as Record<string, unknown>, request),
    // A Map lookup: `__proto__` or `constructor` is no document.
    getPersistedOperation: (id) => parsed.get(id) ?? null,
    customErrors: {
      persistedQueryOnly: {
        message:
          'This gateway only runs trusted documents: send the hash of a registered document as extensions.persistedQuery.sha256Hash (or documentId), not a query.',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      keyNotFound: {
        message:
          'This gateway only runs trusted documents: send the hash of a registered document as extensions.persistedQuery.sha256Hash (or documentId).',
        extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
      },
      notFound: {
        message: 'No trusted document is registered under this hash.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
    },
  });
}
