/** What isolates and the `CallEvents` objects (events-object.ts) say to each other. */
import type { FanoutMessage } from '../events/hub.ts';

/** A state, as every socket of an object receives it: the hub's fanout message. */
export type CallMessage = FanoutMessage;

/** The call id of the object that follows every call of an account (`callEvents`). */
export const EVERY_CALL = '*';

/** The `from` of a state an object polled: no isolate's, so every isolate delivers it. */
export const POLLED_BY = 'durable-object';

export { SERVER_ACCOUNT } from '../events/source.ts';

/** The headers of a subscription's WebSocket upgrade: what it follows, for which account. */
export const WATCH_HEADERS = {
  call: 'x-watch-call',
  account: 'x-watch-account',
} as const;

/** The object that holds the states of `callId` (or of every call) of `account`. */
export const objectName = (account: string, callId: string) => `${account} ${callId}`;
