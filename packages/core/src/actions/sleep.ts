import * as v from 'valibot';
import { DurationSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const SleepOptionSchema = v.strictObject({ duration: DurationSchema });

export const SleepActionSchema = actionSchema('sleep', SleepOptionSchema);

export type SleepAction = v.InferOutput<typeof SleepActionSchema>;
