import { MUTE_DIRECTIONS, type MuteDirection } from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import {
  holdCall,
  mute,
  startRecording,
  stopRecording,
  talkToCall,
  unholdCall,
} from '../calls/index.ts';
import { voipbinEnum } from './enums.ts';
import { CallRef } from './refs.ts';

const MuteDirectionInput = voipbinEnum(
  'MuteDirectionInput',
  MUTE_DIRECTIONS,
  'Which way to mute a call (VoIPBIN `CallManagerCallMuteDirection`): BOTH, IN (what the call hears from VoIPBIN) or OUT.',
  { open: false },
);

const TtsProvider = voipbinEnum(
  'TtsProvider',
  ['gcp', 'aws'],
  "Who speaks a talk's text (VoIPBIN's talk `provider`); VoIPBIN falls back to the other when one fails.",
  { open: false },
);

const TalkInput = builder.inputType('TalkInput', {
  description: 'What to say into a running call (VoIPBIN `POST /calls/{id}/talk`).',
  fields: (t) => ({
    text: t.string({ required: true, description: 'The text to speak (`text`).' }),
    language: t.string({ description: 'A BCP 47 language tag, e.g. en-US (`language`).' }),
    provider: t.field({
      type: TtsProvider.ref,
      description: 'The TTS provider; default GCP (`provider`).',
    }),
    voiceId: t.string({ description: "The provider's voice id (`voice_id`)." }),
  }),
});

const RecordingInput = builder.inputType('RecordingInput', {
  description: 'How to record a running call (VoIPBIN `POST /calls/{id}/recording_start`).',
  fields: (t) => ({
    durationSeconds: t.int({ description: 'The longest the recording runs (`duration`).' }),
    endOfSilenceSeconds: t.int({
      description: 'Stop after this much silence (`end_of_silence`).',
    }),
    endOfKey: t.string({ description: 'A DTMF key that stops the recording (`end_of_key`).' }),
    onEndFlowId: t.id({ description: 'A flow to run when the recording ends (`on_end_flow_id`).' }),
  }),
});

builder.mutationFields((t) => {
  /** `muteCall` and `unmuteCall`: the same arguments, VoIPBIN's POST or DELETE. */
  const muting = (way: 'mute' | 'unmute', description: string) =>
    t.field({
      type: CallRef,
      authScopes: { control: true },
      description,
      args: {
        id: t.arg.id({ required: true, description: 'The call id.' }),
        direction: t.arg({
          type: MuteDirectionInput.ref,
          defaultValue: 'both',
          description: 'Which way; default BOTH.',
        }),
      },
      resolve: (_, { id, direction }, ctx) =>
        mute(ctx, way, id, (direction ?? 'both') as MuteDirection),
    });
  return {
    talkToCall: t.field({
      type: CallRef,
      authScopes: { control: true },
      description:
        "Speaks a text into an answered call (VoIPBIN `POST /calls/{id}/talk`), within this gateway's talk length limit; answers the call as it is after. Refused by VoIPBIN (CONFLICT) before the call is answered or after it ended.",
      args: {
        id: t.arg.id({ required: true, description: 'The call id.' }),
        input: t.arg({ type: TalkInput, required: true, description: 'What to say.' }),
      },
      resolve: (_, { id, input }, ctx) =>
        talkToCall(ctx, id, {
          text: input.text,
          ...(input.language == null ? {} : { language: input.language }),
          ...(input.provider == null ? {} : { provider: input.provider as 'gcp' | 'aws' }),
          ...(input.voiceId == null ? {} : { voice_id: input.voiceId }),
        }),
    }),
    holdCall: t.field({
      type: CallRef,
      authScopes: { control: true },
      description: 'Puts a call on hold (VoIPBIN `POST /calls/{id}/hold`); answers the call.',
      args: { id: t.arg.id({ required: true, description: 'The call id.' }) },
      resolve: (_, { id }, ctx) => holdCall(ctx, id),
    }),
    unholdCall: t.field({
      type: CallRef,
      authScopes: { control: true },
      description: 'Takes a call off hold (VoIPBIN `DELETE /calls/{id}/hold`); answers the call.',
      args: { id: t.arg.id({ required: true, description: 'The call id.' }) },
      resolve: (_, { id }, ctx) => unholdCall(ctx, id),
    }),
    muteCall: muting(
      'mute',
      'Mutes a call one way or both (VoIPBIN `POST /calls/{id}/mute`); answers the call, its `muteDirection` set.',
    ),
    unmuteCall: muting(
      'unmute',
      'Unmutes a call (VoIPBIN `DELETE /calls/{id}/mute`); answers the call.',
    ),
    startRecording: t.field({
      type: CallRef,
      authScopes: { control: true },
      description:
        'Starts recording a call (VoIPBIN `POST /calls/{id}/recording_start`); answers the call, its `recordingId` set.',
      args: {
        id: t.arg.id({ required: true, description: 'The call id.' }),
        input: t.arg({ type: RecordingInput, description: 'How; VoIPBIN defaults otherwise.' }),
      },
      resolve: (_, { id, input }, ctx) =>
        startRecording(ctx, id, {
          ...(input?.durationSeconds == null ? {} : { duration: input.durationSeconds }),
          ...(input?.endOfSilenceSeconds == null
            ? {}
            : { end_of_silence: input.endOfSilenceSeconds }),
          ...(input?.endOfKey == null ? {} : { end_of_key: input.endOfKey }),
          ...(input?.onEndFlowId == null ? {} : { on_end_flow_id: input.onEndFlowId }),
        }),
    }),
    stopRecording: t.field({
      type: CallRef,
      authScopes: { control: true },
      description:
        'Stops recording a call (VoIPBIN `POST /calls/{id}/recording_stop`); answers the call.',
      args: { id: t.arg.id({ required: true, description: 'The call id.' }) },
      resolve: (_, { id }, ctx) => stopRecording(ctx, id),
    }),
  };
});
