import type * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import {
  ACTION_SCHEMAS,
  type Action,
  type ActionOf,
  type ActionType,
  type AiSummaryAction,
  type AiTalkAction,
  type AiTaskAction,
  type AmdAction,
  type AnswerAction,
  action,
  type BeepAction,
  type BlockAction,
  type BranchAction,
  type Call,
  type CallAction,
  type CallStatus,
  type CaseCreateAction,
  type ClientOptions,
  type ConditionCallDigitsAction,
  type ConditionCallStatusAction,
  type ConditionDatetimeAction,
  type ConditionVariableAction,
  type ConfbridgeJoinAction,
  type ConferenceJoinAction,
  type ConnectAction,
  type ConversationSendAction,
  type CreateCallRequest,
  type CreateCallResult,
  createClient,
  type DigitsReceiveAction,
  type DigitsSendAction,
  type EchoAction,
  type EmailSendAction,
  type EmptyAction,
  type Event,
  type ExternalMediaStartAction,
  type ExternalMediaStopAction,
  type FetchAction,
  type FetchFlowAction,
  type GotoAction,
  type HangupAction,
  type MessageSendAction,
  type MuteAction,
  type Page,
  type PlayAction,
  play,
  type QueueJoinAction,
  type RecordingStartAction,
  type RecordingStopAction,
  type SleepAction,
  type StopAction,
  type StreamEchoAction,
  type TalkAction,
  TalkActionSchema,
  type TranscribeRecordingAction,
  type TranscribeStartAction,
  type TranscribeStopAction,
  talk,
  type VariableSetAction,
  type VoipbinClient,
  type WebhookSendAction,
} from './index.ts';

describe('inferred types', () => {
  it('types a normalised call: unset is null, enums stay open', () => {
    expectTypeOf<Call['id']>().toEqualTypeOf<string>();
    expectTypeOf<Call['tm_create']>().toEqualTypeOf<string | null>();
    expectTypeOf<Call['chained_call_ids']>().toEqualTypeOf<string[]>();
    expectTypeOf<'dialing'>().toExtend<Call['status']>();
    expectTypeOf<CallStatus>().toExtend<Call['status']>();
    expectTypeOf<'a-status-from-2030'>().toExtend<Call['status']>();
    expectTypeOf<Call['hangup_reason']>().toExtend<string | null>();
  });

  it('requires a source and destinations in a call request', () => {
    expectTypeOf<CreateCallRequest>().toHaveProperty('source');
    expectTypeOf<CreateCallRequest['destinations']>().toBeArray();
    // @ts-expect-error a tel address needs its target
    const bad: CreateCallRequest = { source: { type: 'tel' }, destinations: [], actions: [] };
    void bad;
  });

  it('builds typed actions', () => {
    expectTypeOf(talk({ text: 'Hi' })).toExtend<Action>();
    expectTypeOf(action('answer')).toEqualTypeOf<Extract<Action, { type: 'answer' }>>();
    expectTypeOf(action('digits_receive', { duration: 5000, length: 4 })).toExtend<Action>();
    // @ts-expect-error talk needs its text
    action('talk');
    // @ts-expect-error sleep takes a duration, not a text
    action('sleep', { text: 'zzz' });
  });

  it('names the action of each type: TalkAction is the talk member of Action, its schema output', () => {
    expectTypeOf<TalkAction>().toEqualTypeOf<Extract<Action, { type: 'talk' }>>();
    expectTypeOf<TalkAction>().toEqualTypeOf<v.InferOutput<typeof TalkActionSchema>>();
    expectTypeOf<ActionOf<'hangup'>>().toEqualTypeOf<HangupAction>();
    expectTypeOf<TalkAction['option']['text']>().toEqualTypeOf<string>();
    expectTypeOf(talk({ text: 'Hi' })).toEqualTypeOf<TalkAction>();
    expectTypeOf(play(['https://example.com/a.wav'])).toEqualTypeOf<PlayAction>();
    // @ts-expect-error a talk action is not a play action
    expectTypeOf<TalkAction>().toEqualTypeOf<PlayAction>();

    // One name for every action type, each its member of Action.
    type Named = {
      ai_talk: AiTalkAction;
      ai_summary: AiSummaryAction;
      ai_task: AiTaskAction;
      amd: AmdAction;
      answer: AnswerAction;
      beep: BeepAction;
      block: BlockAction;
      branch: BranchAction;
      call: CallAction;
      case_create: CaseCreateAction;
      condition_call_digits: ConditionCallDigitsAction;
      condition_call_status: ConditionCallStatusAction;
      condition_datetime: ConditionDatetimeAction;
      condition_variable: ConditionVariableAction;
      confbridge_join: ConfbridgeJoinAction;
      conference_join: ConferenceJoinAction;
      connect: ConnectAction;
      conversation_send: ConversationSendAction;
      digits_receive: DigitsReceiveAction;
      digits_send: DigitsSendAction;
      echo: EchoAction;
      email_send: EmailSendAction;
      empty: EmptyAction;
      external_media_start: ExternalMediaStartAction;
      external_media_stop: ExternalMediaStopAction;
      fetch: FetchAction;
      fetch_flow: FetchFlowAction;
      goto: GotoAction;
      hangup: HangupAction;
      message_send: MessageSendAction;
      mute: MuteAction;
      play: PlayAction;
      queue_join: QueueJoinAction;
      recording_start: RecordingStartAction;
      recording_stop: RecordingStopAction;
      sleep: SleepAction;
      stop: StopAction;
      stream_echo: StreamEchoAction;
      talk: TalkAction;
      transcribe_start: TranscribeStartAction;
      transcribe_stop: TranscribeStopAction;
      transcribe_recording: TranscribeRecordingAction;
      variable_set: VariableSetAction;
      webhook_send: WebhookSendAction;
    };
    expectTypeOf<Named>().toEqualTypeOf<{ [T in ActionType]: Extract<Action, { type: T }> }>();
  });

  it('returns typed results from the client', () => {
    const client = createClient({ actions: ACTION_SCHEMAS });
    expectTypeOf(client.calls.create).returns.toEqualTypeOf<Promise<CreateCallResult>>();
    expectTypeOf(client.calls.get).returns.resolves.toEqualTypeOf<Call>();
    expectTypeOf(client.calls.list).returns.resolves.toEqualTypeOf<Page<Call>>();
    expectTypeOf(client.calls.iterate()).toExtend<AsyncIterable<Call>>();
  });

  it('types the actions a client sends by the schemas it was given', () => {
    type ActionsOf<T extends (request: never) => unknown> = NonNullable<
      Parameters<T>[0]['actions']
    >[number];
    const talkOnly = createClient({ actions: [TalkActionSchema] });
    expectTypeOf<ActionsOf<typeof talkOnly.calls.create>>().toEqualTypeOf<TalkAction>();
    expectTypeOf<ActionsOf<typeof talkOnly.flows.create>>().toEqualTypeOf<TalkAction>();
    const source = { type: 'tel', target: '+15550100' } as const;
    talkOnly.calls.create({ source, destinations: [source], actions: [talk({ text: 'Hi' })] });
    talkOnly.calls.create({
      source,
      destinations: [source],
      // @ts-expect-error: this client was not given PlayActionSchema
      actions: [play(['https://example.com/a.wav'])],
    });

    const flowsOnly = createClient();
    expectTypeOf<ActionsOf<typeof flowsOnly.calls.create>>().toBeNever();
    flowsOnly.calls.create({ source, destinations: [source], flow_id: 'a-flow' });

    // Options kept in a variable type the client as they say: no actions unless listed.
    const options: ClientOptions = { token: 't' };
    const fromOptions = createClient(options);
    expectTypeOf<ActionsOf<typeof fromOptions.calls.create>>().toBeNever();
    const serverOptions: ClientOptions<typeof ACTION_SCHEMAS> = { actions: ACTION_SCHEMAS };
    expectTypeOf(createClient(serverOptions)).toEqualTypeOf<VoipbinClient>();

    const all = createClient({ actions: ACTION_SCHEMAS });
    expectTypeOf<ActionsOf<typeof all.calls.create>>().toEqualTypeOf<Action>();
    expectTypeOf(all).toEqualTypeOf<VoipbinClient>();
  });

  it('narrows an event by its kind', () => {
    const event = {} as Event;
    if (event.kind === 'call') expectTypeOf(event.data).toEqualTypeOf<Call>();
  });
});
