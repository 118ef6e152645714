import {
  CALL_DIRECTIONS,
  CALL_STATUSES,
  CALL_TYPES,
  type Call,
  type Groupcall,
  HANGUP_BY,
  HANGUP_REASONS,
  MUTE_DIRECTIONS,
} from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import { createCall, type InputProblem, listCalls, validateCall } from '../calls/index.ts';
import { loadCalls } from '../context.ts';
import { ActionInput, ActionRef, AnonymousMode } from './action.ts';
import { AddressInput, AddressRef } from './address.ts';
import { UNKNOWN, voipbinEnum } from './enums.ts';
import { CallRef, GroupcallRef, ownedByCaller } from './refs.ts';
import { timestampFields } from './scalars.ts';

export const CallStatus = voipbinEnum(
  'CallStatus',
  CALL_STATUSES,
  'Where a call is in its life (VoIPBIN `CallManagerCallStatus`): DIALING -> RINGING -> PROGRESSING -> TERMINATING -> HANGUP, or DIALING -> CANCELING -> HANGUP.',
);
const CallType = voipbinEnum(
  'CallType',
  CALL_TYPES,
  'What runs the call (VoIPBIN `CallManagerCallType`).',
);
const CallDirection = voipbinEnum(
  'CallDirection',
  CALL_DIRECTIONS,
  'INCOMING or OUTGOING (VoIPBIN `CallManagerCallDirection`).',
);
const MuteDirection = voipbinEnum(
  'MuteDirection',
  MUTE_DIRECTIONS,
  'Which way the call is muted (VoIPBIN `CallManagerCallMuteDirection`).',
);
const HangupBy = voipbinEnum(
  'HangupBy',
  HANGUP_BY,
  'Who hung up (VoIPBIN `CallManagerCallHangupBy`).',
);
const HangupReason = voipbinEnum(
  'HangupReason',
  HANGUP_REASONS,
  'Why the call ended (VoIPBIN `CallManagerCallHangupReason`).',
);

CallRef.implement({
  description:
    "A phone call placed through VoIPBIN (`CallManagerCall`). Unset values are null. Only the caller's own calls are shown (those it placed, their legs and chained calls), unless it holds `calls:admin` or sent its own VoIPBIN token (pass-through).",
  authScopes: ownedByCaller,
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The call id (`id`).' }),
    customerId: t.exposeID('customer_id', {
      nullable: true,
      description: 'The owning customer (`customer_id`).',
    }),
    ownerType: t.exposeString('owner_type', {
      nullable: true,
      description: 'The kind of owner, e.g. agent (`owner_type`).',
    }),
    ownerId: t.exposeID('owner_id', { nullable: true, description: 'The owner (`owner_id`).' }),
    flowId: t.exposeID('flow_id', {
      nullable: true,
      description: 'The flow the call runs (`flow_id`); inline actions get a temporary one.',
    }),
    activeflowId: t.exposeID('activeflow_id', {
      nullable: true,
      description: 'The running instance of the flow (`activeflow_id`).',
    }),
    type: t.field({
      type: CallType.ref,
      nullable: true,
      description: 'What runs the call (`type`).',
      resolve: (c) => CallType.read(c.type),
    }),
    masterCallId: t.exposeID('master_call_id', {
      nullable: true,
      description: 'The call that started this one (`master_call_id`).',
    }),
    masterCall: t.field({
      type: CallRef,
      nullable: true,
      authScopes: { read: true },
      description:
        'The call that started this one, fetched only when selected (`master_call_id`); null when it cannot be read.',
      resolve: (c, _, ctx) => (c.master_call_id ? ctx.calls.load(c.master_call_id) : null),
    }),
    chainedCallIds: t.exposeIDList('chained_call_ids', {
      description: 'Calls chained to this one (`chained_call_ids`).',
    }),
    chainedCalls: t.field({
      type: [CallRef],
      nullable: true,
      authScopes: { read: true },
      description:
        'Calls chained to this one, fetched only when selected, in one batch (`chained_call_ids`); null, with an error, when they cannot be read.',
      resolve: (c, _, ctx) => loadCalls(ctx, c.chained_call_ids),
    }),
    recordingId: t.exposeID('recording_id', {
      nullable: true,
      description: 'The current recording (`recording_id`).',
    }),
    recordingIds: t.exposeIDList('recording_ids', {
      description: 'Every recording of the call (`recording_ids`).',
    }),
    groupcallId: t.exposeID('groupcall_id', {
      nullable: true,
      description: 'The group call this call is a leg of (`groupcall_id`).',
    }),
    source: t.expose('source', { type: AddressRef, description: 'Who calls (`source`).' }),
    destination: t.expose('destination', {
      type: AddressRef,
      description: 'Who is called (`destination`).',
    }),
    status: t.field({
      type: CallStatus.ref,
      description: 'Where the call is in its life (`status`).',
      resolve: (c) => CallStatus.read(c.status) ?? UNKNOWN,
    }),
    action: t.field({
      type: ActionRef,
      nullable: true,
      description: 'The step running now; null before the first starts (`action`).',
      resolve: (c) => (c.action?.type ? c.action : null),
    }),
    direction: t.field({
      type: CallDirection.ref,
      nullable: true,
      description: 'INCOMING or OUTGOING (`direction`).',
      resolve: (c) => CallDirection.read(c.direction),
    }),
    muteDirection: t.field({
      type: MuteDirection.ref,
      nullable: true,
      description: 'Which way it is muted; null when not (`mute_direction`).',
      resolve: (c) => MuteDirection.read(c.mute_direction),
    }),
    hangupBy: t.field({
      type: HangupBy.ref,
      nullable: true,
      description: 'Who hung up; null until then (`hangup_by`).',
      resolve: (c) => HangupBy.read(c.hangup_by),
    }),
    hangupReason: t.field({
      type: HangupReason.ref,
      nullable: true,
      description: 'Why it ended; null until then (`hangup_reason`).',
      resolve: (c) => HangupReason.read(c.hangup_reason),
    }),
    metadata: t.expose('metadata', {
      type: 'JSONObject',
      nullable: true,
      description: 'Keys VoIPBIN sets, e.g. rtp_debug (`metadata`).',
    }),
    ...timestampFields(t),
    ringingAt: t.expose('tm_ringing', {
      type: 'DateTime',
      nullable: true,
      description: 'When it started ringing; null if it has not (`tm_ringing`).',
    }),
    progressingAt: t.expose('tm_progressing', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was answered; null if it has not been (`tm_progressing`).',
    }),
    hangupAt: t.expose('tm_hangup', {
      type: 'DateTime',
      nullable: true,
      description: 'When it ended; null while it goes on (`tm_hangup`).',
    }),
  }),
});

const CreateCallInput = builder.inputType('CreateCallInput', {
  description:
    'A call to place (the body of VoIPBIN `POST /calls`). Give `actions` or `flowId`; with both, VoIPBIN runs the flow.',
  fields: (t) => ({
    source: t.field({
      type: AddressInput,
      required: true,
      description: 'Who calls: a number the account owns (`source`).',
    }),
    destinations: t.field({
      type: [AddressInput],
      required: true,
      description: 'Who to call, at least one (`destinations`).',
    }),
    actions: t.field({
      type: [ActionInput],
      description: 'The steps to run, an inline flow (`actions`).',
    }),
    flowId: t.id({ description: 'An existing flow to run instead (`flow_id`).' }),
    anonymous: t.field({
      type: AnonymousMode.ref,
      description: 'Hide the caller ID on PSTN legs (`anonymous`).',
    }),
    variables: t.field({
      type: 'JSONObject',
      description: 'Flow variables: string values, at most 100 keys (`variables`).',
    }),
  }),
});

const CreateCallPayload = builder
  .objectRef<{ calls: Call[]; groupcalls: Groupcall[]; replayed?: boolean }>('CreateCallPayload')
  .implement({
    description:
      'What placing a call gave: calls for TEL and SIP destinations, group calls for extensions and agents.',
    fields: (t) => ({
      calls: t.expose('calls', { type: [CallRef], description: 'The calls placed (`calls`).' }),
      groupcalls: t.expose('groupcalls', {
        type: [GroupcallRef],
        description: 'The group calls placed; each rings its legs (`groupcalls`).',
      }),
      replayed: t.boolean({
        description:
          'True when this is the first answer to the same `idempotencyKey`, replayed: no new call was placed.',
        resolve: (payload) => payload.replayed ?? false,
      }),
    }),
  });

const PageInfo = builder
  .objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo')
  .implement({
    description: 'Where a page ends.',
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether another page follows.' }),
      endCursor: t.exposeString('endCursor', {
        nullable: true,
        description: "Pass as `after` for the next page (VoIPBIN's page token).",
      }),
    }),
  });

const CallEdge = builder.objectRef<{ cursor: string; node: Call }>('CallEdge').implement({
  description: 'A call in a page.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'Pass as `after` for the calls after this one.',
    }),
    node: t.expose('node', { type: CallRef, description: 'The call.' }),
  }),
});

const CallConnection = builder
  .objectRef<{
    edges: { cursor: string; node: Call }[];
    nodes: Call[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }>('CallConnection')
  .implement({
    description: 'A page of calls, newest first (VoIPBIN `GET /calls`).',
    fields: (t) => ({
      edges: t.expose('edges', { type: [CallEdge], description: 'The calls with their cursors.' }),
      nodes: t.expose('nodes', { type: [CallRef], description: 'The calls.' }),
      pageInfo: t.expose('pageInfo', { type: PageInfo, description: 'Where the page ends.' }),
    }),
  });

const InputProblemRef = builder.objectRef<InputProblem>('InputProblem').implement({
  description:
    "One reason createCall would refuse an input, as its error says it: the error's `extensions.code` and one of its `extensions.issues`.",
  fields: (t) => ({
    code: t.exposeString('code', {
      description:
        "What createCall's error would answer (`extensions.code`): BAD_USER_INPUT for an invalid value or a size limit, FORBIDDEN for what this gateway's policy refuses (a destination, a fetch action).",
    }),
    path: t.exposeString('path', {
      description:
        "Where, in the GraphQL input's names from the argument, e.g. `input.destinations.0.target` (an issue's `path`).",
    }),
    message: t.exposeString('message', { description: "Why (an issue's `message`)." }),
  }),
});

const CallValidation = builder.objectRef<{ problems: InputProblem[] }>('CallValidation').implement({
  description:
    "What createCall would say of an input before sending anything: the checks of its input and of this gateway's policy, as a value.",
  fields: (t) => ({
    valid: t.boolean({
      description: 'True when createCall would send this input to VoIPBIN (no problems).',
      resolve: ({ problems }) => problems.length === 0,
    }),
    problems: t.expose('problems', {
      type: [InputProblemRef],
      description:
        "Every reason createCall would refuse the input, as its error's `extensions.issues` with their code; empty when valid. The policy is checked only once the input itself is valid, as createCall does.",
    }),
  }),
});

builder.queryFields((t) => ({
  validateCall: t.field({
    type: CallValidation,
    // A read (Query's calls:read) about placing calls: only a caller that may place them.
    authScopes: { create: true },
    description:
      "Checks a call as createCall would, before it sends anything (its input's validation, then this gateway's policy: destination prefixes, size limits, fetch actions), and answers the problems instead of refusing: nothing is sent to VoIPBIN, no rate-limit token is taken, nothing is stored. Needs calls:create as well as calls:read. The rate limit, an idempotency key and VoIPBIN's own checks still apply to createCall.",
    args: {
      input: t.arg({ type: CreateCallInput, required: true, description: 'The call to check.' }),
    },
    resolve: (_, { input }, ctx) => ({ problems: validateCall(ctx, input) }),
  }),
  call: t.field({
    type: CallRef,
    nullable: true,
    description:
      "A call by id; null when there is none or it is not the caller's (VoIPBIN `GET /calls/{id}`).",
    args: { id: t.arg.id({ required: true, description: 'The call id.' }) },
    resolve: (_, { id }, ctx) => ctx.calls.load(id),
  }),
  calls: t.field({
    type: CallConnection,
    description:
      "The caller's calls, newest first, a page at a time; with `calls:admin`, the account's (VoIPBIN `GET /calls`).",
    args: {
      first: t.arg.int({ defaultValue: 20, description: 'How many, 1 to 100.' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (_, { first, after }, ctx) => listCalls(ctx, first, after),
  }),
}));

builder.mutationFields((t) => ({
  createCall: t.field({
    type: CreateCallPayload,
    description:
      "Places a call (VoIPBIN `POST /calls`). Checked first (input, then this gateway's policy): a refused call answers BAD_USER_INPUT or FORBIDDEN and places nothing. Never retried; with an `idempotencyKey`, a repeat returns the first answer instead of placing another call. The calls placed are the caller's own.",
    args: {
      input: t.arg({ type: CreateCallInput, required: true, description: 'The call to place.' }),
      idempotencyKey: t.arg.string({
        description:
          'Any unique string (1 to 255 characters): the same key and input within the TTL (24 h) replays the first answer; the same key with another input is refused.',
      }),
    },
    resolve: (_, { input, idempotencyKey }, ctx) => createCall(ctx, input, idempotencyKey),
  }),
}));
