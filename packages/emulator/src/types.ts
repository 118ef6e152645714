/**
 * The emulator's shared types: its events and the records its modules share. Types only, and
 * importing no module of the emulator: every module (`sockets.ts` too) may import this one
 * without an import circle.
 */
import type { Action, Address, CallStatus, HangupBy, HangupReason } from '@voipbin-kit/core';

/**
 * The 8 call events VoIPBIN sends (cm models/call/event.go; `call_dialing` is defined, never
 * sent). Core's `CallEventType` names 5 of them at this commit; a client must not break on more.
 */
export type EmulatorEventType =
  | 'call_created'
  | 'call_ringing'
  | 'call_progressing'
  | 'call_updated'
  | 'call_terminating'
  | 'call_canceling'
  | 'call_hangup'
  | 'call_deleted';

/** An event as VoIPBIN's webhook carries it: `{ type, data }`, `data` the call as it was then. */
export interface EmulatorEvent {
  type: EmulatorEventType;
  data: Record<string, unknown>;
}

// ---- the records the modules share ------------------------------------------------------

/** A flow step as the emulator runs it: ids always set. */
export type FlowAction = Action & { id: string };

/** The action a call shows (`call.action`). */
export interface ActionState {
  id: string;
  next_id: string;
  type: string;
  option?: Record<string, unknown>;
  /** Offset in ms from the call's creation when the step started. */
  at?: number;
}

/** One moment of a call's life: what changes then, at `at` ms after creation. */
export interface Step {
  at: number;
  status?: CallStatus;
  action?: ActionState;
  hangup?: { by: HangupBy; reason: HangupReason };
}

/** A call's state from one step on. */
export interface CallState {
  status: CallStatus;
  action: ActionState;
  hangupBy: string;
  hangupReason: string;
  ringingAt?: number;
  progressingAt?: number;
  hangupAt?: number;
  /**
   * µs after creation of the last change (`tm_update`), -1 for none (a new call has
   * `tm_create` only). Steps sharing a millisecond are 1 µs apart, so each event of a call has
   * its own `tm_update` (receivers dedupe on it).
   */
  updatedUs: number;
}

/**
 * The layer in-call control adds on top of a call's planned life: `mute` and the recordings
 * hold from the moment they change.
 */
export interface CallControls {
  /** `mute_direction`: `''`, both, in or out. */
  mute: string;
  /** The recording under way, or the nil UUID. */
  recordingId: string;
  recordingIds: string[];
  /** µs after creation of the last change (its `tm_update`); -1 when none. */
  updatedUs: number;
  /** Index of the step current at the last change: later steps get later `tm_update`s. */
  step: number;
}

export interface CallRecord {
  id: string;
  customerId: string;
  flowId: string;
  activeflowId: string;
  /** The groupcall this call rings for; VoIPBIN's answers still show the nil UUID. */
  groupcallId: string | null;
  source: Address;
  destination: Address;
  createdMs: number;
  createdUs: number;
  steps: Step[];
  states: CallState[];
  /** Index of the last step whose event went out. */
  emitted: number;
  version: number;
  finished: boolean;
  /** µs after creation of `DELETE /calls/{id}` (`tm_delete`), or undefined. */
  deletedUs?: number;
  /** What in-call control changed, shown on top of the planned state. */
  controls: CallControls;
}

export interface FlowRecord {
  id: string;
  customerId: string;
  name: string;
  detail: string;
  actions: FlowAction[];
  onCompleteFlowId: string;
  createdUs: number;
  /** The last `PUT /flows/{id}` (`tm_update`), undefined until one: a new flow has none. */
  updatedUs: number | undefined;
  /** Made for one call request's inline actions; not listed, removed with its calls. */
  temporary: boolean;
  /** `direct_hash`: a persistent flow's, from direct-manager (`direct.` and 12 hex digits). */
  directHash?: string;
  calls: number;
}

export interface GroupcallRecord {
  id: string;
  customerId: string;
  flowId: string;
  source: Address;
  destination: Address;
  callId: string;
  createdUs: number;
}
