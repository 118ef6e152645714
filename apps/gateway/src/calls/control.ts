import {
  type Call,
  type MuteDirection,
  type RecordingStartRequest,
  RecordingStartRequestSchema,
  type TalkRequest,
  TalkRequestSchema,
} from '@voipbin-kit/core';
import { GraphQLError } from 'graphql';
import { type Context, reveal } from '../context.ts';
import { guard, rateLimit } from './guard.ts';
import { announce, ownCall } from './owned.ts';

/** hangupCall: a call of the caller's, hung up (ringing: canceled; answered: terminated). */
export async function hangupCall(ctx: Context, id: string): Promise<Call> {
  await ownCall(ctx, id);
  const call = await ctx.voipbin.calls.hangup(id);
  reveal(ctx, call.id);
  return call;
}

/** What VoIPBIN's talk, hold and mute answer: no call (read after). */
const noCall = (): undefined => undefined;

/**
 * Acts on a running call of the caller's and answers the call as it is after: another's (or
 * none) is NOT_FOUND, as everywhere; a control request takes a token of the caller's bucket,
 * as createCall does. The new state goes to live subscribers at once, whatever the source.
 */
async function act(
  ctx: Context,
  id: string,
  action: () => Promise<Call | undefined>,
): Promise<Call> {
  await ownCall(ctx, id);
  await rateLimit(ctx);
  // VoIPBIN answers talk, hold and mute with no call: it is read after the change.
  const call = (await action()) ?? (await ctx.voipbin.calls.get(id));
  reveal(ctx, call.id);
  announce(ctx, call);
  return call;
}

/** talkToCall: the request checked, its text within the policy's talk length, then spoken. */
export async function talkToCall(ctx: Context, id: string, json: TalkRequest): Promise<Call> {
  guard(ctx, TalkRequestSchema, json, 'talk request');
  const max = ctx.security.policy.maxTalkLength;
  if (json.text.length > max) {
    const message = `A talk text has at most ${max} characters`;
    throw new GraphQLError(`Refused by this gateway's policy: input.text: ${message}`, {
      extensions: { code: 'BAD_USER_INPUT', issues: [{ path: 'input.text', message }] },
    });
  }
  return act(ctx, id, () => ctx.voipbin.calls.talk(id, json).then(noCall));
}

export const holdCall = (ctx: Context, id: string) =>
  act(ctx, id, () => ctx.voipbin.calls.hold(id).then(noCall));

export const unholdCall = (ctx: Context, id: string) =>
  act(ctx, id, () => ctx.voipbin.calls.unhold(id).then(noCall));

/** muteCall and unmuteCall: VoIPBIN's POST or DELETE of the mute, `direction` the same. */
export const mute = (ctx: Context, way: 'mute' | 'unmute', id: string, direction: MuteDirection) =>
  act(ctx, id, () => ctx.voipbin.calls[way](id, { direction }).then(noCall));

/** startRecording: the request checked, then the recording started; answers the call. */
export async function startRecording(
  ctx: Context,
  id: string,
  json: RecordingStartRequest,
): Promise<Call> {
  guard(ctx, RecordingStartRequestSchema, json, 'recording request');
  return act(ctx, id, () => ctx.voipbin.calls.startRecording(id, json));
}

export const stopRecording = (ctx: Context, id: string) =>
  act(ctx, id, () => ctx.voipbin.calls.stopRecording(id));
