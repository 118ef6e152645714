/**
 * In-call control: one mutation per verb of core's `CALL_CONTROLS`, generated from its row (the
 * name, the body's schema, the description), as action inputs are generated from theirs. A
 * verb with a body of one field takes it as an argument (`muteCall(id, direction)`), one with
 * more an `input` (`talkToCall(id, input: TalkInput!)`).
 */
import {
  CALL_CONTROLS,
  type CallControlName,
  type CallControlVerb,
  MUTE_DIRECTIONS,
  MuteDirectionSchema,
  TtsProviderSchema,
} from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import { controlCall } from '../calls/index.ts';
import { camel, pascal, type Schema, toVoipbinValue, unwrap } from '../mapping.ts';
import { graphqlType, namedEnum, objectInput } from './action.ts';
import { CallRef } from './refs.ts';

namedEnum(
  MuteDirectionSchema,
  'MuteDirectionInput',
  MUTE_DIRECTIONS,
  'Which way to mute or unmute a call (VoIPBIN `CallManagerCallMuteDirection`): BOTH, IN (the incoming audio of the call: the other party is not heard) or OUT (the audio VoIPBIN sends to the call: the other party hears nothing); left out, both.',
);
namedEnum(
  TtsProviderSchema,
  'TtsProvider',
  ['gcp', 'aws'],
  "Who speaks a talk's text (VoIPBIN's talk `provider`); VoIPBIN falls back to the other when one fails.",
);

/** Input type names kept from before the table (a client's variables may name them). */
const INPUT_NAMES: { readonly [K in CallControlName]?: string } = {
  startRecording: 'RecordingInput',
};

/** What the gateway says beyond the row's summary. */
const NOTES: { readonly [K in CallControlName]?: string } = {
  hangup: "Another's call answers NOT_FOUND, as one that does not exist; never rate-limited.",
  talk: "Within this gateway's talk length limit.",
};

// biome-ignore lint/suspicious/noExplicitAny: generated fields are checked at run time by core
type AnyField = any;

builder.mutationFields((t) =>
  Object.fromEntries(
    (Object.entries(CALL_CONTROLS) as [CallControlName, CallControlVerb][]).map(([name, verb]) => {
      const entries = verb.body ? (unwrap(verb.body as Schema).schema.entries ?? {}) : {};
      const keys = Object.keys(entries);
      const single = keys.length === 1 ? (keys[0] as string) : undefined;
      const required = keys.some((key) => !unwrap(entries[key] as Schema).optional);
      const args: Record<string, AnyField> = {
        id: t.arg.id({ required: true, description: 'The call id.' }),
      };
      if (single) {
        const { type } = graphqlType(entries[single] as Schema, pascal(name), single);
        args[camel(single)] = t.arg({
          type,
          required,
          description: `VoIPBIN's \`${single}\`.`,
        });
      } else if (verb.body) {
        const inputName = INPUT_NAMES[name] ?? `${pascal(verb.path)}Input`;
        const input = objectInput(
          inputName,
          verb.body as Schema,
          `The body of VoIPBIN's \`${verb.method} /calls/{id}/${verb.path}\`.`,
        );
        args.input = t.arg({
          type: input,
          required,
          description: required ? 'The request.' : "The request; VoIPBIN's defaults otherwise.",
        });
      }
      const description = [
        `${verb.summary.replace(/\.$/, '')} (VoIPBIN \`${verb.method} /calls/{id}/${verb.path}\`); answers the call as it is after.`,
        NOTES[name],
      ]
        .filter(Boolean)
        .join(' ');
      return [
        verb.mutation,
        t.field({
          type: CallRef,
          // hangup keeps the mutations' default scope (calls:create), as before the table.
          ...(name === 'hangup' ? {} : { authScopes: { control: true } }),
          description,
          args,
          resolve: (_: unknown, given: Record<string, unknown>, ctx: AnyField) => {
            const json = !verb.body
              ? undefined
              : single
                ? given[camel(single)] == null
                  ? {}
                  : { [single]: given[camel(single)] }
                : ((toVoipbinValue(verb.body as Schema, given.input ?? {}) ?? {}) as Record<
                    string,
                    unknown
                  >);
            return controlCall(ctx, name, given.id as string, json);
          },
        } as AnyField),
      ];
    }),
  ),
);
