import type { Call } from '@voipbin-kit/core';

/**
 * A call state's place in time, comparable as a string: its `tm_update` (ISO 8601 as core
 * normalises it) with the fraction padded to nanoseconds, since VoIPBIN sends 6 digits and
 * others may send 3 or none. States of one call only move forward in this order.
 */
export function versionOf(call: Pick<Call, 'tm_update' | 'tm_create'>): string {
  const stamp = call.tm_update ?? call.tm_create ?? '';
  const match = /^(.{19})(?:\.(\d{1,9}))?Z$/.exec(stamp);
  if (!match) return '';
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}`;
}

/** Whether `call` is the last state a call can have: nothing comes after a hangup. */
export const isFinal = (call: Pick<Call, 'status'>): boolean => call.status === 'hangup';

/**
 * Remembers the newest state seen of each call, at most `max` calls (the least recently
 * updated go first), and says whether a state is newer: an older or equal one is a duplicate
 * or came late, and must not be delivered.
 */
export function createOrdering(max: number) {
  const newest = new Map<string, string>();
  return {
    /** True, and remembered, when `call` is newer than every state of it seen so far. */
    advance(call: Call): boolean {
      const version = versionOf(call);
      const seen = newest.get(call.id);
      if (seen !== undefined && version <= seen) return false;
      // Re-inserted: a Map iterates in insertion order, so the first key is the stalest.
      newest.delete(call.id);
      newest.set(call.id, version);
      if (newest.size > max) newest.delete(newest.keys().next().value as string);
      return true;
    },
    get size() {
      return newest.size;
    },
  };
}
