import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const QueueJoinOptionSchema = v.strictObject({ queue_id: UuidSchema });

export const QueueJoinActionSchema = actionSchema('queue_join', QueueJoinOptionSchema);

export type QueueJoinAction = v.InferOutput<typeof QueueJoinActionSchema>;
