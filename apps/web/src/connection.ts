import { createContext, useContext, useSyncExternalStore } from 'react';

/** Whether the page's live streams reach the gateway: all do, or one is reconnecting. */
export type Connection = 'online' | 'reconnecting';

/**
 * The state of the page's live streams, as graphql-sse reports each one (`connecting` again
 * after a drop, `connected` once it streams again): reconnecting while any stream is.
 */
export interface ConnectionState {
  get(): Connection;
  subscribe(listener: () => void): () => void;
  /** Marks stream `id` as down (true) or up (false); a finished stream is up. */
  mark(id: number, down: boolean): void;
}

export function createConnectionState(): ConnectionState {
  const down = new Set<number>();
  const listeners = new Set<() => void>();
  let current: Connection = 'online';
  return {
    get: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    mark(id, isDown) {
      if (isDown) down.add(id);
      else down.delete(id);
      const next: Connection = down.size > 0 ? 'reconnecting' : 'online';
      if (next === current) return;
      current = next;
      for (const listener of listeners) listener();
    },
  };
}

/** The page's connection state; without a provider, always online (as in unit tests). */
export const ConnectionContext = createContext<ConnectionState>(createConnectionState());

/** The current connection, re-rendering when it changes. */
export function useConnection(): Connection {
  const state = useContext(ConnectionContext);
  return useSyncExternalStore(state.subscribe, state.get, state.get);
}
