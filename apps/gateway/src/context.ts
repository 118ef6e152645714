import type { Call, VoipbinClient } from '@voipbin-kit/core';
import DataLoader from 'dataloader';
import { notFoundAsNull } from './errors.ts';
import type { Events, UpstreamAccount } from './events/index.ts';
import type { GatewayObserver } from './observer.ts';
import type { Principal, Security } from './security/index.ts';

/** What every resolver gets: the VoIPBIN client of this request, who calls, and its loaders. */
export interface Context {
  voipbin: VoipbinClient;
  /**
   * This request's id (src/request-id.ts): sent to VoIPBIN with every request made for it, as
   * `upstreamOptions` does, and in its log lines.
   */
  requestId: string;
  /** What every VoIPBIN request made for this one passes: its request id. */
  upstreamOptions: { requestId: string };
  /** Who is calling (`anonymous` without gateway auth). */
  principal: Principal;
  security: Security;
  /** Told what the request does (calls placed, rate-limit hits, replays), if anyone listens. */
  observer?: GatewayObserver;
  /** Whose calls this request sees: an owner id, or null for the whole account (`ownerOf`). */
  owner: string | null;
  /**
   * Calls by id, fetched once per request and in parallel (call, masterCall, chainedCalls,
   * group call legs); null when there is none or it is not the caller's: the same answer.
   */
  calls: DataLoader<string, Call | null>;
  /** Ids of what this request has shown to be the caller's: the `Call`, `Groupcall` and `Flow` rules read it. */
  visible: Set<string>;
  /** Live call status: the hub subscriptions listen to and the source that feeds it. */
  events: Events;
  /** The VoIPBIN account this request acts on, as an event source needs it. */
  upstream: UpstreamAccount;
  /** When the caller's credential expires (epoch ms), if it does: a subscription ends then. */
  expiresAt: number | undefined;
  /** The HTTP request (Yoga adds it to every context): its signal says when the client goes. */
  request?: Request;
}

/** What `createContext` makes a request's context of. */
export interface ContextParts {
  voipbin: VoipbinClient;
  requestId: string;
  principal: Principal;
  security: Security;
  observer?: GatewayObserver;
  owner: string | null;
  events: Events;
  upstream: UpstreamAccount;
  expiresAt?: number | undefined;
}

/** How many `master_call_id` links a call's ownership is followed up (a chained call's master...). */
const MAX_LINKS = 3;

export function createContext(parts: ContextParts): Context {
  const { voipbin, security, owner } = parts;
  const upstreamOptions = { requestId: parts.requestId };
  const visible = new Set<string>();
  const { ownership } = security;

  /**
   * Whether `call`, which no record names, is `owner`'s: a leg of its group call, or chained
   * to one of its calls (legs and chained calls are made by VoIPBIN, after createCall
   * answered). A call found that way is recorded, so `calls` lists it from then on. A master
   * that cannot be read proves nothing: the call is then not the caller's (fail closed).
   */
  const ownsUnrecorded = async (owner: string, call: Call, links = 0): Promise<boolean> => {
    let owned = false;
    if (call.groupcall_id) {
      owned = (await ownership.ownerOf('groupcall', call.groupcall_id)) === owner;
    }
    if (!owned && call.master_call_id && links < MAX_LINKS) {
      const master = await voipbin.calls
        .get(call.master_call_id, upstreamOptions)
        .catch(() => null);
      if (master) {
        const recorded = await ownership.ownerOf('call', master.id);
        owned =
          recorded !== null ? recorded === owner : await ownsUnrecorded(owner, master, links + 1);
      }
    }
    // The answer stands without the record: a store that fails here costs only the listing.
    if (owned) await ownership.record(owner, 'call', [call.id]).catch(() => {});
    return owned;
  };

  const load = async (id: string): Promise<Call | null> => {
    // Someone else's by its record: not even asked upstream.
    const recorded = owner === null ? null : await ownership.ownerOf('call', id);
    if (recorded !== null && recorded !== owner) return null;
    const call = await voipbin.calls.get(id, upstreamOptions).catch(notFoundAsNull);
    if (!call) return null;
    if (owner !== null && recorded === null && !(await ownsUnrecorded(owner, call))) return null;
    // Whose calls this account's event stream carries (pass-through subscriptions filter by it).
    parts.events.hub.learn(parts.upstream.key, call.customer_id);
    visible.add(call.id);
    return call;
  };

  return {
    ...parts,
    upstreamOptions,
    expiresAt: parts.expiresAt,
    visible,
    calls: new DataLoader(
      // VoIPBIN has no batch read: one GET per distinct id, all at once; an error stays that id's.
      (ids) => Promise.all(ids.map((id) => load(id).catch((error: unknown) => toError(error)))),
      { maxBatchSize: 50 },
    ),
  };
}

const toError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/**
 * The calls of `ids` through the request's loader, in order, each null when there is none or
 * it is another's; the first lookup that failed is thrown.
 */
export async function loadEach(ctx: Context, ids: readonly string[]): Promise<(Call | null)[]> {
  const calls = await ctx.calls.loadMany(ids);
  const failed = calls.find((call) => call instanceof Error);
  if (failed) throw failed;
  return calls as (Call | null)[];
}

/** The calls of `ids` through the request's loader, in order; unknown ones (or others') left out. */
export async function loadCalls(ctx: Context, ids: readonly string[]): Promise<Call[]> {
  return (await loadEach(ctx, ids)).filter((call) => call !== null);
}

/** Marks what a resolver got from VoIPBIN for this caller as visible (its own, just made or read). */
export function reveal(ctx: Context, ...ids: string[]): void {
  for (const id of ids) ctx.visible.add(id);
}
