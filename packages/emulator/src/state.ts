/**
 * What the emulator holds: calls, flows and groupcalls by id, and the finished calls in the
 * order they finished, bounded (past `maxFinished` the oldest are forgotten).
 */
import { NIL_UUID } from '@voipbin-kit/core';
import type { Clock } from './clock.ts';
import type { SeedFlow } from './options.ts';
import type { CallRecord, FlowAction, FlowRecord, GroupcallRecord } from './types.ts';

/** The customer the quickstart's answers show; any accepted credential acts as it by default. */
export const DEFAULT_CUSTOMER_ID = '5e4a0680-804e-11ec-8477-2fea5968d85b';

/** The existing flow of VoIPBIN's quickstart ("Make your first voice call with existing flow"). */
export const QUICKSTART_FLOW: SeedFlow = {
  id: 'ed95a3c4-22d4-11ee-add7-8742a741581e',
  name: 'quickstart',
  detail: 'The existing flow of the VoIPBIN quickstart',
  actions: [
    {
      type: 'talk',
      option: {
        text: 'Hello. This is the voipbin emulator, running your existing flow. Thank you, bye.',
        language: 'en-US',
      },
    },
  ],
};

/**
 * A direct hash as direct-manager makes one (dm pkg/directhandler/handler.go:22-30): `direct.`
 * and six random bytes in hex, the address a SIP URI reaches the flow by.
 */
function directHash(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `direct.${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export interface NewFlow {
  name: string;
  detail: string;
  actions: readonly { id?: string | undefined; type: string }[];
  on_complete_flow_id?: string | undefined;
}

export class Store {
  calls = new Map<string, CallRecord>();
  flows = new Map<string, FlowRecord>();
  groupcalls = new Map<string, GroupcallRecord>();
  /** Ids of the flows `DELETE /flows/{id}` deleted: VoIPBIN keeps them, `tm_delete` set. */
  deletedFlows = new Set<string>();
  /** Ids of the finished calls, oldest first. */
  finished: string[] = [];
  /** Calls in progress. */
  active = 0;
  #lastUs = 0;
  readonly #clock: Clock;
  readonly #maxFinished: number;

  constructor(clock: Clock, maxFinished: number) {
    this.#clock = clock;
    this.#maxFinished = maxFinished;
  }

  /** A creation time in µs, unique and increasing, as VoIPBIN's page tokens need. */
  stamp(): number {
    this.#lastUs = Math.max(Math.floor(this.#clock.now() * 1000), this.#lastUs + 1);
    return this.#lastUs;
  }

  addCall(call: CallRecord): void {
    this.calls.set(call.id, call);
    this.active++;
  }

  /** The call has hung up: counted as finished, the oldest finished forgotten past the bound. */
  finish(call: CallRecord): void {
    call.finished = true;
    this.active--;
    this.finished.push(call.id);
    while (this.finished.length > this.#maxFinished) this.forget(this.finished.shift() as string);
  }

  /** Drops a call, its groupcall and (when it was its last call) its temporary flow. */
  forget(id: string): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    const flow = this.flows.get(call.flowId);
    if (flow?.temporary && --flow.calls <= 0) this.flows.delete(flow.id);
    if (call.groupcallId) this.groupcalls.delete(call.groupcallId);
  }

  newFlow(customerId: string, body: NewFlow, temporary: boolean): FlowRecord {
    const us = this.stamp();
    const flow: FlowRecord = {
      id: crypto.randomUUID(),
      customerId,
      name: body.name,
      detail: body.detail,
      actions: withIds(body.actions as FlowAction[]),
      onCompleteFlowId: body.on_complete_flow_id ?? NIL_UUID,
      createdUs: us,
      updatedUs: undefined,
      temporary,
      calls: 0,
    };
    // fm flowhandler/db.go:108-121: a persistent flow gets a direct hash from direct-manager.
    if (!temporary) flow.directHash = directHash();
    this.flows.set(flow.id, flow);
    return flow;
  }

  /** Forgets everything, then adds `flows` with their own ids. */
  reset(flows: readonly SeedFlow[], customerId: string): void {
    this.calls = new Map();
    this.flows = new Map();
    this.groupcalls = new Map();
    this.deletedFlows = new Set();
    this.finished = [];
    this.active = 0;
    for (const flow of flows) {
      const record = this.newFlow(flow.customerId ?? customerId, { detail: '', ...flow }, false);
      this.flows.delete(record.id);
      record.id = flow.id;
      this.flows.set(flow.id, record);
    }
  }
}

/** Actions with an id each: theirs, or a new one (`FromStringOrNil` of none is nil: VoIPBIN makes one). */
export function withIds(actions: readonly FlowAction[]): FlowAction[] {
  return actions.map((action) => ({
    ...action,
    id: action.id && action.id !== NIL_UUID ? action.id : crypto.randomUUID(),
  }));
}
