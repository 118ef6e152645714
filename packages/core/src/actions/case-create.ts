import * as v from 'valibot';
import { actionSchema, text } from './define.ts';

/** Options of `case_create`: a CRM case for the call or conversation the flow runs for. */
export const CaseCreateOptionSchema = v.strictObject({
  name: v.optional(text()),
  detail: v.optional(text()),
  note: v.optional(text()),
  /** Wait for the case to be created before the next action. */
  sync: v.optional(v.boolean()),
});

export const CaseCreateActionSchema = actionSchema(
  'case_create',
  v.optional(CaseCreateOptionSchema),
);

export type CaseCreateAction = v.InferOutput<typeof CaseCreateActionSchema>;
