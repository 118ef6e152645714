import { QUICKSTART } from './graphql.ts';

/** The quickstart call, asking for its id and status. */
export const PLACE = /* GraphQL */ `mutation {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
    actions: [{ talk: { text: "${QUICKSTART.text}", gender: FEMALE, language: "en-US" } }]
  }) { calls { id status } }
}`;

/** One call, live. */
export const CALL_UPDATED = /* GraphQL */ `subscription($id: ID!) {
  callUpdated(id: $id) { id status updatedAt hangupReason action { type } }
}`;

/** Every call of the caller, live. */
export const CALL_EVENTS = /* GraphQL */ `subscription { callEvents { id status updatedAt } }`;

/** Statuses in order, consecutive repeats (a new action, same status) folded into one. */
export function statusesOf(statuses: (string | undefined)[]): (string | undefined)[] {
  return statuses.filter((status, i, all) => status !== all[i - 1]);
}

/**
 * The quickstart call's life, as subscribers must see it: each status once, in this order;
 * TERMINATING (200 ms between the last action and the hangup, which a poll may miss) may come
 * before HANGUP.
 */
export const LIFE = [
  ['DIALING', 'RINGING', 'PROGRESSING', 'HANGUP'],
  ['DIALING', 'RINGING', 'PROGRESSING', 'TERMINATING', 'HANGUP'],
];

/** Waits until `ready()` holds, checking every 20 ms, for at most `timeoutMs`; then says what failed. */
export async function until(ready: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A time of VoIPBIN's (RFC 3339, 0 to 9 fraction digits, trailing zeros trimmed) as text whose
 * order is time order; null (a new call's unset `tm_update`) first.
 */
export const timeOrder = (time: string | null | undefined): string =>
  time == null ? '' : time.replace(/(?:\.(\d+))?Z$/, (_m, f = '') => `.${f.padEnd(9, '0')}Z`);
