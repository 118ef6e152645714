import { checked, graphql, type ResultOf } from './graphql.ts';

/** What the timeline shows of a call (the subscription's selection, as the README's). */
export const CallStateFields = graphql(`
  fragment CallState on Call {
    id
    status
    createdAt
    updatedAt
    hangupReason
    action {
      type
    }
  }
`);

/** Places a call; `idempotencyKey` is fresh per click, so a retried request places it once. */
export const CreateCall = checked(
  graphql(
    `
  mutation CreateCall($input: CreateCallInput!, $idempotencyKey: String) {
    createCall(input: $input, idempotencyKey: $idempotencyKey) {
      calls {
        ...CallState
      }
    }
  }
`,
    [CallStateFields],
  ),
);

/** Hangs up a call: a ringing call is canceled, an answered one terminated. */
export const HangupCall = checked(
  graphql(
    `
  mutation HangupCall($id: ID!) {
    hangupCall(id: $id) {
      ...CallState
    }
  }
`,
    [CallStateFields],
  ),
);

/** One call, live: its current state first, then each change; completes after HANGUP. */
export const CallUpdated = checked(
  graphql(
    `
  subscription CallUpdated($id: ID!) {
    callUpdated(id: $id) {
      ...CallState
    }
  }
`,
    [CallStateFields],
  ),
);

/** A call's state as the page reads it. */
export type CallState = ResultOf<typeof CallStateFields>;
