import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema, text } from './define.ts';

export const BranchOptionSchema = v.strictObject({
  variable: v.optional(text()),
  default_target_id: v.optional(UuidSchema),
  target_ids: v.optional(v.record(v.string(), UuidSchema)),
});

export const BranchActionSchema = actionSchema('branch', v.optional(BranchOptionSchema));

export type BranchAction = v.InferOutput<typeof BranchActionSchema>;
