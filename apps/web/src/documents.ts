import { checked, graphql, type ResultOf } from './graphql.ts';

/** What the page shows of a call: its timeline, heading, timer and controls' state. */
export const CallStateFields = graphql(`
  fragment CallState on Call {
    id
    status
    createdAt
    updatedAt
    ringingAt
    progressingAt
    hangupAt
    hangupBy
    hangupReason
    muteDirection
    recordingId
    recordingIds
    source {
      target
    }
    destination {
      target
    }
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

/** createCall's checks without placing anything: each problem with its input path. */
export const ValidateCall = checked(
  graphql(`
  query ValidateCall($input: CreateCallInput!) {
    validateCall(input: $input) {
      valid
      problems {
        code
        path
        message
      }
    }
  }
`),
);

/** The caller's calls, newest first, a page at a time. */
export const RecentCalls = checked(
  graphql(
    `
  query RecentCalls($first: Int, $after: String) {
    calls(first: $first, after: $after) {
      nodes {
        ...CallState
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`,
    [CallStateFields],
  ),
);

/** Every call of the caller, live, from now on (keeps the recent calls' statuses current). */
export const CallEvents = checked(
  graphql(
    `
  subscription CallEvents {
    callEvents {
      ...CallState
    }
  }
`,
    [CallStateFields],
  ),
);

/** In-call control: each answers the call as it is after. */
export const HoldCall = checked(
  graphql(`mutation HoldCall($id: ID!) { holdCall(id: $id) { ...CallState } }`, [CallStateFields]),
);
export const UnholdCall = checked(
  graphql(`mutation UnholdCall($id: ID!) { unholdCall(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
export const MuteCall = checked(
  graphql(
    `mutation MuteCall($id: ID!, $direction: MuteDirectionInput) { muteCall(id: $id, direction: $direction) { ...CallState } }`,
    [CallStateFields],
  ),
);
export const UnmuteCall = checked(
  graphql(
    `mutation UnmuteCall($id: ID!, $direction: MuteDirectionInput) { unmuteCall(id: $id, direction: $direction) { ...CallState } }`,
    [CallStateFields],
  ),
);
export const StartMusicOnHold = checked(
  graphql(`mutation StartMusicOnHold($id: ID!) { startMusicOnHold(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
export const StopMusicOnHold = checked(
  graphql(`mutation StopMusicOnHold($id: ID!) { stopMusicOnHold(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
export const StartSilence = checked(
  graphql(`mutation StartSilence($id: ID!) { startSilence(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
export const StopSilence = checked(
  graphql(`mutation StopSilence($id: ID!) { stopSilence(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
export const TalkToCall = checked(
  graphql(
    `mutation TalkToCall($id: ID!, $input: TalkInput!) { talkToCall(id: $id, input: $input) { ...CallState } }`,
    [CallStateFields],
  ),
);
export const StartRecording = checked(
  graphql(`mutation StartRecording($id: ID!) { startRecording(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
export const StopRecording = checked(
  graphql(`mutation StopRecording($id: ID!) { stopRecording(id: $id) { ...CallState } }`, [
    CallStateFields,
  ]),
);
