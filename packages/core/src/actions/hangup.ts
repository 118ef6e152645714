import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema, text } from './define.ts';

export const HangupOptionSchema = v.strictObject({
  reason: v.optional(text()),
  reference_id: v.optional(UuidSchema),
});

export const HangupActionSchema = actionSchema('hangup', v.optional(HangupOptionSchema));

export type HangupAction = v.InferOutput<typeof HangupActionSchema>;
