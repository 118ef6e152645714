import type { CallState } from './documents.ts';
import { compareTimes } from './timeline.ts';

/** The recent calls as the panel holds them: newest first, one entry per call id. */
export interface RecentList {
  calls: readonly CallState[];
  /** The `endCursor` of the last page taken: `after` for the next one. */
  endCursor: string | null;
  hasNextPage: boolean;
}

export type RecentEvent =
  /** A page of `calls` (newest first): its calls go after those held. */
  | {
      type: 'page';
      nodes: readonly CallState[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    }
  /** A state of one call (callEvents, or one the page placed): a call not held goes on top. */
  | { type: 'state'; call: CallState };

export const EMPTY_RECENT: RecentList = { calls: [], endCursor: null, hasNextPage: false };

/**
 * Whether `incoming` replaces `held` (same call): not when it is older by `updatedAt`, when it
 * has no `updatedAt` and the held one has (a call's first state has none), or when the held
 * state is the final HANGUP and the incoming one is not.
 */
export function supersedes(incoming: CallState, held: CallState): boolean {
  if (held.status === 'HANGUP' && incoming.status !== 'HANGUP') return false;
  if (incoming.updatedAt === null) return held.updatedAt === null;
  return compareTimes(incoming.updatedAt, held.updatedAt) >= 0;
}

/** `calls` with `call` taken: in its place if held (when newer), else on top or at the end. */
export function upsert(
  calls: readonly CallState[],
  call: CallState,
  where: 'top' | 'end',
): readonly CallState[] {
  const index = calls.findIndex((held) => held.id === call.id);
  if (index === -1) return where === 'top' ? [call, ...calls] : [...calls, call];
  const held = calls[index] as CallState;
  return held === call || !supersedes(call, held) ? calls : calls.with(index, call);
}

/** The list after `event`; the same object when nothing changed. */
export function recentReducer(list: RecentList, event: RecentEvent): RecentList {
  if (event.type === 'state') {
    const calls = upsert(list.calls, event.call, 'top');
    return calls === list.calls ? list : { ...list, calls };
  }
  const calls = event.nodes.reduce((taken, node) => upsert(taken, node, 'end'), list.calls);
  return { calls, endCursor: event.pageInfo.endCursor, hasNextPage: event.pageInfo.hasNextPage };
}
