import * as v from 'valibot';
import { DurationSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const EchoOptionSchema = v.strictObject({ duration: v.optional(DurationSchema) });

export const EchoActionSchema = actionSchema('echo', v.optional(EchoOptionSchema));

export type EchoAction = v.InferOutput<typeof EchoActionSchema>;
