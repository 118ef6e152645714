import * as v from 'valibot';
import { actionSchema, NoOptionSchema } from './define.ts';

export const ExternalMediaStopActionSchema = actionSchema(
  'external_media_stop',
  v.optional(NoOptionSchema),
);

export type ExternalMediaStopAction = v.InferOutput<typeof ExternalMediaStopActionSchema>;
