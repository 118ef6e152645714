/**
 * The emulator's records as VoIPBIN's JSON: Go's `encoding/json` of cm models/call/webhook.go
 * `WebhookMessage` (and groupcall's). `omitempty` leaves out empty strings, empty lists, nil
 * maps and unset times; a UUID (a Go array) and a struct (an address, the action) are always
 * written; `action.tm_execute` has no `omitempty`, so it is `null` until the action runs.
 */
import { type Address, NIL_UUID } from '@voipbin-kit/core';
import { voipbinTime } from './clock.ts';
import type {
  ActionState,
  CallRecord,
  CallState,
  FlowAction,
  FlowRecord,
  GroupcallRecord,
} from './types.ts';

type Json = Record<string, unknown>;

/**
 * `omitempty`: `''`, `[]` and undefined are left out, but for `owner_type`, which has no
 * `omitempty` (commonidentity.Owner).
 */
function omitEmpty(value: Json): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || (v === '' && key !== 'owner_type')) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[key] = v;
  }
  return out;
}

/** commonaddress.Address: every field `omitempty`. */
export function addressJson(address: Address): Json {
  const { type, target, target_name, name, detail } = address;
  return omitEmpty({ type, target, target_name, name, detail });
}

/** fmaction.Action: `type` and `option` `omitempty`, `tm_execute` always written. */
export function actionJson(action: ActionState, executedAt: string | null): Json {
  const option = action.option && Object.keys(action.option).length > 0 ? action.option : undefined;
  return {
    id: action.id,
    next_id: action.next_id,
    ...(action.type ? { type: action.type } : {}),
    ...(option ? { option } : {}),
    tm_execute: executedAt,
  };
}

/** A call as VoIPBIN answers it and its events carry it, in `state`. */
export function callJson(call: CallRecord, state: CallState): Json {
  const at = (ms: number | undefined) =>
    ms === undefined ? undefined : voipbinTime(call.createdUs + ms * 1000);
  const { controls } = call;
  const updatedUs = Math.max(state.updatedUs, controls.updatedUs, call.deletedUs ?? -1);
  return omitEmpty({
    id: call.id,
    customer_id: call.customerId,
    owner_type: '',
    owner_id: NIL_UUID,
    flow_id: call.flowId,
    activeflow_id: call.activeflowId,
    type: 'flow',
    master_call_id: NIL_UUID,
    chained_call_ids: [],
    recording_id: controls.recordingId,
    recording_ids: [...controls.recordingIds],
    // Not copied by `ConvertWebhookMessage`: always the nil UUID, a VoIPBIN quirk.
    groupcall_id: NIL_UUID,
    source: addressJson(call.source),
    destination: addressJson(call.destination),
    status: state.status,
    action: actionJson(state.action, at(state.action.at) ?? null),
    direction: 'outgoing',
    mute_direction: controls.mute,
    hangup_by: state.hangupBy,
    hangup_reason: state.hangupReason,
    tm_progressing: at(state.progressingAt),
    tm_ringing: at(state.ringingAt),
    tm_hangup: at(state.hangupAt),
    tm_create: at(0),
    tm_update: updatedUs < 0 ? undefined : voipbinTime(call.createdUs + updatedUs),
    tm_delete:
      call.deletedUs === undefined ? undefined : voipbinTime(call.createdUs + call.deletedUs),
  });
}

/**
 * A flow as VoIPBIN answers it: fm models/flow/webhook.go `WebhookMessage` (lines 14-31).
 * `name`, `detail`, `actions` and `direct_hash` are `omitempty`, the times are not: `tm_update`
 * is `null` until the flow is changed (fm pkg/flowhandler/db.go:143-145 creates it with
 * `TMUpdate: nil`) and `tm_delete` until it is deleted, when both are that moment (fm
 * pkg/dbhandler/flows.go:267-271).
 * Each action is an fmaction.Action, `tm_execute` `null`.
 */
export function flowJson(flow: FlowRecord, deletedUs?: number): Json {
  const updatedUs = deletedUs ?? flow.updatedUs;
  const actions = flow.actions.map((a) =>
    actionJson(
      { id: a.id, next_id: a.next_id ?? NIL_UUID, type: a.type, option: optionOf(a) },
      null,
    ),
  );
  return {
    id: flow.id,
    customer_id: flow.customerId,
    type: 'flow',
    ...(flow.name ? { name: flow.name } : {}),
    ...(flow.detail ? { detail: flow.detail } : {}),
    ...(actions.length > 0 ? { actions } : {}),
    ...(flow.directHash ? { direct_hash: flow.directHash } : {}),
    on_complete_flow_id: flow.onCompleteFlowId,
    tm_create: voipbinTime(flow.createdUs),
    tm_update: updatedUs === undefined ? null : voipbinTime(updatedUs),
    tm_delete: deletedUs === undefined ? null : voipbinTime(deletedUs),
  };
}

function optionOf(action: FlowAction): Record<string, unknown> | undefined {
  return 'option' in action ? (action.option as Record<string, unknown> | undefined) : undefined;
}

/**
 * A groupcall (cm models/groupcall/webhook.go) of one leg, `leg` the state of its call (or
 * undefined once the call is forgotten).
 */
export function groupcallJson(group: GroupcallRecord, leg: CallState | undefined): Json {
  const answered = leg?.progressingAt !== undefined;
  return omitEmpty({
    id: group.id,
    customer_id: group.customerId,
    owner_type: '',
    owner_id: NIL_UUID,
    status: leg?.status === 'hangup' || !leg ? 'hangup' : 'progressing',
    flow_id: group.flowId,
    source: addressJson(group.source),
    destinations: [addressJson(group.destination)],
    master_call_id: NIL_UUID,
    master_groupcall_id: NIL_UUID,
    ring_method: 'ring_all',
    answer_method: 'hangup_others',
    answer_call_id: answered ? group.callId : NIL_UUID,
    call_ids: [group.callId],
    answer_groupcall_id: NIL_UUID,
    groupcall_ids: [],
    call_count: 1,
    tm_create: voipbinTime(group.createdUs),
  });
}
