import type { Call } from '@voipbin-kit/core';
import { type Context, reveal } from '../context.ts';
import { gatewayError } from '../error-codes.ts';
import { type FollowEvent, type Follower, followCall, followEvery } from '../events/follow.ts';
import { noSuchCall } from './owned.ts';

const follower = (ctx: Context): Follower => ({
  hub: ctx.events.hub,
  source: ctx.events.source,
  account: ctx.upstream,
  principal: ctx.principal.id,
  ...(ctx.expiresAt === undefined ? {} : { expiresAt: ctx.expiresAt }),
  ...(ctx.request ? { signal: ctx.request.signal } : {}),
});

/** Whether a call state `callEvents` receives is the caller's (ctx.owner, as everywhere). */
async function isCallers(ctx: Context, call: Call): Promise<boolean> {
  if (ctx.owner !== null) return (await ctx.events.hub.ownerOfCall(call)) === ctx.owner;
  // Pass-through: the customers this VoIPBIN token was seen acting as.
  if (ctx.principal.account) {
    return (
      call.customer_id !== null &&
      ctx.events.hub.customersOf(ctx.upstream.key).has(call.customer_id)
    );
  }
  // The server's account, seen whole (`calls:admin`, or no gateway auth).
  return true;
}

/** callUpdated: one call of the caller's, its current state first; another's, or none, NOT_FOUND. */
export const callUpdated = (ctx: Context, id: string) =>
  followCall(follower(ctx), id, () => ctx.calls.load(id), noSuchCall);

/**
 * What decides what a subscriber sees, as one key: the VoIPBIN account it follows, whose calls
 * (its owner, or the whole account, seen through a pass-through token or not) and its scopes.
 * Two subscribers with one audience are shown the same states and the same fields: they share
 * a `callEvents` feed, and one execution per state of a document (`src/shared-subscriptions.ts`).
 */
export function audienceOf(ctx: Context): string {
  const { upstream, owner, principal } = ctx;
  return JSON.stringify([
    upstream.key,
    owner,
    principal.account ?? null,
    [...principal.scopes].sort(),
  ]);
}

/** callEvents: every state of the caller's calls from now on. */
export const callEvents = (ctx: Context) =>
  followEvery(
    follower(ctx),
    { key: audienceOf(ctx), visible: (call) => isCallers(ctx, call) },
    // An account whose customer is not known yet (a pass-through token, or a gateway that
    // has placed nothing so far): one read teaches it, for the WebSocket topic and the filter.
    async () => {
      if (ctx.events.hub.customersOf(ctx.upstream.key).size > 0) return;
      const page = await ctx.voipbin.calls
        .list({ page_size: 1 }, ctx.upstreamOptions)
        .catch(() => null);
      for (const call of page?.result ?? []) {
        ctx.events.hub.learn(ctx.upstream.key, call.customer_id);
      }
    },
  );

/** A state for the caller, shown (the `Call` rule) and returned; or the error that ends the stream. */
export function deliver(event: FollowEvent, ctx: Context): Call {
  if ('call' in event) {
    reveal(ctx, event.call.id);
    return event.call;
  }
  throw event.end === 'expired'
    ? gatewayError('UNAUTHENTICATED', 'The credential expired: subscribe again with a fresh one')
    : gatewayError(
        'SUBSCRIPTION_OVERFLOW',
        'This subscriber read too slowly and fell 1,000 states behind',
      );
}
