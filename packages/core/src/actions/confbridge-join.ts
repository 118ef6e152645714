import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const ConfbridgeJoinOptionSchema = v.strictObject({ confbridge_id: UuidSchema });

export const ConfbridgeJoinActionSchema = actionSchema(
  'confbridge_join',
  ConfbridgeJoinOptionSchema,
);

export type ConfbridgeJoinAction = v.InferOutput<typeof ConfbridgeJoinActionSchema>;
