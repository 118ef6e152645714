import type { Call, VoipbinClient } from '@voipbin-kit/core';
import { VoipbinApiError } from '@voipbin-kit/core';
import DataLoader from 'dataloader';
import { toGraphQLError } from './errors.ts';
import type { Principal, Security } from './security/index.ts';

/** What every resolver gets: the VoIPBIN client of this request and its loaders. */
export interface Context {
  voipbin: VoipbinClient;
  /** Calls by id, fetched once per request and in parallel (masterCall, chainedCalls, groupcall legs). */
  calls: DataLoader<string, Call | null>;
  /** Who is calling (`anonymous` without gateway auth). */
  principal: Principal;
  security: Security;
}

export function createContext(
  voipbin: VoipbinClient,
  principal: Principal,
  security: Security,
): Context {
  return {
    voipbin,
    principal,
    security,
    calls: new DataLoader(
      (ids) =>
        // VoIPBIN has no batch read: one GET per distinct id, all at once.
        Promise.all(
          ids.map((id) =>
            voipbin.calls.get(id).catch((error: unknown) => {
              if (error instanceof VoipbinApiError && error.httpStatus === 404) return null;
              // With its code (UPSTREAM_UNAVAILABLE, FORBIDDEN...), as the other fields' errors.
              const mapped = toGraphQLError(error);
              return mapped instanceof Error ? mapped : new Error(String(mapped));
            }),
          ),
        ),
      { maxBatchSize: 50 },
    ),
  };
}

/** The calls of `ids` through the request's loader, in order; unknown ones left out. */
export async function loadCalls(ctx: Context, ids: readonly string[]): Promise<Call[]> {
  const calls = await ctx.calls.loadMany(ids);
  const failed = calls.find((call) => call instanceof Error);
  if (failed) throw failed;
  return calls.filter((call): call is Call => call !== null && !(call instanceof Error));
}
