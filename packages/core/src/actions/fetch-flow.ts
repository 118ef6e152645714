import * as v from 'valibot';
import { UuidSchema } from '../primitives.ts';
import { actionSchema } from './define.ts';

export const FetchFlowOptionSchema = v.strictObject({ flow_id: UuidSchema });

export const FetchFlowActionSchema = actionSchema('fetch_flow', FetchFlowOptionSchema);

export type FetchFlowAction = v.InferOutput<typeof FetchFlowActionSchema>;
