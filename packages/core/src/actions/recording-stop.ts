import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

export const RecordingStopActionSchema = actionSchema('recording_stop', v.optional(NoOptionSchema));

export type RecordingStopAction = v.InferOutput<typeof RecordingStopActionSchema>;
