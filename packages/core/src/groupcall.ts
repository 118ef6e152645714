import * as v from 'valibot';
import { ResponseAddressSchema } from './address.ts';
import {
  loose,
  type Open,
  ResponseIdListSchema,
  ResponseIdSchema,
  ResponseTextSchema,
  ResponseTimestampSchema,
  unset,
} from './primitives.ts';

export const GROUPCALL_STATUSES = ['progressing', 'hangingup', 'hangup'] as const;
export type GroupcallStatus = (typeof GROUPCALL_STATUSES)[number];

const count = loose(v.number(), (n) => n);

/**
 * A group call as VoIPBIN answers it (`CallManagerGroupcall`): calling an extension or an
 * agent rings several legs at once; `call_ids` names them. Normalised like `CallSchema`.
 */
const groupcallSchema = v.object({
  id: v.pipe(v.string(), v.nonEmpty()),
  customer_id: ResponseIdSchema,
  owner_type: ResponseTextSchema,
  owner_id: ResponseIdSchema,
  status: unset<Open<GroupcallStatus>>(),
  flow_id: ResponseIdSchema,
  source: loose(ResponseAddressSchema, (address) => address),
  destinations: loose(v.array(ResponseAddressSchema), (list) => list ?? []),
  master_call_id: ResponseIdSchema,
  master_groupcall_id: ResponseIdSchema,
  ring_method: unset<Open<'ring_all' | 'linear'>>(),
  answer_method: unset<Open<'hangup_others'>>(),
  answer_call_id: ResponseIdSchema,
  call_ids: ResponseIdListSchema,
  answer_groupcall_id: ResponseIdSchema,
  groupcall_ids: ResponseIdListSchema,
  call_count: count,
  groupcall_count: count,
  dial_index: count,
  tm_create: ResponseTimestampSchema,
  tm_update: ResponseTimestampSchema,
  tm_delete: ResponseTimestampSchema,
});
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface GroupcallSchemaType extends Readonly<typeof groupcallSchema> {}
export const GroupcallSchema: GroupcallSchemaType = groupcallSchema;
export type Groupcall = v.InferOutput<typeof GroupcallSchema>;
