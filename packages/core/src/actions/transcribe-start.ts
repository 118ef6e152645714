import * as v from 'valibot';
import { actionSchema } from './define.ts';
import { TranscribeOptionSchema } from './transcribe-option.ts';

export const TranscribeStartActionSchema = actionSchema(
  'transcribe_start',
  v.optional(TranscribeOptionSchema),
);

export type TranscribeStartAction = v.InferOutput<typeof TranscribeStartActionSchema>;
