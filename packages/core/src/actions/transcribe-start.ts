import * as v from 'valibot';
import { LanguageSchema, UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const TranscribeOptionSchema = v.strictObject({
  language: v.optional(LanguageSchema),
  on_end_flow_id: v.optional(UuidSchema),
  provider: v.optional(v.picklist(['', 'gcp', 'aws'])),
  direction: v.optional(v.picklist(['both', 'in', 'out'])),
});

export const TranscribeStartActionSchema = actionSchema(
  'transcribe_start',
  v.optional(TranscribeOptionSchema),
);

export type TranscribeStartAction = v.InferOutput<typeof TranscribeStartActionSchema>;
