import * as v from 'valibot';
import { DurationSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

/** `duration` in milliseconds; VoIPBIN reads a missing one as 0. */
export const SleepOptionSchema = v.strictObject({ duration: v.optional(DurationSchema) });

export const SleepActionSchema = actionSchema('sleep', v.optional(SleepOptionSchema));

export type SleepAction = v.InferOutput<typeof SleepActionSchema>;
