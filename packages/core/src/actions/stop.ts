import * as v from 'valibot';
import { actionSchema, OpenOptionSchema } from './define.ts';

export const StopActionSchema = actionSchema('stop', v.optional(OpenOptionSchema));

export type StopAction = v.InferOutput<typeof StopActionSchema>;
