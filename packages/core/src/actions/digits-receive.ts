import * as v from 'valibot';
import { DurationSchema } from '../primitives.ts';
import { actionSchema, dtmfKeys } from './define.ts';

export const DigitsReceiveOptionSchema = v.strictObject({
  duration: v.optional(DurationSchema),
  key: v.optional(dtmfKeys()),
  length: v.optional(DurationSchema),
});

export const DigitsReceiveActionSchema = actionSchema(
  'digits_receive',
  v.optional(DigitsReceiveOptionSchema),
);

export type DigitsReceiveAction = v.InferOutput<typeof DigitsReceiveActionSchema>;
