import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

/** Deprecated by VoIPBIN: use `condition_variable`. */
export const ConditionCallStatusOptionSchema = v.strictObject({
  status: v.optional(
    v.picklist(['dialing', 'ringing', 'progressing', 'terminating', 'canceling', 'hangup']),
  ),
  false_target_id: v.optional(UuidSchema),
});

export const ConditionCallStatusActionSchema = actionSchema(
  'condition_call_status',
  v.optional(ConditionCallStatusOptionSchema),
);

export type ConditionCallStatusAction = v.InferOutput<typeof ConditionCallStatusActionSchema>;
