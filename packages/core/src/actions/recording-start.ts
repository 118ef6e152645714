import * as v from 'valibot';
import { DurationSchema, UuidSchema } from '../primitives.ts';
import { actionSchema, text } from './define.ts';

export const RecordingStartOptionSchema = v.strictObject({
  format: v.optional(v.picklist(['wav', 'mp3', 'ogg'])),
  end_of_silence: v.optional(DurationSchema),
  end_of_key: v.optional(text()),
  duration: v.optional(DurationSchema),
  beep_start: v.optional(v.boolean()),
  on_end_flow_id: v.optional(UuidSchema),
});

export const RecordingStartActionSchema = actionSchema(
  'recording_start',
  v.optional(RecordingStartOptionSchema),
);

export type RecordingStartAction = v.InferOutput<typeof RecordingStartActionSchema>;
