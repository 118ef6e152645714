import * as v from 'valibot';
import { DurationSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const StreamEchoOptionSchema = v.strictObject({ duration: v.optional(DurationSchema) });

export const StreamEchoActionSchema = actionSchema(
  'stream_echo',
  v.optional(StreamEchoOptionSchema),
);

export type StreamEchoAction = v.InferOutput<typeof StreamEchoActionSchema>;
