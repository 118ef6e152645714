import type { Call } from '@voipbin-kit/core';
import type { Context } from '../context.ts';
import { gatewayError } from '../error-codes.ts';
import { publishQuietly } from '../events/source.ts';
import { log } from '../log.ts';
import type { OwnedKind } from '../security/ownership.ts';

/** The answer to a call not found, or not the caller's: the same, so ids cannot be probed. */
export const noSuchCall = () => gatewayError('NOT_FOUND', 'No call with this id');

/** Throws `noSuchCall()` unless call `id` is the caller's (any is, for the whole account). */
export async function ownCall(ctx: Context, id: string): Promise<void> {
  if (ctx.owner !== null && !(await ctx.calls.load(id))) throw noSuchCall();
}

/**
 * Records the caller as the owner of what it just made. Never throws: the thing exists by now,
 * and its ids must reach the caller whatever happens (a store that fails is logged, by name).
 */
export async function recordOwned(
  ctx: Context,
  owned: Partial<Record<OwnedKind, readonly string[]>>,
): Promise<void> {
  const { owner } = ctx;
  if (owner === null) return;
  const kinds = Object.entries(owned) as [OwnedKind, readonly string[]][];
  try {
    await Promise.all(kinds.map(([kind, ids]) => ctx.security.ownership.record(owner, kind, ids)));
  } catch (error) {
    const what = kinds.map(([kind, ids]) => `${kind} ${ids.join(', ')}`).join('; ');
    log.line(
      'error',
      `the owner of ${what} could not be recorded: ${error instanceof Error ? error.name : 'error'}`,
      { requestId: ctx.requestId },
    );
  }
}

/**
 * Hands a new state of the caller's call to live subscribers at once, whatever the source,
 * named as the caller's: `callEvents` knows whose it is without asking the store.
 */
export function announce(ctx: Context, call: Call): void {
  publishQuietly(ctx.events.hub, call, {
    account: ctx.upstream.key,
    ...(ctx.owner === null ? {} : { owner: ctx.owner }),
  });
}
