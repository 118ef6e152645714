import * as v from 'valibot';
import { DurationSchema } from '../primitives.ts';
import { actionSchema, dtmfKeys } from './define.ts';

export const DigitsSendOptionSchema = v.strictObject({
  digits: v.pipe(
    dtmfKeys(),
    v.nonEmpty('Expected keys to send'),
    v.maxLength(100, 'Expected at most 100 keys'),
  ),
  duration: v.optional(
    v.pipe(
      DurationSchema,
      v.minValue(100, 'Expected at least 100 ms'),
      v.maxValue(1000, 'Expected at most 1000 ms'),
    ),
  ),
  interval: v.optional(v.pipe(DurationSchema, v.maxValue(5000, 'Expected at most 5000 ms'))),
});

export const DigitsSendActionSchema = actionSchema('digits_send', DigitsSendOptionSchema);

export type DigitsSendAction = v.InferOutput<typeof DigitsSendActionSchema>;
