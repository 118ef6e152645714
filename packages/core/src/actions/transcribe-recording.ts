import * as v from 'valibot';
import { actionSchema } from './define.ts';
import { TranscribeOptionSchema } from './transcribe-option.ts';

export const TranscribeRecordingActionSchema = actionSchema(
  'transcribe_recording',
  v.optional(TranscribeOptionSchema),
);

export type TranscribeRecordingAction = v.InferOutput<typeof TranscribeRecordingActionSchema>;
