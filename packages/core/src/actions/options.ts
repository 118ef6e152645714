/**
 * Option schemas of VoIPBIN's flow actions, after `FlowManagerActionOption*` in
 * `voipbin-calls-openapi.yaml`. Options are checked exactly: an unknown key is a typo until
 * the spec says otherwise. Fields without which an action cannot run are required.
 */
import * as v from 'valibot';
import { AddressSchema } from '../address.ts';
import { AnonymousSchema, DurationSchema, LanguageSchema, UuidSchema } from '../primitives.ts';

const Text = v.string();
const NonEmptyText = v.pipe(v.string(), v.nonEmpty('Expected a non-empty string'));
const Bool = v.boolean();
const Url = v.pipe(v.string(), v.url('Expected an absolute URL such as https://example.com/a'));
const Language = LanguageSchema;
const Destinations = v.pipe(
  v.array(AddressSchema),
  v.minLength(1, 'Expected at least one destination'),
);
const DtmfKeys = v.pipe(
  v.string(),
  v.regex(/^[0-9ABCD#*]*$/, 'Expected DTMF keys: 0-9, A-D, # or *'),
);
const TranscribeProvider = v.picklist(['', 'gcp', 'aws']);
const TranscribeDirection = v.picklist(['both', 'in', 'out']);
const optional = v.optional;

/** Options of an action the spec gives no options for. */
export const NoOptionSchema = v.strictObject({});
/** Options of an action the spec leaves open (`condition_*`, `mute`, `stop`). */
export const OpenOptionSchema = v.record(v.string(), v.unknown());

export const AiSummaryOptionSchema = v.strictObject({
  on_end_flow_id: optional(UuidSchema),
  reference_type: optional(v.picklist(['', 'call', 'conference', 'transcribe', 'recording'])),
  reference_id: optional(UuidSchema),
  language: optional(Language),
});

export const AiTalkOptionSchema = v.pipe(
  v.strictObject({
    /** @deprecated VoIPBIN: use `assistance_type` + `assistance_id`. */
    ai_id: optional(UuidSchema),
    assistance_type: optional(v.picklist(['', 'ai', 'team'])),
    assistance_id: optional(UuidSchema),
    duration: optional(DurationSchema),
  }),
  v.check(
    (option) => Boolean(option.assistance_id || option.ai_id),
    'ai_talk needs `assistance_id` (or the deprecated `ai_id`)',
  ),
);

export const AmdOptionSchema = v.strictObject({
  machine_handle: optional(v.picklist(['hangup', 'continue'])),
  async: optional(Bool),
});

export const BranchOptionSchema = v.strictObject({
  variable: optional(Text),
  default_target_id: optional(UuidSchema),
  target_ids: optional(v.record(v.string(), UuidSchema)),
});

export const ConfbridgeJoinOptionSchema = v.strictObject({ confbridge_id: UuidSchema });
export const ConferenceJoinOptionSchema = v.strictObject({ conference_id: UuidSchema });

export const ConnectOptionSchema = v.strictObject({
  source: optional(AddressSchema),
  destinations: Destinations,
  early_media: optional(Bool),
  relay_reason: optional(Bool),
  anonymous: optional(AnonymousSchema),
});

export const ConversationSendOptionSchema = v.strictObject({
  conversation_id: UuidSchema,
  text: NonEmptyText,
  sync: optional(Bool),
});

export const DigitsReceiveOptionSchema = v.strictObject({
  duration: optional(DurationSchema),
  key: optional(DtmfKeys),
  length: optional(v.pipe(DurationSchema, v.minValue(1, 'Expected at least 1'))),
});

export const DigitsSendOptionSchema = v.strictObject({
  digits: v.pipe(
    DtmfKeys,
    v.nonEmpty('Expected keys to send'),
    v.maxLength(100, 'Expected at most 100 keys'),
  ),
  duration: optional(
    v.pipe(
      DurationSchema,
      v.minValue(100, 'Expected at least 100 ms'),
      v.maxValue(1000, 'Expected at most 1000 ms'),
    ),
  ),
  interval: optional(v.pipe(DurationSchema, v.maxValue(5000, 'Expected at most 5000 ms'))),
});

export const EchoOptionSchema = v.strictObject({ duration: optional(DurationSchema) });

export const EmailSendOptionSchema = v.strictObject({
  destinations: Destinations,
  subject: optional(Text),
  content: optional(Text),
  attachments: optional(
    v.array(
      v.strictObject({
        reference_type: v.picklist(['', 'recording']),
        reference_id: UuidSchema,
      }),
    ),
  ),
});

export const ExternalMediaStartOptionSchema = v.strictObject({
  external_host: NonEmptyText,
  encapsulation: optional(Text),
  transport: optional(Text),
  connection_type: optional(Text),
  format: optional(Text),
  direction: optional(Text),
  data: optional(Text),
  transport_data: optional(Text),
});

export const FetchOptionSchema = v.strictObject({
  event_url: Url,
  event_method: optional(v.picklist(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])),
});

export const FetchFlowOptionSchema = v.strictObject({ flow_id: UuidSchema });

export const GotoOptionSchema = v.strictObject({
  target_id: UuidSchema,
  loop_count: optional(DurationSchema),
});

export const HangupOptionSchema = v.strictObject({
  reason: optional(Text),
  reference_id: optional(UuidSchema),
});

export const MessageSendOptionSchema = v.strictObject({
  source: optional(AddressSchema),
  destinations: Destinations,
  text: NonEmptyText,
});

export const PlayOptionSchema = v.strictObject({
  stream_urls: v.pipe(v.array(Url), v.minLength(1, 'Expected at least one stream URL')),
});

export const QueueJoinOptionSchema = v.strictObject({ queue_id: UuidSchema });

export const RecordingStartOptionSchema = v.strictObject({
  format: optional(v.picklist(['wav', 'mp3', 'ogg'])),
  end_of_silence: optional(DurationSchema),
  end_of_key: optional(Text),
  duration: optional(DurationSchema),
  beep_start: optional(Bool),
  on_end_flow_id: optional(UuidSchema),
});

export const SleepOptionSchema = v.strictObject({ duration: DurationSchema });
export const StreamEchoOptionSchema = v.strictObject({ duration: optional(DurationSchema) });

export const TalkOptionSchema = v.strictObject({
  text: NonEmptyText,
  gender: optional(v.picklist(['male', 'female', 'neutral'])),
  language: optional(Language),
  digits_handle: optional(v.picklist(['', 'next'])),
  async: optional(Bool),
});

export const TranscribeOptionSchema = v.strictObject({
  language: optional(Language),
  on_end_flow_id: optional(UuidSchema),
  provider: optional(TranscribeProvider),
  direction: optional(TranscribeDirection),
});

export const VariableSetOptionSchema = v.strictObject({
  key: NonEmptyText,
  value: Text,
});

export const WebhookSendOptionSchema = v.strictObject({
  sync: optional(Bool),
  uri: Url,
  method: optional(v.picklist(['POST', 'GET', 'PUT', 'DELETE'])),
  data_type: optional(Text),
  data: optional(Text),
});
