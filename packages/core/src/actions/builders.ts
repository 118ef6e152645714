import type { AiTaskAction } from './ai-task.ts';
import type { ActionOf, ActionOption, ActionType } from './all.ts';
import type { AnswerAction } from './answer.ts';
import type { BlockAction } from './block.ts';
import type { CaseCreateAction } from './case-create.ts';
import type { ConnectAction } from './connect.ts';
import type { DigitsReceiveAction } from './digits-receive.ts';
import type { DigitsSendAction } from './digits-send.ts';
import type { EmptyAction } from './empty.ts';
import type { GotoAction } from './goto.ts';
import type { HangupAction } from './hangup.ts';
import type { PlayAction } from './play.ts';
import type { SleepAction } from './sleep.ts';
import type { TalkAction } from './talk.ts';

type Ids = { id?: string; next_id?: string };

/**
 * Builds a typed action of any type: `action('digits_receive', { duration: 5000, length: 4 })`.
 * The result is checked when the request that carries it is sent.
 */
export function action<T extends ActionType>(
  type: T,
  ...[option, ids]: undefined extends ActionOption<T>
    ? [option?: ActionOption<T>, ids?: Ids]
    : [option: ActionOption<T>, ids?: Ids]
): ActionOf<T> {
  return { ...ids, type, ...(option === undefined ? {} : { option }) } as ActionOf<T>;
}

/**
 * Speaks `text`: `talk({ text: 'Hello', language: 'en-US' })`; `provider` and `voice_id` choose
 * the voice (`gender` is still accepted, but VoIPBIN no longer reads it).
 */
export const talk = (option: ActionOption<'talk'>, ids?: Ids): TalkAction =>
  action('talk', option, ids);

/** Plays audio from one or more URLs. */
export const play = (streamUrls: string[], ids?: Ids): PlayAction =>
  action('play', { stream_urls: streamUrls }, ids);

/** Answers an incoming call. */
export const answer = (ids?: Ids): AnswerAction => action('answer', undefined, ids);

/** Waits `duration` milliseconds. */
export const sleep = (duration: number, ids?: Ids): SleepAction =>
  action('sleep', { duration }, ids);

/** Gathers DTMF digits into the flow's variables. */
export const digitsReceive = (
  option: ActionOption<'digits_receive'>,
  ids?: Ids,
): DigitsReceiveAction => action('digits_receive', option, ids);

/** Sends DTMF digits. */
export const digitsSend = (option: ActionOption<'digits_send'>, ids?: Ids): DigitsSendAction =>
  action('digits_send', option, ids);

/** Connects the call to other destinations. */
export const connect = (option: ActionOption<'connect'>, ids?: Ids): ConnectAction =>
  action('connect', option, ids);

/** Jumps to the action `target_id`, at most `loop_count` times. */
export const goto = (option: ActionOption<'goto'>, ids?: Ids): GotoAction =>
  action('goto', option, ids);

/** Hangs up the call. */
export const hangup = (option?: ActionOption<'hangup'>, ids?: Ids): HangupAction =>
  action('hangup', option, ids);

/** Runs an AI task with an AI or a team: `aiTask({ assistance_type: 'ai', assistance_id })`. */
export const aiTask = (option: ActionOption<'ai_task'>, ids?: Ids): AiTaskAction =>
  action('ai_task', option, ids);

/** Holds the flow until VoIPBIN is told to go on to the next action. */
export const block = (ids?: Ids): BlockAction => action('block', undefined, ids);

/** Creates a CRM case for the call or conversation the flow runs for. */
export const caseCreate = (option?: ActionOption<'case_create'>, ids?: Ids): CaseCreateAction =>
  action('case_create', option, ids);

/** Does nothing: VoIPBIN's `empty` action, which halts the flow where it is. */
export const empty = (ids?: Ids): EmptyAction => action('empty', undefined, ids);
