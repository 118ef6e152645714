import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const ConferenceJoinOptionSchema = v.strictObject({ conference_id: UuidSchema });

export const ConferenceJoinActionSchema = actionSchema(
  'conference_join',
  ConferenceJoinOptionSchema,
);

export type ConferenceJoinAction = v.InferOutput<typeof ConferenceJoinActionSchema>;
