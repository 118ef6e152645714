import * as v from 'valibot';
import { LanguageSchema, UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const AiSummaryOptionSchema = v.strictObject({
  on_end_flow_id: v.optional(UuidSchema),
  reference_type: v.optional(v.picklist(['', 'call', 'conference', 'transcribe', 'recording'])),
  reference_id: v.optional(UuidSchema),
  language: v.optional(LanguageSchema),
});

export const AiSummaryActionSchema = actionSchema('ai_summary', v.optional(AiSummaryOptionSchema));

export type AiSummaryAction = v.InferOutput<typeof AiSummaryActionSchema>;
