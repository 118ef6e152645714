import * as v from 'valibot';
import { type Address, AddressSchema } from '../address.ts';
import {
  type Anonymous,
  AnonymousSchema,
  loose,
  type Open,
  ResponseTimestampSchema,
  UuidSchema,
  unset,
} from '../primitives.ts';
import * as o from './options.ts';

/** The 40 action types of VoIPBIN's `FlowManagerActionType`. */
export const ACTION_TYPES = [
  'ai_talk',
  'ai_summary',
  'amd',
  'answer',
  'beep',
  'branch',
  'call',
  'condition_call_digits',
  'condition_call_status',
  'condition_datetime',
  'condition_variable',
  'confbridge_join',
  'conference_join',
  'connect',
  'conversation_send',
  'digits_receive',
  'digits_send',
  'echo',
  'email_send',
  'external_media_start',
  'external_media_stop',
  'fetch',
  'fetch_flow',
  'goto',
  'hangup',
  'message_send',
  'mute',
  'play',
  'queue_join',
  'recording_start',
  'recording_stop',
  'sleep',
  'stop',
  'stream_echo',
  'talk',
  'transcribe_start',
  'transcribe_stop',
  'transcribe_recording',
  'variable_set',
  'webhook_send',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

const ids = { id: v.optional(UuidSchema), next_id: v.optional(UuidSchema) };

/** One flow step: `type` picks the option schema; `option` is required when it has required fields. */
function action<const T extends ActionType, const O extends v.GenericSchema>(type: T, option: O) {
  return v.strictObject({ ...ids, type: v.literal(type), option });
}

/** Options of the `call` action; it nests actions, so its type is written out. */
export interface CallOption {
  source?: Address | undefined;
  destinations: Address[];
  flow_id?: string | undefined;
  actions?: Action[] | undefined;
  chained?: boolean | undefined;
  early_execution?: boolean | undefined;
  anonymous?: Anonymous | undefined;
}

export const CallOptionSchema: v.GenericSchema<CallOption> = v.strictObject({
  source: v.optional(AddressSchema),
  destinations: v.pipe(v.array(AddressSchema), v.minLength(1, 'Expected at least one destination')),
  flow_id: v.optional(UuidSchema),
  actions: v.optional(v.array(v.lazy(() => ActionByTypeSchema))),
  chained: v.optional(v.boolean()),
  early_execution: v.optional(v.boolean()),
  anonymous: v.optional(AnonymousSchema),
});

const none = v.optional(o.NoOptionSchema);
const open = v.optional(o.OpenOptionSchema);

export const AiTalkActionSchema = action('ai_talk', o.AiTalkOptionSchema);
export const AiSummaryActionSchema = action('ai_summary', v.optional(o.AiSummaryOptionSchema));
export const AmdActionSchema = action('amd', v.optional(o.AmdOptionSchema));
export const AnswerActionSchema = action('answer', none);
export const BeepActionSchema = action('beep', none);
export const BranchActionSchema = action('branch', v.optional(o.BranchOptionSchema));
export const CallActionSchema = action('call', CallOptionSchema);
export const ConditionCallDigitsActionSchema = action('condition_call_digits', open);
export const ConditionCallStatusActionSchema = action('condition_call_status', open);
export const ConditionDatetimeActionSchema = action('condition_datetime', open);
export const ConditionVariableActionSchema = action('condition_variable', open);
export const ConfbridgeJoinActionSchema = action('confbridge_join', o.ConfbridgeJoinOptionSchema);
export const ConferenceJoinActionSchema = action('conference_join', o.ConferenceJoinOptionSchema);
export const ConnectActionSchema = action('connect', o.ConnectOptionSchema);
export const ConversationSendActionSchema = action(
  'conversation_send',
  o.ConversationSendOptionSchema,
);
export const DigitsReceiveActionSchema = action(
  'digits_receive',
  v.optional(o.DigitsReceiveOptionSchema),
);
export const DigitsSendActionSchema = action('digits_send', o.DigitsSendOptionSchema);
export const EchoActionSchema = action('echo', v.optional(o.EchoOptionSchema));
export const EmailSendActionSchema = action('email_send', o.EmailSendOptionSchema);
export const ExternalMediaStartActionSchema = action(
  'external_media_start',
  o.ExternalMediaStartOptionSchema,
);
export const ExternalMediaStopActionSchema = action('external_media_stop', none);
export const FetchActionSchema = action('fetch', o.FetchOptionSchema);
export const FetchFlowActionSchema = action('fetch_flow', o.FetchFlowOptionSchema);
export const GotoActionSchema = action('goto', o.GotoOptionSchema);
export const HangupActionSchema = action('hangup', v.optional(o.HangupOptionSchema));
export const MessageSendActionSchema = action('message_send', o.MessageSendOptionSchema);
export const MuteActionSchema = action('mute', open);
export const PlayActionSchema = action('play', o.PlayOptionSchema);
export const QueueJoinActionSchema = action('queue_join', o.QueueJoinOptionSchema);
export const RecordingStartActionSchema = action(
  'recording_start',
  v.optional(o.RecordingStartOptionSchema),
);
export const RecordingStopActionSchema = action('recording_stop', none);
export const SleepActionSchema = action('sleep', o.SleepOptionSchema);
export const StopActionSchema = action('stop', open);
export const StreamEchoActionSchema = action('stream_echo', v.optional(o.StreamEchoOptionSchema));
export const TalkActionSchema = action('talk', o.TalkOptionSchema);
export const TranscribeStartActionSchema = action(
  'transcribe_start',
  v.optional(o.TranscribeOptionSchema),
);
export const TranscribeStopActionSchema = action('transcribe_stop', none);
export const TranscribeRecordingActionSchema = action(
  'transcribe_recording',
  v.optional(o.TranscribeOptionSchema),
);
export const VariableSetActionSchema = action('variable_set', o.VariableSetOptionSchema);
export const WebhookSendActionSchema = action('webhook_send', o.WebhookSendOptionSchema);

/** Any flow step, checked against the option schema of its `type` (`FlowManagerAction`). */
const actionSchema = v.variant(
  'type',
  [
    AiTalkActionSchema,
    AiSummaryActionSchema,
    AmdActionSchema,
    AnswerActionSchema,
    BeepActionSchema,
    BranchActionSchema,
    CallActionSchema,
    ConditionCallDigitsActionSchema,
    ConditionCallStatusActionSchema,
    ConditionDatetimeActionSchema,
    ConditionVariableActionSchema,
    ConfbridgeJoinActionSchema,
    ConferenceJoinActionSchema,
    ConnectActionSchema,
    ConversationSendActionSchema,
    DigitsReceiveActionSchema,
    DigitsSendActionSchema,
    EchoActionSchema,
    EmailSendActionSchema,
    ExternalMediaStartActionSchema,
    ExternalMediaStopActionSchema,
    FetchActionSchema,
    FetchFlowActionSchema,
    GotoActionSchema,
    HangupActionSchema,
    MessageSendActionSchema,
    MuteActionSchema,
    PlayActionSchema,
    QueueJoinActionSchema,
    RecordingStartActionSchema,
    RecordingStopActionSchema,
    SleepActionSchema,
    StopActionSchema,
    StreamEchoActionSchema,
    TalkActionSchema,
    TranscribeStartActionSchema,
    TranscribeStopActionSchema,
    TranscribeRecordingActionSchema,
    VariableSetActionSchema,
    WebhookSendActionSchema,
  ],
  (issue) => `Unknown action type ${issue.received}; expected one of ${ACTION_TYPES.join(', ')}`,
);
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface ActionSchemaType extends Readonly<typeof actionSchema> {}
export const ActionSchema: ActionSchemaType = actionSchema;
export type Action = v.InferOutput<typeof ActionSchema>;

const optionOfType = new Map<unknown, v.GenericSchema>(
  actionSchema.options.map((schema) => [schema.entries.type.literal, schema]),
);

/**
 * `ActionSchema`'s check with its option found by `type` in one look-up. valibot's `variant`
 * tries the 40 options in turn and builds an issue for each miss: `talk`, the 35th, took 3.1 µs
 * instead of 0.4. A missing or unknown `type` (or a non-object) falls back to the variant, for
 * its error: for any plain or JSON input the output and issues are the variant's (a `type`
 * getter is read once, not once per option; the schema's own `expects` is valibot's lazy one).
 * The request schemas use this; `ActionSchema` stays the variant, to be read.
 */
export const ActionByTypeSchema = v.lazy(
  (input) =>
    (optionOfType.get((input as { type?: unknown } | null | undefined)?.type) ??
      actionSchema) as ActionSchemaType,
);

/** The action of type `T`, as its schema outputs it: `ActionOf<'talk'>` is `TalkAction`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/** The options an action of type `T` takes. */
export type ActionOption<T extends ActionType> = ActionOf<T>['option'];

// One name per action type, the output of its schema (`TalkAction`: `TalkActionSchema`).
export type AiTalkAction = ActionOf<'ai_talk'>;
export type AiSummaryAction = ActionOf<'ai_summary'>;
export type AmdAction = ActionOf<'amd'>;
export type AnswerAction = ActionOf<'answer'>;
export type BeepAction = ActionOf<'beep'>;
export type BranchAction = ActionOf<'branch'>;
export type CallAction = ActionOf<'call'>;
export type ConditionCallDigitsAction = ActionOf<'condition_call_digits'>;
export type ConditionCallStatusAction = ActionOf<'condition_call_status'>;
export type ConditionDatetimeAction = ActionOf<'condition_datetime'>;
export type ConditionVariableAction = ActionOf<'condition_variable'>;
export type ConfbridgeJoinAction = ActionOf<'confbridge_join'>;
export type ConferenceJoinAction = ActionOf<'conference_join'>;
export type ConnectAction = ActionOf<'connect'>;
export type ConversationSendAction = ActionOf<'conversation_send'>;
export type DigitsReceiveAction = ActionOf<'digits_receive'>;
export type DigitsSendAction = ActionOf<'digits_send'>;
export type EchoAction = ActionOf<'echo'>;
export type EmailSendAction = ActionOf<'email_send'>;
export type ExternalMediaStartAction = ActionOf<'external_media_start'>;
export type ExternalMediaStopAction = ActionOf<'external_media_stop'>;
export type FetchAction = ActionOf<'fetch'>;
export type FetchFlowAction = ActionOf<'fetch_flow'>;
export type GotoAction = ActionOf<'goto'>;
export type HangupAction = ActionOf<'hangup'>;
export type MessageSendAction = ActionOf<'message_send'>;
export type MuteAction = ActionOf<'mute'>;
export type PlayAction = ActionOf<'play'>;
export type QueueJoinAction = ActionOf<'queue_join'>;
export type RecordingStartAction = ActionOf<'recording_start'>;
export type RecordingStopAction = ActionOf<'recording_stop'>;
export type SleepAction = ActionOf<'sleep'>;
export type StopAction = ActionOf<'stop'>;
export type StreamEchoAction = ActionOf<'stream_echo'>;
export type TalkAction = ActionOf<'talk'>;
export type TranscribeStartAction = ActionOf<'transcribe_start'>;
export type TranscribeStopAction = ActionOf<'transcribe_stop'>;
export type TranscribeRecordingAction = ActionOf<'transcribe_recording'>;
export type VariableSetAction = ActionOf<'variable_set'>;
export type WebhookSendAction = ActionOf<'webhook_send'>;

/**
 * An action as VoIPBIN answers it (a call's current `action`, a flow's steps). Read
 * tolerantly: an action type this version does not know keeps its raw `type` and `option`.
 * Before the first step runs VoIPBIN answers `{ id: "...0001", type: "" }`: `type` is then `null`.
 */
export const ResponseActionSchema = v.object({
  id: unset(),
  next_id: unset(),
  type: unset<Open<ActionType>>(),
  option: loose(v.record(v.string(), v.unknown()), (option) => option),
  tm_execute: ResponseTimestampSchema,
});
export type ResponseAction = v.InferOutput<typeof ResponseActionSchema>;
