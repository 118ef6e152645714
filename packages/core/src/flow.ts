import * as v from 'valibot';
import { ActionByTypeSchema } from './actions/all.ts';
import { ResponseActionSchema } from './actions/response.ts';
import {
  loose,
  type Open,
  ResponseIdSchema,
  ResponseTextSchema,
  ResponseTimestampSchema,
  UuidSchema,
  unset,
} from './primitives.ts';

export const FLOW_TYPES = ['flow', 'conference', 'queue', 'campaign', 'transfer'] as const;
export type FlowType = (typeof FLOW_TYPES)[number];

/**
 * The schema of the body of `POST /v1.0/flows` (and `PUT /v1.0/flows/{id}`) whose actions
 * `action` checks; see `createCallRequestSchema`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function createFlowRequestSchema<const TAction extends v.GenericSchema>(action: TAction) {
  return v.strictObject({
    name: v.pipe(v.string(), v.maxLength(255, 'Expected at most 255 characters')),
    detail: v.pipe(v.string(), v.maxLength(1024, 'Expected at most 1024 characters')),
    actions: v.array(action),
    on_complete_flow_id: v.optional(UuidSchema),
  });
}

/** The body of `POST /v1.0/flows`, with any action. */
export const CreateFlowRequestSchema = /* @__PURE__ */ createFlowRequestSchema(ActionByTypeSchema);
export type CreateFlowRequest = v.InferInput<typeof CreateFlowRequestSchema>;
/** The body of `POST /v1.0/flows` with the actions `TAction` checks. */
export type CreateFlowRequestWith<TAction extends v.GenericSchema> = v.InferInput<
  ReturnType<typeof createFlowRequestSchema<TAction>>
>;

/** A flow as VoIPBIN answers it (`FlowManagerFlow`), normalised. */
const flowSchema = v.object({
  id: v.pipe(v.string(), v.nonEmpty()),
  customer_id: ResponseIdSchema,
  type: unset<Open<FlowType>>(),
  name: loose(v.string(), (name) => name ?? ''),
  detail: loose(v.string(), (detail) => detail ?? ''),
  actions: loose(v.array(ResponseActionSchema), (actions) => actions ?? []),
  direct_hash: ResponseTextSchema,
  on_complete_flow_id: ResponseIdSchema,
  tm_create: ResponseTimestampSchema,
  tm_update: ResponseTimestampSchema,
  tm_delete: ResponseTimestampSchema,
});
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface FlowSchemaType extends Readonly<typeof flowSchema> {}
export const FlowSchema: FlowSchemaType = flowSchema;
export type Flow = v.InferOutput<typeof FlowSchema>;
