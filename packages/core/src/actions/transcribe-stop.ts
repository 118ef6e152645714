import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

export const TranscribeStopActionSchema = actionSchema(
  'transcribe_stop',
  v.optional(NoOptionSchema),
);

export type TranscribeStopAction = v.InferOutput<typeof TranscribeStopActionSchema>;
