import {
  type Action,
  type Address,
  type Call,
  type CallEventType,
  CallSchema,
  type CallStatus,
  CreateCallRequestSchema,
  CreateFlowRequestSchema,
  check,
  type Flow,
  FlowSchema,
  MuteRequestSchema,
  NIL_UUID,
  RecordingStartRequestSchema,
  TalkRequestSchema,
} from '@voipbin-kit/core';
import * as v from 'valibot';
import { type Clock, type ManualClock, manualClock, realClock, voipbinTime } from './clock.ts';
import { type Fault, type FaultRule, Faults } from './faults.ts';
import { TimeHeap } from './heap.ts';
import { credentialOf, error, json, parseJson } from './http.ts';
import { type ActionState, type FlowAction, planCall, START_ACTION, type Step } from './plan.ts';
import {
  type Authenticate,
  type SocketConnection,
  SocketHub,
  type SocketPeer,
  type WsFrames,
} from './sockets.ts';
import { endingOf } from './test-numbers.ts';
import { EmulatorWebSocket, type EmulatorWebSocketConstructor } from './websocket.ts';

/** The customer the quickstart's answers show; any accepted credential acts as it by default. */
export const DEFAULT_CUSTOMER_ID = '5e4a0680-804e-11ec-8477-2fea5968d85b';

/** An event as VoIPBIN's webhook carries it: `{ type, data }`, `data` the call as it was then. */
export interface EmulatorEvent {
  type: CallEventType;
  data: Record<string, unknown>;
}

export interface EmulatorOptions {
  /**
   * Which credentials are accepted and whose they are: a map credential -> customer id.
   * Default: any non-empty credential, as customer `customerId`.
   */
  credentials?: Record<string, string>;
  /** The customer of every call when `credentials` is not given. */
  customerId?: string;
  /** `'manual'` (default for tests), `'real'`, `{ speed }` for real time sped up, or a clock of yours. */
  clock?: 'manual' | 'real' | { speed: number } | Clock;
  /** Where to POST every event (`{ type, data }`), as VoIPBIN's customer webhook. */
  webhookUrl?: string;
  /** The fetch used for webhooks (default: the global one). */
  webhookFetch?: typeof fetch;
  /** Milliseconds between webhook tries (VoIPBIN: 1 s). */
  webhookRetryDelay?: number;
  /** Hands a background promise (a webhook delivery) to the platform, e.g. a Worker's `ctx.waitUntil`. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Finished calls kept for reading, oldest out first. Default 1000. */
  maxFinishedCalls?: number;
  /** Calls allowed to be in progress at once; more answer 429 RESOURCE_EXHAUSTED. Default 10 000. */
  maxActiveCalls?: number;
  /** Refuse JSON bodies with trailing commas (VoIPBIN's Go parser does). Default false: accepted, with a warning header. */
  strictJson?: boolean;
  /** Faults to inject from the start; see `faults.set()`. */
  faults?: FaultRule[];
  /**
   * Flows that exist from the start (with the id given). Default: the flow the VoIPBIN
   * quickstart calls, `ed95a3c4-22d4-11ee-add7-8742a741581e`, so its second request works as written.
   */
  flows?: SeedFlow[];
  /**
   * The shape of the event WebSocket's frames: `'wrapped'` `{ type, data }` (VoIPBIN's legacy
   * frames), `'bare'` (the call alone, VoIPBIN's newer frames) or `'mixed'` (the two in turn on
   * each socket). Default `'mixed'`: VoIPBIN sends both on the same topic, so a client must read
   * both. Changeable later with `emulator.sockets.frames`.
   */
  wsFrames?: WsFrames;
}

/** `emulator.sockets`: the event WebSocket's open sockets, in memory and (with `listen()`) over HTTP. */
export interface EmulatorSockets {
  /** The shape of the frames pushed from now on (see `wsFrames`). */
  frames: WsFrames;
  /** Open sockets. */
  readonly count: number;
  /** Closes every open socket abnormally (1006, `wasClean` false), as a network failure; returns how many. */
  drop(): number;
  /**
   * For server adapters: whether a WebSocket handshake may go on (the customer of its
   * credential) or the answer refusing it (404 off `/v1.0/ws`, 401 with VoIPBIN's error body).
   */
  accept(request: Request): { customerId: string } | Response;
  /** For server adapters: keeps an accepted socket; hand it the client's frames and its closing. */
  attach(customerId: string, peer: SocketPeer): SocketConnection;
}

/** A flow to start with. */
export interface SeedFlow {
  id: string;
  name: string;
  detail?: string;
  actions: Action[];
  /** Default: the emulator's `customerId`. */
  customerId?: string;
}

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
        gender: 'female',
        language: 'en-US',
      },
    },
  ],
};

interface CallRecord {
  id: string;
  customerId: string;
  flowId: string;
  activeflowId: string;
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
  /** What in-call control changed, shown on top of the planned state (see `control`). */
  controls: CallControls;
}

/**
 * The layer in-call control adds on top of a call's planned life. `mute` and the recordings hold
 * from the moment they change; a talk shows as the call's `action` until the plan's next step.
 */
interface CallControls {
  /** `mute_direction`: `''`, both, in or out. */
  mute: string;
  /** The recording under way, or the nil UUID. */
  recordingId: string;
  recordingIds: string[];
  /** The talk said through `POST /calls/{id}/talk`, and the step (index) it overlays. */
  talk?: { action: ActionState; step: number };
  /** µs after creation of the last change (its `tm_update`); -1 when none. */
  updatedUs: number;
  /** Index of the step current at the last change: later steps get later `tm_update`s. */
  step: number;
}

interface CallState {
  status: CallStatus;
  action: ActionState;
  hangupBy: string;
  hangupReason: string;
  ringingAt?: number;
  progressingAt?: number;
  hangupAt?: number;
  /**
   * µs after creation: the step's moment, or 1 µs after the previous state's when steps share
   * a millisecond, so each event of a call has its own `tm_update` (receivers dedupe on it).
   */
  updatedUs: number;
}

interface FlowRecord {
  id: string;
  customerId: string;
  name: string;
  detail: string;
  actions: FlowAction[];
  onCompleteFlowId: string;
  createdUs: number;
  updatedUs: number;
  /** Made for one call request's inline actions; not listed, removed with its calls. */
  temporary: boolean;
  calls: number;
}

interface GroupcallRecord {
  id: string;
  customerId: string;
  flowId: string;
  source: Address;
  destination: Address;
  callId: string;
  createdUs: number;
}

const EVENT_OF: Partial<Record<CallStatus, CallEventType>> = {
  ringing: 'call_ringing',
  progressing: 'call_progressing',
  hangup: 'call_hangup',
};

/**
 * Creates a VoIPBIN-compatible call API that runs anywhere `fetch` does. Calls live a
 * realistic life on the emulator's clock, derived from a plan when read (no timer per call).
 *
 * ```ts
 * const emulator = createEmulator();
 * const voipbin = createClient({
 *   token: 'any',
 *   actions: ACTION_SCHEMAS,
 *   fetch: emulator.fetch,
 *   baseURL: 'http://emulator/v1.0',
 * });
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}) {
  const clock = toClock(options.clock);
  const maxFinished = options.maxFinishedCalls ?? 1000;
  const maxActive = options.maxActiveCalls ?? 10_000;
  const faults = new Faults(options.faults);
  const listeners = new Set<(event: EmulatorEvent) => void>();
  const deliveries = new Set<Promise<unknown>>();

  /** The customer a request's credential acts as, or the 401 that refuses it. */
  const authenticate: Authenticate = (request, url) => {
    const credential = credentialOf(request, url);
    if (!credential)
      return error(
        'UNAUTHENTICATED',
        'AUTHENTICATION_REQUIRED',
        'A token or an access key is required.',
      );
    const { credentials } = options;
    const customerId = credentials
      ? Object.hasOwn(credentials, credential)
        ? credentials[credential]
        : undefined
      : (options.customerId ?? DEFAULT_CUSTOMER_ID);
    if (!customerId) {
      return error(
        'UNAUTHENTICATED',
        'INVALID_CREDENTIAL',
        'The token or access key is not valid.',
      );
    }
    return customerId;
  };
  const sockets = new SocketHub(options.wsFrames, authenticate);

  const socketControl: EmulatorSockets = {
    get frames() {
      return sockets.frames;
    },
    set frames(frames) {
      sockets.frames = frames;
    },
    get count() {
      return sockets.count;
    },
    drop: () => sockets.drop(),
    accept: (request) => sockets.accept(request),
    attach: (customerId, peer) => sockets.attach(customerId, peer),
  };

  /** `new emulator.WebSocket(url)`: an in-memory WebSocket to this emulator's `/v1.0/ws`. */
  const WebSocket: EmulatorWebSocketConstructor = class WebSocket extends EmulatorWebSocket {
    constructor(url: string | URL) {
      super(sockets, url);
    }
  };

  let calls = new Map<string, CallRecord>();
  let flows = new Map<string, FlowRecord>();
  let groupcalls = new Map<string, GroupcallRecord>();
  let finished: string[] = [];
  let active = 0;
  let lastUs = 0;
  const due = new TimeHeap<{ time: number; id: string; version: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** A creation time in µs, unique and increasing, as VoIPBIN's page tokens need. */
  const stamp = () => (lastUs = Math.max(Math.floor(clock.now() * 1000), lastUs + 1));

  // ---- the life of a call -------------------------------------------------------------

  function stateAt(call: CallRecord, offset: number): CallState {
    let lo = 0;
    let hi = call.steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((call.steps[mid] as Step).at <= offset) lo = mid;
      else hi = mid - 1;
    }
    return call.states[lo] as CallState;
  }

  /**
   * The states of `steps`. With `after` (the last in-call change), the states of the steps after
   * its step are stamped after it, so each event keeps its own `tm_update`.
   */
  function statesOf(steps: Step[], after?: CallControls): CallState[] {
    let state: CallState = {
      status: 'dialing',
      action: START_ACTION,
      hangupBy: '',
      hangupReason: '',
      updatedUs: -1,
    };
    return steps.map((step, index) => {
      const floor = after && index > after.step ? after.updatedUs + 1 : 0;
      state = { ...state, updatedUs: Math.max(step.at * 1000, state.updatedUs + 1, floor) };
      if (step.action) state.action = step.action;
      if (step.status) state.status = step.status;
      if (step.status === 'ringing') state.ringingAt = step.at;
      if (step.status === 'progressing') state.progressingAt = step.at;
      if (step.hangup) {
        state.hangupAt = step.at;
        state.hangupBy = step.hangup.by;
        state.hangupReason = step.hangup.reason;
      }
      return state;
    });
  }

  function schedule(call: CallRecord) {
    const next = call.steps[call.emitted + 1];
    if (next) due.push({ time: call.createdMs + next.at, id: call.id, version: call.version });
    armTimer();
  }

  /** Sends every event whose moment the clock has passed, in time order. */
  function flush() {
    const now = clock.now();
    for (let top = due.peek(); top && top.time <= now; top = due.peek()) {
      due.pop();
      const call = calls.get(top.id);
      if (!call || call.version !== top.version) continue;
      const step = call.steps[call.emitted + 1];
      if (!step || call.createdMs + step.at > now) continue;
      call.emitted++;
      // The emulator's state first: a subscriber sees (and may read) the call as it now is.
      if (step.status === 'hangup') finish(call);
      else schedule(call);
      const type = (step.status && EVENT_OF[step.status]) || 'call_updated';
      emit(type, callJson(call, call.states[call.emitted]));
    }
    armTimer();
  }

  function finish(call: CallRecord) {
    call.finished = true;
    active--;
    finished.push(call.id);
    while (finished.length > maxFinished) forget(finished.shift() as string);
  }

  function forget(id: string) {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    const flow = flows.get(call.flowId);
    if (flow?.temporary && --flow.calls <= 0) flows.delete(flow.id);
    if (call.groupcallId) groupcalls.delete(call.groupcallId);
  }

  function armTimer() {
    // With a real clock, wake up for the next event; on Workers, where timers do not outlive a
    // request, the next request flushes instead.
    if (!('speed' in clock) || typeof setTimeout !== 'function') return;
    const next = due.peek();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!next) return;
    const wait = Math.max(0, (next.time - clock.now()) / (clock as { speed: number }).speed);
    timer = setTimeout(flush, Math.min(wait, 2 ** 31 - 1));
    (timer as { unref?: () => void }).unref?.();
  }

  function emit(type: CallEventType, data: Record<string, unknown>) {
    const event = { type, data };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // A subscriber's bug must not break the emulator or the other subscribers. The event's
        // data (numbers, ids) is left out of the report.
        console.error(
          `voipbin-emulator: a subscriber threw on ${type}; the emulator goes on.`,
          error,
        );
      }
    }
    sockets.publish(event);
    if (options.webhookUrl) track(deliver(options.webhookUrl, event));
  }

  function track(promise: Promise<unknown>) {
    deliveries.add(promise);
    promise.finally(() => deliveries.delete(promise));
    options.waitUntil?.(promise);
  }

  /** VoIPBIN's delivery: at least once, up to 3 tries 1 s apart on a failure or a 5xx, 5 s each. */
  async function deliver(url: string, event: EmulatorEvent) {
    const send = options.webhookFetch ?? fetch;
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const response = await send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        await response.body?.cancel();
        if (response.status < 500) return;
      } catch {
        // A connection failure or a timeout: try again.
      }
      if (attempt < 3) await sleep(options.webhookRetryDelay ?? 1_000);
    }
  }

  // ---- VoIPBIN's JSON ----------------------------------------------------------------

  const address = (a: Address) => ({ target: '', target_name: '', name: '', detail: '', ...a });

  function callJson(
    call: CallRecord,
    state = stateAt(call, clock.now() - call.createdMs),
  ): Record<string, unknown> {
    const at = (ms: number | undefined) =>
      ms === undefined ? undefined : voipbinTime(call.createdUs + ms * 1000);
    const { controls } = call;
    // A talk shows while the state it was said in lasts.
    const talk = controls.talk && state === call.states[controls.talk.step] ? controls.talk : null;
    const { at: started, option, ...action } = talk?.action ?? state.action;
    return {
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
      groupcall_id: call.groupcallId ?? NIL_UUID,
      source: address(call.source),
      destination: address(call.destination),
      status: state.status,
      action: action.type === '' ? action : { ...action, option, tm_execute: at(started) },
      direction: 'outgoing',
      mute_direction: controls.mute,
      hangup_by: state.hangupBy,
      hangup_reason: state.hangupReason,
      // Current VoIPBIN leaves out the timestamps of what has not happened.
      tm_ringing: at(state.ringingAt),
      tm_progressing: at(state.progressingAt),
      tm_hangup: at(state.hangupAt),
      tm_create: at(0),
      tm_update: voipbinTime(call.createdUs + Math.max(state.updatedUs, controls.updatedUs)),
    };
  }

  function flowJson(flow: FlowRecord, deletedUs?: number) {
    return {
      id: flow.id,
      customer_id: flow.customerId,
      type: 'flow',
      name: flow.name,
      detail: flow.detail,
      actions: flow.actions.map((a) => ({ next_id: NIL_UUID, option: {}, ...a })),
      on_complete_flow_id: flow.onCompleteFlowId,
      tm_create: voipbinTime(flow.createdUs),
      tm_update: voipbinTime(flow.updatedUs),
      ...(deletedUs ? { tm_delete: voipbinTime(deletedUs) } : {}),
    };
  }

  function groupcallJson(group: GroupcallRecord) {
    const leg = calls.get(group.callId);
    const state = leg ? stateAt(leg, clock.now() - leg.createdMs) : undefined;
    return {
      id: group.id,
      customer_id: group.customerId,
      owner_type: '',
      owner_id: NIL_UUID,
      status: state?.status === 'hangup' ? 'hangup' : 'progressing',
      flow_id: group.flowId,
      source: address(group.source),
      destinations: [address(group.destination)],
      master_call_id: NIL_UUID,
      master_groupcall_id: NIL_UUID,
      ring_method: 'ring_all',
      answer_method: 'hangup_others',
      answer_call_id: state?.progressingAt !== undefined ? group.callId : NIL_UUID,
      call_ids: [group.callId],
      answer_groupcall_id: NIL_UUID,
      groupcall_ids: [],
      call_count: 1,
      groupcall_count: 0,
      dial_index: 0,
      tm_create: voipbinTime(group.createdUs),
      tm_update: voipbinTime(group.createdUs),
    };
  }

  // ---- routes ------------------------------------------------------------------------

  async function readBody(request: Request) {
    const parsed = parseJson(await request.text(), !options.strictJson);
    if (!parsed.ok)
      return error('INVALID_ARGUMENT', 'INVALID_JSON_BODY', 'The request body is not valid JSON.');
    return { value: parsed.value, relaxed: parsed.relaxed };
  }

  /** The headers of an answer to a body read by `readBody`: a warning if it was not strict JSON. */
  const relaxedHeaders = (body: { relaxed: boolean }) =>
    body.relaxed
      ? { warning: '299 - "trailing comma accepted; VoIPBIN may reject it"' }
      : undefined;

  function invalid(issues: { path: string; message: string }[]) {
    const message = issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; ');
    return error(
      'INVALID_ARGUMENT',
      'INVALID_REQUEST_BODY',
      `Invalid request: ${message}`,
      issues.map((issue) => ({ field: issue.path, message: issue.message })),
    );
  }

  function newFlow(
    customerId: string,
    body: {
      name: string;
      detail: string;
      actions: readonly unknown[];
      on_complete_flow_id?: string | undefined;
    },
    temporary: boolean,
  ): FlowRecord {
    const us = stamp();
    const flow: FlowRecord = {
      id: crypto.randomUUID(),
      customerId,
      name: body.name,
      detail: body.detail,
      actions: withIds(body.actions as FlowAction[]),
      onCompleteFlowId: body.on_complete_flow_id ?? NIL_UUID,
      createdUs: us,
      updatedUs: us,
      temporary,
      calls: 0,
    };
    flows.set(flow.id, flow);
    return flow;
  }

  /** A flow the customer may use, or the error to answer. */
  function ownFlow(customerId: string, id: string): FlowRecord | Response {
    const flow = flows.get(id);
    if (!flow) return error('NOT_FOUND', 'FLOW_NOT_FOUND', `No flow ${id}.`);
    if (flow.customerId !== customerId) {
      return error(
        'PERMISSION_DENIED',
        'PERMISSION_DENIED',
        `The flow ${id} belongs to another customer.`,
      );
    }
    return flow;
  }

  function ownCall(customerId: string, id: string): CallRecord | Response {
    const call = calls.get(id);
    if (!call) return error('NOT_FOUND', 'CALL_NOT_FOUND', `No call ${id}.`);
    if (call.customerId !== customerId) {
      return error(
        'PERMISSION_DENIED',
        'PERMISSION_DENIED',
        `The call ${id} belongs to another customer.`,
      );
    }
    return call;
  }

  async function createCalls(request: Request, customerId: string): Promise<Response> {
    const body = await readBody(request);
    if (body instanceof Response) return body;
    const parsed = check(CreateCallRequestSchema, body.value);
    if (!parsed.success) return invalid(parsed.issues);
    const input = parsed.output;

    const emails = input.destinations.flatMap((d, i) => (d.type === 'email' ? [i] : []));
    if (emails.length > 0) {
      return invalid(
        emails.map((i) => ({
          path: `destinations.${i}.type`,
          message: 'An e-mail address cannot be called',
        })),
      );
    }
    if (active + input.destinations.length > maxActive) {
      return error(
        'RESOURCE_EXHAUSTED',
        'TOO_MANY_CALLS',
        `At most ${maxActive} calls may be in progress at once.`,
      );
    }

    let flow: FlowRecord;
    // As VoIPBIN: flow_id wins over actions; inline actions make a temporary flow.
    if (input.flow_id && input.flow_id !== NIL_UUID) {
      const found = ownFlow(customerId, input.flow_id);
      if (found instanceof Response) return found;
      flow = found;
    } else {
      flow = newFlow(
        customerId,
        { name: 'tmp', detail: 'temporary flow for a call', actions: input.actions ?? [] },
        true,
      );
    }

    const result = {
      calls: [] as Record<string, unknown>[],
      groupcalls: [] as Record<string, unknown>[],
    };
    for (const destination of input.destinations) {
      const call = startCall(customerId, flow, input.source, destination, input.variables ?? {});
      if (destination.type === 'extension' || destination.type === 'agent') {
        const group: GroupcallRecord = {
          id: crypto.randomUUID(),
          customerId,
          flowId: flow.id,
          source: input.source,
          destination,
          callId: call.id,
          createdUs: call.createdUs,
        };
        call.groupcallId = group.id;
        groupcalls.set(group.id, group);
        result.groupcalls.push(groupcallJson(group));
      } else {
        // The call as created, as VoIPBIN answers it: not as it is by the time the loop ends,
        // which on a fast clock (or a busy machine) could already be ringing.
        result.calls.push(callJson(call, call.states[0]));
      }
    }
    flush();
    return json(result, 200, relaxedHeaders(body));
  }

  function startCall(
    customerId: string,
    flow: FlowRecord,
    source: Address,
    destination: Address,
    variables: Record<string, string>,
  ) {
    const createdUs = stamp();
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
      createdMs: clock.now(),
      createdUs,
      steps,
      states: statesOf(steps),
      emitted: 0,
      version: 0,
      finished: false,
      controls: { mute: '', recordingId: NIL_UUID, recordingIds: [], updatedUs: -1, step: -1 },
    };
    flow.calls++;
    calls.set(call.id, call);
    active++;
    schedule(call);
    emit('call_created', callJson(call, call.states[0]));
    return call;
  }

  function hangup(call: CallRecord): Response {
    const offset = clock.now() - call.createdMs;
    const state = stateAt(call, offset);
    if (state.status === 'hangup') {
      return error(
        'FAILED_PRECONDITION',
        'CALL_ALREADY_HUNG_UP',
        `The call ${call.id} has already hung up.`,
      );
    }
    if (
      state.status === 'progressing' ||
      state.status === 'dialing' ||
      state.status === 'ringing'
    ) {
      // The caller hangs up: an answered call terminates, one not yet answered is canceled.
      const answered = state.status === 'progressing';
      call.steps = [
        ...call.steps.filter((step) => step.at <= offset),
        { at: offset, status: answered ? 'terminating' : 'canceling' },
        {
          at: offset + 200,
          status: 'hangup',
          hangup: { by: 'local', reason: answered ? 'normal' : 'cancel' },
        },
      ];
      call.states = statesOf(call.steps, call.controls);
      call.version++;
      schedule(call);
      flush();
    }
    return json(callJson(call));
  }

  /**
   * In-call control (`/calls/{id}/talk|hold|mute|recording_start|recording_stop`): only on an
   * answered call (`progressing`); a call not answered yet is refused with 409
   * CALL_NOT_ANSWERED, one hanging up or hung up with 409 CALL_ALREADY_HUNG_UP. A change stamps
   * a new `tm_update` and sends `call_updated`. Hold changes nothing else: VoIPBIN's call has no
   * hold field. Talk, hold and mute answer 200 with no body (the spec documents none); the
   * recordings answer the call.
   */
  async function control(call: CallRecord, verb: string, method: string, request: Request) {
    const routes: Record<string, string[]> = {
      talk: ['POST'],
      hold: ['POST', 'DELETE'],
      mute: ['POST', 'DELETE'],
      recording_start: ['POST'],
      recording_stop: ['POST'],
    };
    if (!routes[verb]?.includes(method)) return notFound(method, new URL(request.url));
    let input: Record<string, unknown> = {};
    let headers: HeadersInit | undefined;
    const schema =
      verb === 'talk'
        ? TalkRequestSchema
        : verb === 'mute'
          ? MuteRequestSchema
          : verb === 'recording_start'
            ? RecordingStartRequestSchema
            : undefined;
    if (schema) {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      const parsed = check(schema, body.value);
      if (!parsed.success) return invalid(parsed.issues);
      input = parsed.output as Record<string, unknown>;
      headers = relaxedHeaders(body);
    }

    const state = stateAt(call, clock.now() - call.createdMs);
    if (state.status === 'dialing' || state.status === 'ringing') {
      return error(
        'FAILED_PRECONDITION',
        'CALL_NOT_ANSWERED',
        `The call ${call.id} is not answered yet.`,
      );
    }
    if (state.status !== 'progressing') {
      // terminating, canceling or hangup
      return error(
        'FAILED_PRECONDITION',
        'CALL_ALREADY_HUNG_UP',
        `The call ${call.id} is hanging up or has hung up.`,
      );
    }
    const { controls } = call;
    if (verb === 'recording_start' && controls.recordingId !== NIL_UUID) {
      return error(
        'FAILED_PRECONDITION',
        'RECORDING_IN_PROGRESS',
        `The call ${call.id} is already being recorded.`,
      );
    }
    if (verb === 'recording_stop' && controls.recordingId === NIL_UUID) {
      return error(
        'FAILED_PRECONDITION',
        'RECORDING_NOT_STARTED',
        `The call ${call.id} is not being recorded.`,
      );
    }

    const offset = clock.now() - call.createdMs;
    // `flush` has run: every step due is out, and `emitted` is the current one.
    controls.step = call.emitted;
    controls.updatedUs = Math.max(
      Math.floor(offset * 1000),
      state.updatedUs + 1,
      controls.updatedUs + 1,
    );
    if (verb === 'talk') {
      controls.talk = {
        step: call.emitted,
        action: {
          id: crypto.randomUUID(),
          next_id: NIL_UUID,
          type: 'talk',
          option: { ...input },
          at: offset,
        },
      };
    }
    if (verb === 'mute') controls.mute = method === 'POST' ? String(input.direction) : '';
    if (verb === 'recording_start') {
      controls.recordingId = crypto.randomUUID();
      controls.recordingIds.push(controls.recordingId);
    }
    if (verb === 'recording_stop') controls.recordingId = NIL_UUID;
    call.states = statesOf(call.steps, controls);
    const now = callJson(call);
    emit('call_updated', now);
    return verb.startsWith('recording_')
      ? json(now, 200, headers)
      : new Response(null, { status: 200, headers });
  }

  async function route(request: Request, url: URL): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/v1.0/'))
      return error('NOT_FOUND', 'ROUTE_NOT_FOUND', `No route ${request.method} ${url.pathname}.`);

    const customerId = authenticate(request, url);
    if (customerId instanceof Response) return customerId;

    const [, , resource, id, verb, ...rest] = path.split('/');
    const method = request.method;
    if (rest.length > 0) return notFound(method, url);

    if (resource === 'calls') {
      if (id === undefined) {
        if (method === 'POST') return createCalls(request, customerId);
        if (method === 'GET')
          return list(
            url,
            customerId,
            calls,
            () => true,
            (c) => callJson(c),
          );
        return notFound(method, url);
      }
      const call = ownCall(customerId, id);
      if (call instanceof Response) return call;
      if (verb === 'hangup' && method === 'POST') return hangup(call);
      if (verb !== undefined) return control(call, verb, method, request);
      if (method === 'GET') return json(callJson(call));
      if (method === 'DELETE') {
        const body = callJson(call);
        if (body.status !== 'hangup') {
          return error(
            'FAILED_PRECONDITION',
            'CALL_NOT_HUNG_UP',
            `The call ${call.id} is in progress; hang it up first.`,
          );
        }
        forget(call.id);
        finished = finished.filter((f) => f !== call.id);
        return json({ ...body, tm_delete: voipbinTime(stamp()) });
      }
      return notFound(method, url);
    }

    if (resource === 'flows') {
      if (id === undefined) {
        if (method === 'GET')
          return list(
            url,
            customerId,
            flows,
            (f) => !f.temporary,
            (f) => flowJson(f),
          );
        if (method !== 'POST') return notFound(method, url);
        const body = await readBody(request);
        if (body instanceof Response) return body;
        const parsed = check(CreateFlowRequestSchema, body.value);
        if (!parsed.success) return invalid(parsed.issues);
        return json(flowJson(newFlow(customerId, parsed.output, false)), 200, relaxedHeaders(body));
      }
      const flow = ownFlow(customerId, id);
      if (flow instanceof Response) return flow;
      if (verb !== undefined) return notFound(method, url);
      if (method === 'GET') return json(flowJson(flow));
      if (method === 'DELETE') {
        flows.delete(flow.id);
        return json(flowJson(flow, stamp()));
      }
      if (method === 'PUT') {
        const body = await readBody(request);
        if (body instanceof Response) return body;
        const parsed = check(CreateFlowRequestSchema, body.value);
        if (!parsed.success) return invalid(parsed.issues);
        Object.assign(flow, {
          name: parsed.output.name,
          detail: parsed.output.detail,
          actions: withIds(parsed.output.actions as FlowAction[]),
          onCompleteFlowId: parsed.output.on_complete_flow_id ?? NIL_UUID,
          updatedUs: stamp(),
        });
        return json(flowJson(flow), 200, relaxedHeaders(body));
      }
    }
    return notFound(method, url);
  }

  /** A page, newest first; the token is the `tm_create` of the page's last item, as VoIPBIN's. */
  function list<T extends { customerId: string; createdUs: number }>(
    url: URL,
    customerId: string,
    items: Map<string, T>,
    keep: (item: T) => boolean,
    toJson: (item: T) => unknown,
  ): Response {
    const size = Number(url.searchParams.get('page_size') ?? 10);
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      return error(
        'INVALID_ARGUMENT',
        'INVALID_PAGE_SIZE',
        'page_size must be a whole number from 1 to 100.',
      );
    }
    const token = url.searchParams.get('page_token');
    const before = token ? parseTime(token) : Infinity;
    if (Number.isNaN(before))
      return error(
        'INVALID_ARGUMENT',
        'INVALID_PAGE_TOKEN',
        'page_token is not a token this API gave.',
      );
    const mine = [...items.values()]
      .filter((item) => item.customerId === customerId && item.createdUs < before && keep(item))
      .sort((a, b) => b.createdUs - a.createdUs);
    const page = mine.slice(0, size);
    const last = page.at(-1);
    return json({
      result: page.map(toJson),
      next_page_token: mine.length > size && last ? voipbinTime(last.createdUs) : '',
    });
  }

  function seed() {
    for (const flow of options.flows ?? [QUICKSTART_FLOW]) {
      const record = newFlow(
        flow.customerId ?? options.customerId ?? DEFAULT_CUSTOMER_ID,
        { detail: '', ...flow },
        false,
      );
      flows.delete(record.id);
      record.id = flow.id;
      flows.set(flow.id, record);
    }
  }
  seed();

  // ---- the handler and the control surface ---------------------------------------------

  return {
    /** Answers a request as VoIPBIN's API would (`/v1.0/...`). Web-standard: Node, Bun, Deno, Workers. */
    async fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
      // Called as `fetch(request)` by servers, as `fetch(url, init)` by clients such as ofetch.
      const request = input instanceof Request && !init ? input : new Request(input, init);
      flush();
      const url = new URL(request.url);
      const fault = faults.take(request.method, url.pathname);
      if (fault && !fault.after) {
        const injected = await faults.apply(fault, request.signal);
        if (injected) return injected;
      }
      const response = await route(request, url);
      flush();
      if (fault?.after) return (await faults.apply(fault, request.signal)) ?? response;
      return response;
    },

    /** The clock calls live on. */
    clock,

    /** Moves a manual clock forward and sends the events that became due. */
    advance(ms: number) {
      if (!('advance' in clock)) throw new TypeError('advance() needs the manual clock');
      (clock as ManualClock).advance(ms);
      flush();
    },

    /** Sends the events that are due (the emulator also does this on every request). */
    flush,

    /** Every call held, newest first, as VoIPBIN would answer it now, normalised by core. */
    calls(): Call[] {
      flush();
      return [...calls.values()].reverse().map((call) => v.parse(CallSchema, callJson(call)));
    },

    /** One call as core reads it, or undefined. */
    call(id: string): Call | undefined {
      flush();
      const call = calls.get(id);
      return call && v.parse(CallSchema, callJson(call));
    },

    /** Every flow held, temporary ones included. */
    flows(): Flow[] {
      return [...flows.values()].map((flow) => v.parse(FlowSchema, flowJson(flow)));
    },

    /** How many calls are in progress, how many finished ones are kept, how many sockets are open. */
    stats() {
      return {
        active,
        finished: finished.length,
        held: calls.size,
        flows: flows.size,
        sockets: sockets.count,
      };
    },

    /** Calls `listener` with every event; returns a function that stops it. */
    subscribe(listener: (event: EmulatorEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * An in-memory WebSocket constructor bound to this emulator: `new emulator.WebSocket(
     * 'ws://emulator/v1.0/ws?token=...')` (any host), VoIPBIN's event WebSocket with no socket.
     */
    WebSocket,

    /** The event WebSocket's open sockets, in memory and (with `listen()`) over HTTP. */
    sockets: socketControl,

    /** Fault injection: added latency, 5xx answers, dropped connections, malformed bodies. */
    faults: {
      set: (rules: FaultRule[]) => faults.set(rules),
      clear: () => faults.set([]),
    },

    /** Resolves when every webhook delivery under way has ended. */
    async idle(): Promise<void> {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
    },

    /** Forgets every call, flow and fault, and seeds the starting flows again; the clock stays. */
    reset() {
      calls = new Map();
      flows = new Map();
      groupcalls = new Map();
      finished = [];
      active = 0;
      due.clear();
      faults.set([]);
      seed();
    },
  };
}

/** An emulator made by `createEmulator`. */
export type Emulator = ReturnType<typeof createEmulator>;
export type { Fault };

function toClock(clock: EmulatorOptions['clock']): Clock {
  if (clock === undefined || clock === 'manual') return manualClock();
  if (clock === 'real') return realClock(1);
  if ('speed' in clock && !('now' in clock)) return realClock(clock.speed);
  return clock as Clock;
}

function notFound(method: string, url: URL) {
  return error('NOT_FOUND', 'ROUTE_NOT_FOUND', `No route ${method} ${url.pathname}.`);
}

function withIds(actions: readonly FlowAction[]): FlowAction[] {
  return actions.map((action) => ({ ...action, id: action.id ?? crypto.randomUUID() }));
}

function parseTime(token: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(\d{3})Z$/.exec(token);
  if (!match) return Number.NaN;
  return Date.parse(`${match[1]}Z`) * 1000 + Number(match[2]);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
