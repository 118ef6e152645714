import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

/** Holds the flow until it is told to go on to the next action. */
export const BlockActionSchema = actionSchema('block', v.optional(NoOptionSchema));

export type BlockAction = v.InferOutput<typeof BlockActionSchema>;
