/**
 * Every action VoIPBIN knows, in one place: what needs all of them (a request with any action, a
 * flow, the `call` action that nests actions, the gateway) imports this module; an app that
 * checks only the actions it sends imports those modules and never this one.
 */
import * as v from 'valibot';
import { type Address, AddressSchema } from '../address.ts';
import { type Anonymous, AnonymousSchema, UuidSchema } from '../primitives.ts';
import { AiSummaryActionSchema } from './ai-summary.ts';
import { AiTalkActionSchema } from './ai-talk.ts';
import { AiTaskActionSchema } from './ai-task.ts';
import { AmdActionSchema } from './amd.ts';
import { AnswerActionSchema } from './answer.ts';
import { BeepActionSchema } from './beep.ts';
import { BlockActionSchema } from './block.ts';
import { BranchActionSchema } from './branch.ts';
import { CaseCreateActionSchema } from './case-create.ts';
import { ConditionCallDigitsActionSchema } from './condition-call-digits.ts';
import { ConditionCallStatusActionSchema } from './condition-call-status.ts';
import { ConditionDatetimeActionSchema } from './condition-datetime.ts';
import { ConditionVariableActionSchema } from './condition-variable.ts';
import { ConfbridgeJoinActionSchema } from './confbridge-join.ts';
import { ConferenceJoinActionSchema } from './conference-join.ts';
import { ConnectActionSchema } from './connect.ts';
import { ConversationSendActionSchema } from './conversation-send.ts';
import { actionSchema, byType, destinations } from './define.ts';
import { DigitsReceiveActionSchema } from './digits-receive.ts';
import { DigitsSendActionSchema } from './digits-send.ts';
import { EchoActionSchema } from './echo.ts';
import { EmailSendActionSchema } from './email-send.ts';
import { EmptyActionSchema } from './empty.ts';
import { ExternalMediaStartActionSchema } from './external-media-start.ts';
import { ExternalMediaStopActionSchema } from './external-media-stop.ts';
import { FetchActionSchema } from './fetch.ts';
import { FetchFlowActionSchema } from './fetch-flow.ts';
import { GotoActionSchema } from './goto.ts';
import { HangupActionSchema } from './hangup.ts';
import { MessageSendActionSchema } from './message-send.ts';
import { MuteActionSchema } from './mute.ts';
import { PlayActionSchema } from './play.ts';
import { QueueJoinActionSchema } from './queue-join.ts';
import { RecordingStartActionSchema } from './recording-start.ts';
import { RecordingStopActionSchema } from './recording-stop.ts';
import { SleepActionSchema } from './sleep.ts';
import { StopActionSchema } from './stop.ts';
import { StreamEchoActionSchema } from './stream-echo.ts';
import { TalkActionSchema } from './talk.ts';
import { TranscribeRecordingActionSchema } from './transcribe-recording.ts';
import { TranscribeStartActionSchema } from './transcribe-start.ts';
import { TranscribeStopActionSchema } from './transcribe-stop.ts';
import { VariableSetActionSchema } from './variable-set.ts';
import { WebhookSendActionSchema } from './webhook-send.ts';

/**
 * The 44 action types of VoIPBIN's flow manager (`TypeListAll` in its action.go): the 40 of its
 * spec's `FlowManagerActionType` plus `ai_task`, `block`, `case_create` and `empty`.
 */
export const ACTION_TYPES = [
  'ai_talk',
  'ai_summary',
  'ai_task',
  'amd',
  'answer',
  'beep',
  'block',
  'branch',
  'call',
  'case_create',
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
  'empty',
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
  destinations: destinations(),
  flow_id: v.optional(UuidSchema),
  actions: v.optional(v.array(v.lazy(() => ActionByTypeSchema))),
  chained: v.optional(v.boolean()),
  early_execution: v.optional(v.boolean()),
  anonymous: v.optional(AnonymousSchema),
});

/** The `call` action: places more calls from a flow. It lives here because its `actions` may be any action. */
export const CallActionSchema = actionSchema('call', CallOptionSchema);

/** The schema of every action type, in `ACTION_TYPES`' order: give it to `createClient({ actions })` to send any of them. */
export const ACTION_SCHEMAS = [
  AiTalkActionSchema,
  AiSummaryActionSchema,
  AiTaskActionSchema,
  AmdActionSchema,
  AnswerActionSchema,
  BeepActionSchema,
  BlockActionSchema,
  BranchActionSchema,
  CallActionSchema,
  CaseCreateActionSchema,
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
  EmptyActionSchema,
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
] as const;

/** Any flow step, checked against the option schema of its `type` (`FlowManagerAction`). */
const actionSchemaOfAll = v.variant(
  'type',
  ACTION_SCHEMAS,
  (issue) => `Unknown action type ${issue.received}; expected one of ${ACTION_TYPES.join(', ')}`,
);
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface ActionSchemaType extends Readonly<typeof actionSchemaOfAll> {}
export const ActionSchema: ActionSchemaType = actionSchemaOfAll;
export type Action = v.InferOutput<typeof ActionSchema>;

/**
 * `ActionSchema`'s check with its option found by `type` in one look-up (see `byType`). The
 * request schemas use this; `ActionSchema` stays the variant, to be read.
 */
export const ActionByTypeSchema = byType(ActionSchema);

/** The action of type `T`, as its schema outputs it: `ActionOf<'talk'>` is `TalkAction`. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/** The options an action of type `T` takes. */
export type ActionOption<T extends ActionType> = ActionOf<T>['option'];

export type CallAction = ActionOf<'call'>;
