import * as v from 'valibot';
import { CallSchema } from './call.ts';
import { GroupcallSchema } from './groupcall.ts';
import type { Open } from './primitives.ts';

/**
 * The call events VoIPBIN sends (cm models/call/event.go), in lifecycle order; `call_dialing`
 * is defined there but never sent. VoIPBIN may add more: an event's `type` is open
 * (`Open<CallEventType>`), so a newer `call_*` type still reads as a call event and an unknown
 * resource's event as `kind: 'unknown'`; none is an error.
 */
export const CALL_EVENT_TYPES = [
  'call_created',
  'call_ringing',
  'call_progressing',
  'call_updated',
  'call_terminating',
  'call_canceling',
  'call_hangup',
  'call_deleted',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

const wrapped = <const K extends string, T extends v.GenericSchema>(
  kind: K,
  prefix: string,
  data: T,
) =>
  v.pipe(
    v.object({ type: v.pipe(v.string(), v.startsWith(prefix)), data }),
    // Spelt out: TypeScript reads `data` of a generic object schema as optional.
    v.transform(({ type, data }) => ({
      kind,
      type: type as Open<CallEventType>,
      data: data as v.InferOutput<T>,
    })),
  );

const bare = <const K extends string, T extends v.GenericSchema>(kind: K, resource: T) =>
  v.pipe(
    resource,
    v.transform((data) => ({ kind, type: null, data })),
  );

/**
 * A VoIPBIN event as a webhook or a WebSocket frame carries it: wrapped `{ type, data }`
 * (webhooks, legacy frames) or the bare resource (newer frames, no event type). The result
 * says what it holds (`kind`), the event type when known, and the normalised resource.
 * An event of a resource this version does not know stays as it came (`kind: 'unknown'`).
 */
export const EventSchema = v.union([
  wrapped('call', 'call_', CallSchema),
  wrapped('groupcall', 'groupcall_', GroupcallSchema),
  v.pipe(
    v.object({ type: v.string(), data: v.unknown() }),
    v.transform(({ type, data }) => ({ kind: 'unknown' as const, type, data })),
  ),
  bare('call', CallSchema),
  // A bare group call is told from a bare call by its `call_ids`.
  bare('groupcall', v.object({ ...GroupcallSchema.entries, call_ids: v.array(v.string()) })),
]);
export type Event = v.InferOutput<typeof EventSchema>;
