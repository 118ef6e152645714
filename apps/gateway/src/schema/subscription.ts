import { builder } from '../builder.ts';
import { callEvents, callUpdated, deliver } from '../calls/index.ts';
import { CallRef } from './refs.ts';

builder.subscriptionType({
  description:
    'Follow calls live, over Server-Sent Events (`Accept: text/event-stream`). Each state of a call comes once, in order; never an older one after a newer.',
  authScopes: { read: true },
});

builder.subscriptionFields((t) => ({
  callUpdated: t.field({
    type: CallRef,
    description:
      "One call, live: its current state first, then each change (VoIPBIN's call events); completes after HANGUP. Another's call, or none, answers NOT_FOUND.",
    args: { id: t.arg.id({ required: true, description: 'The call id.' }) },
    subscribe: (_, { id }, ctx) => callUpdated(ctx, id),
    resolve: (event, _, ctx) => deliver(event, ctx),
  }),
  callEvents: t.field({
    type: CallRef,
    description:
      "Every call of the caller, live, from now on: each state as it changes (with `calls:admin`, or a caller's own VoIPBIN token, the account's). Open it before createCall to see a new call from its first state.",
    subscribe: (_, __, ctx) => callEvents(ctx),
    resolve: (event, _, ctx) => deliver(event, ctx),
  }),
}));
