import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import type { Context } from './context.ts';
import { gatewayError } from './error-codes.ts';
import { SCOPES } from './security/auth.ts';

/** The scopes a field or type may require, each a scope of the caller's credential. */
type Scopes = { [K in keyof typeof SCOPES]: boolean };

/** The Pothos builder: the context type, the scalars and the permission rules; the types live in `schema/`. */
export interface Types {
  Context: Context;
  DefaultFieldNullability: false;
  AuthScopes: Scopes;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}

/** The first scope a failed check names, to say which one is missing. */
function missingScope(failure: AuthFailure): string | undefined {
  if (failure.kind === 'AuthScope') return SCOPES[failure.scope as keyof typeof SCOPES];
  if (failure.kind === 'AnyAuthScopes' || failure.kind === 'AllAuthScopes') {
    for (const inner of failure.failures) {
      const scope = missingScope(inner);
      if (scope) return scope;
    }
  }
  return undefined;
}

export const builder = new SchemaBuilder<Types>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin],
  scopeAuth: {
    // A type's rule runs once per object (its isTypeOf), not once per field.
    runScopesOnType: true,
    // A subscription's scopes are checked when it opens, before anything is followed (each
    // event still passes the `Call` type's ownership rule).
    authorizeOnSubscribe: true,
    authScopes: ({ principal }) => ({
      read: principal.scopes.has(SCOPES.read),
      create: principal.scopes.has(SCOPES.create),
      control: principal.scopes.has(SCOPES.control),
      admin: principal.scopes.has(SCOPES.admin),
    }),
    unauthorizedError: (_parent, _ctx, _info, { failure }) => {
      const scope = missingScope(failure);
      return scope
        ? gatewayError('FORBIDDEN', `This needs the scope ${scope}`, { http: { status: 403 } })
        : // A call, group call or flow that is not the caller's: as if there were none.
          gatewayError('NOT_FOUND', 'Not found');
    },
  },
});

// Every field of Query needs `calls:read` and every field of Mutation `calls:create`, unless it
// says more; a field with no rule of its own still has its type's (test/permissions.test.ts).
builder.queryType({ description: 'Read calls and flows.', authScopes: { read: true } });
builder.mutationType({
  description: 'Place calls, hang them up, create flows.',
  authScopes: { create: true },
});
