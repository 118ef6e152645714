import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

export const AnswerActionSchema = actionSchema('answer', v.optional(NoOptionSchema));

export type AnswerAction = v.InferOutput<typeof AnswerActionSchema>;
