import * as v from 'valibot';
import { LanguageSchema, UuidSchema } from '../primitives.ts';

/** The options of `transcribe_start` and `transcribe_recording` (own module: neither pulls in the other). */
export const TranscribeOptionSchema = v.strictObject({
  language: v.optional(LanguageSchema),
  on_end_flow_id: v.optional(UuidSchema),
  provider: v.optional(v.picklist(['', 'gcp', 'aws'])),
  direction: v.optional(v.picklist(['both', 'in', 'out'])),
});
