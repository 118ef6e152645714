import * as v from 'valibot';
import { actionSchema, nonEmptyText, text } from './define.ts';

export const ExternalMediaStartOptionSchema = v.strictObject({
  external_host: nonEmptyText(),
  encapsulation: v.optional(text()),
  transport: v.optional(text()),
  transport_data: v.optional(text()),
  connection_type: v.optional(text()),
  format: v.optional(text()),
  direction_listen: v.optional(text()),
  direction_speak: v.optional(text()),
  data: v.optional(text()),
});

export const ExternalMediaStartActionSchema = actionSchema(
  'external_media_start',
  ExternalMediaStartOptionSchema,
);

export type ExternalMediaStartAction = v.InferOutput<typeof ExternalMediaStartActionSchema>;
