import * as v from 'valibot';
import { actionSchema, OpenOptionSchema } from './define.ts';

export const MuteActionSchema = actionSchema('mute', v.optional(OpenOptionSchema));

export type MuteAction = v.InferOutput<typeof MuteActionSchema>;
