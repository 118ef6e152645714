import type { Store } from './store.ts';

/** What a gateway principal owns: calls, the group calls that ring legs, flows. */
export type OwnedKind = 'call' | 'groupcall' | 'flow';

export interface OwnershipOptions {
  /** How long a record lasts after its last write, in ms. Default 30 days. */
  ttlMs?: number;
  /** The newest calls `calls` lists for one owner. Default 1,000. */
  maxListed?: number;
}

/** A page of an owner's calls, newest first, each with its cursor; `next` starts the following page. */
export interface OwnedPage {
  items: { id: string; cursor: string }[];
  next: string | null;
}

export interface Ownership {
  /** Records that `owner` placed or made these. Calls also enter the owner's list (`calls`). */
  record(owner: string, kind: OwnedKind, ids: readonly string[]): Promise<void>;
  /** Who owns `id`, or null when no record says (never placed here, or expired). */
  ownerOf(kind: OwnedKind, id: string): Promise<string | null>;
  /** The owner's calls, newest first, `first` at most, after the cursor `after`. */
  page(owner: string, first: number, after?: string | null): Promise<OwnedPage>;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Who placed each call, in `store` (memory, or Redis shared by every instance): one value a
 * resource (`owner:<kind>:<id>` -> owner id) and one index of call ids an owner
 * (`owned:<owner>`). Each write renews the record's TTL. A record that expired or was never
 * written reads as "not the caller's": it fails closed.
 */
export function createOwnership(store: Store, options: OwnershipOptions = {}): Ownership {
  const ttlMs = options.ttlMs ?? 30 * DAY;
  const maxListed = options.maxListed ?? 1_000;
  const key = (kind: OwnedKind, id: string) => `owner:${kind}:${id}`;
  const list = (owner: string) => `owned:${owner}`;

  return {
    async record(owner, kind, ids) {
      if (ids.length === 0) return;
      await Promise.all(ids.map((id) => store.set(key(kind, id), owner, ttlMs)));
      if (kind === 'call') await store.indexAdd(list(owner), ids, ttlMs, maxListed);
    },

    ownerOf(kind, id) {
      return store.get(key(kind, id));
    },

    async page(owner, first, after) {
      const before = after ? Number(after) : undefined;
      // A cursor this gateway did not make lists nothing rather than from the start.
      if (before !== undefined && !Number.isSafeInteger(before)) return { items: [], next: null };
      const entries = await store.indexPage(list(owner), first + 1, before);
      const page = entries.slice(0, first);
      const last = page.at(-1);
      return {
        items: page.map((entry) => ({ id: entry.member, cursor: String(entry.score) })),
        next: entries.length > first && last ? String(last.score) : null,
      };
    },
  };
}
