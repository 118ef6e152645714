/**
 * The calls' lives on the clock: a call's plan is made when it is placed (plan.ts), its state
 * read from the plan at any moment (lifecycle.ts), and its events sent as the clock passes
 * their moments (scheduler.ts). Hangups and in-call control rewrite or overlay the plan.
 */
import { type Address, type CallStatus, NIL_UUID } from '@voipbin-kit/core';
import type { Clock } from './clock.ts';
import { callJson } from './json.ts';
import { stateAt, statesOf } from './lifecycle.ts';
import { planCall, planHangingUp } from './plan.ts';
import { Scheduler } from './scheduler.ts';
import type { Store } from './state.ts';
import { endingOf } from './test-numbers.ts';
import type { CallRecord, CallState, EmulatorEventType, FlowRecord } from './types.ts';

/** cm callhandler/db.go `UpdateStatus`: the event of each status (hangup's comes from `Hangup`). */
const EVENT_OF: Partial<Record<CallStatus, EmulatorEventType>> = {
  ringing: 'call_ringing',
  progressing: 'call_progressing',
  terminating: 'call_terminating',
  canceling: 'call_canceling',
  hangup: 'call_hangup',
};

export type Emit = (type: EmulatorEventType, data: Record<string, unknown>) => void;

export class Runner {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #emit: Emit;
  readonly scheduler: Scheduler<{ id: string; version: number }>;

  constructor(store: Store, clock: Clock, emit: Emit) {
    this.#store = store;
    this.#clock = clock;
    this.#emit = emit;
    this.scheduler = new Scheduler(clock, (item) => this.#due(item.id, item.version));
  }

  /** Sends every event whose moment the clock has passed, in time order. */
  flush = (): void => this.scheduler.flush();

  /** The call's state now. */
  state(call: CallRecord): CallState {
    return stateAt(call.steps, call.states, this.#clock.now() - call.createdMs);
  }

  /** The call as VoIPBIN answers it now (or in `state`). */
  json(call: CallRecord, state: CallState = this.state(call)): Record<string, unknown> {
    return callJson(call, state);
  }

  /** Places a call and sends `call_created`. */
  start(
    customerId: string,
    flow: FlowRecord,
    source: Address,
    destination: Address,
    variables: Record<string, string>,
  ): CallRecord {
    const createdUs = this.#store.stamp();
    const steps = planCall(
      flow.actions,
      endingOf(destination.type === 'tel' ? destination.target : undefined),
      variables,
    );
    const call: CallRecord = {
      id: crypto.randomUUID(),
      customerId,
      flowId: flow.id,
      activeflowId: crypto.randomUUID(),
      groupcallId: null,
      source,
      destination,
      // The clock's time, not the µs stamp (made unique by a few µs): `advance(1000)` rings it.
      createdMs: this.#clock.now(),
      createdUs,
      steps,
      states: statesOf(steps),
      emitted: 0,
      version: 0,
      finished: false,
      controls: { mute: '', recordingId: NIL_UUID, recordingIds: [], updatedUs: -1, step: -1 },
    };
    flow.calls++;
    this.#store.addCall(call);
    this.#schedule(call);
    this.#emit('call_created', callJson(call, call.states[0] as CallState));
    return call;
  }

  /**
   * cm hangup.go `HangingUp`: an outgoing call not answered yet goes `canceling`, an answered
   * one `terminating` (each with its event), then `hangup`; a call already ending is left as it
   * is.
   */
  hangup(call: CallRecord): void {
    this.flush();
    const state = this.state(call);
    const offset = this.#clock.now() - call.createdMs;
    const steps = planHangingUp(call.steps, state.status, offset);
    if (!steps) return;
    call.steps = steps;
    call.states = statesOf(call.steps, call.controls);
    call.version++;
    this.#schedule(call);
    this.flush();
  }

  /** cm call.go `Delete`: hangs up if needed, sets `tm_delete`, sends `call_deleted`. */
  delete(call: CallRecord): void {
    if (this.state(call).status !== 'hangup') this.hangup(call);
    if (call.deletedUs !== undefined) return;
    const state = this.state(call);
    const offset = this.#clock.now() - call.createdMs;
    call.deletedUs = Math.max(
      Math.floor(offset * 1000),
      state.updatedUs + 1,
      call.controls.updatedUs + 1,
    );
    // Later steps (the hangup still to come) are stamped after it.
    call.controls.step = call.emitted;
    call.controls.updatedUs = call.deletedUs;
    call.states = statesOf(call.steps, call.controls);
    this.#emit('call_deleted', callJson(call, this.state(call)));
  }

  /**
   * In-call control changed the call (mute, a recording): a new `tm_update`, and later steps
   * stamped after it. `event` sends `call_updated` with the call as it now is.
   */
  changed(call: CallRecord, event: boolean): void {
    const state = this.state(call);
    const offset = this.#clock.now() - call.createdMs;
    const { controls } = call;
    // `flush` has run: every step due is out, and `emitted` is the current one.
    controls.step = call.emitted;
    controls.updatedUs = Math.max(
      Math.floor(offset * 1000),
      state.updatedUs + 1,
      controls.updatedUs + 1,
    );
    call.states = statesOf(call.steps, controls);
    if (event) this.#emit('call_updated', callJson(call, this.state(call)));
  }

  #schedule(call: CallRecord): void {
    const next = call.steps[call.emitted + 1];
    if (next) this.scheduler.add(call.createdMs + next.at, { id: call.id, version: call.version });
  }

  #due(id: string, version: number): void {
    const call = this.#store.calls.get(id);
    if (!call || call.version !== version) return;
    const step = call.steps[call.emitted + 1];
    if (!step || call.createdMs + step.at > this.#clock.now()) return;
    call.emitted++;
    // The emulator's state first: a subscriber sees (and may read) the call as it now is.
    if (step.status === 'hangup') this.#store.finish(call);
    else this.#schedule(call);
    const type = (step.status && EVENT_OF[step.status]) || 'call_updated';
    this.#emit(type, callJson(call, call.states[call.emitted] as CallState));
  }
}
