import * as v from 'valibot';
import { ResponseActionSchema } from './actions/response.ts';
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

export const CALL_STATUSES = [
  'dialing',
  'ringing',
  'progressing',
  'terminating',
  'canceling',
  'hangup',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const CALL_TYPES = ['flow', 'conference', 'sip-service'] as const;
export type CallType = (typeof CALL_TYPES)[number];
export const CALL_DIRECTIONS = ['incoming', 'outgoing'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];
export const MUTE_DIRECTIONS = ['both', 'in', 'out'] as const;
export type MuteDirection = (typeof MUTE_DIRECTIONS)[number];
export const HANGUP_BY = ['remote', 'local'] as const;
export type HangupBy = (typeof HANGUP_BY)[number];
export const HANGUP_REASONS = [
  'normal',
  'failed',
  'busy',
  'cancel',
  'timeout',
  'noanswer',
  'dialout',
  'amd',
] as const;
export type HangupReason = (typeof HANGUP_REASONS)[number];

/**
 * A call as VoIPBIN answers it (`CallManagerCall`), normalised: every "unset" is `null`,
 * timestamps are ISO 8601 UTC, unknown fields are dropped and newer enum values kept.
 */
const callSchema = v.object({
  id: v.pipe(v.string(), v.nonEmpty()),
  customer_id: ResponseIdSchema,
  owner_type: ResponseTextSchema,
  owner_id: ResponseIdSchema,
  flow_id: ResponseIdSchema,
  activeflow_id: ResponseIdSchema,
  type: unset<Open<CallType>>(),
  master_call_id: ResponseIdSchema,
  chained_call_ids: ResponseIdListSchema,
  recording_id: ResponseIdSchema,
  recording_ids: ResponseIdListSchema,
  groupcall_id: ResponseIdSchema,
  source: ResponseAddressSchema,
  destination: ResponseAddressSchema,
  status: v.string() as v.GenericSchema<Open<CallStatus>>,
  action: loose(ResponseActionSchema, (action) => action),
  direction: unset<Open<CallDirection>>(),
  mute_direction: unset<Open<MuteDirection>>(),
  hangup_by: unset<Open<HangupBy>>(),
  hangup_reason: unset<Open<HangupReason>>(),
  metadata: loose(v.record(v.string(), v.unknown()), (metadata) => metadata),
  tm_progressing: ResponseTimestampSchema,
  tm_ringing: ResponseTimestampSchema,
  tm_hangup: ResponseTimestampSchema,
  tm_create: ResponseTimestampSchema,
  tm_update: ResponseTimestampSchema,
  tm_delete: ResponseTimestampSchema,
});
// Named by an interface so that declarations refer to it instead of repeating its type.
export interface CallSchemaType extends Readonly<typeof callSchema> {}
export const CallSchema: CallSchemaType = callSchema;
export type Call = v.InferOutput<typeof CallSchema>;
