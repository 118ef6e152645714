import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

export const BeepActionSchema = actionSchema('beep', v.optional(NoOptionSchema));

export type BeepAction = v.InferOutput<typeof BeepActionSchema>;
