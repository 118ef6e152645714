/**
 * `/v1.0/calls` and `/v1.0/calls/{id}` (am server/calls.go, servicehandler/call.go, cm
 * callhandler): placing calls, listing them, reading and deleting one.
 */
import { type Address, NIL_UUID } from '@voipbin-kit/core';
import { pageToken } from '../clock.ts';
import { callRequest, parseBody, uuidOf } from '../decode.ts';
import { ApiError, errors } from '../errors.ts';
import { groupcallJson } from '../json.ts';
import type { CallRecord, FlowAction, FlowRecord, GroupcallRecord } from '../types.ts';
import { validateActions } from './actions.ts';
import { answer, type Handler, type RouteContext } from './context.ts';
import { ownFlow } from './flows.ts';
import { pageSize, parseToken } from './paging.ts';

/** A call of the request's customer by a path id, or the error VoIPBIN answers. */
export function ownCall(context: RouteContext, id: string): CallRecord {
  const uuid = uuidOf(id);
  if (!uuid) throw errors.invalidId();
  const call = context.store.calls.get(uuid);
  if (!call) throw errors.callNotFound();
  if (call.customerId !== context.customerId) throw errors.permissionDenied();
  // am servicehandler `callGet`: a deleted call is refused for every use.
  if (call.deletedUs !== undefined) throw errors.stateInvalid();
  return call;
}

/** am server/variables.go `validateVariables`: every key counts, `voipbin.*` ones too. */
export function validateVariables(variables: Record<string, string>): void {
  const entries = Object.entries(variables);
  if (entries.length === 0) return;
  if (entries.length > 100) throw errors.invalidVariables('too many variables (max 100)');
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  let total = 0;
  for (const [key, value] of entries) {
    if (bytes(value) > 32 * 1024) throw errors.invalidVariables('variable value exceeds 32KB');
    total += bytes(key) + bytes(value);
  }
  if (total > 64 * 1024) throw errors.invalidVariables('variables total size exceeds 64KB');
}

/** fm drops reserved (`voipbin.*`) and empty keys before the flow reads them. */
function flowVariables(variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).filter(([key]) => key !== '' && !key.startsWith('voipbin.')),
  );
}

/** common models/address/normalize.go `NormalizeTarget`; undefined when a tel has no digit. */
export function normalizeTarget(type: string | undefined, target: string): string | undefined {
  switch (type) {
    case 'tel':
    case 'whatsapp': {
      const src = target.trim();
      const out = [...src].filter((c, i) => (c === '+' && i === 0) || (c >= '0' && c <= '9'));
      return out.some((c) => c !== '+') ? out.join('') : undefined;
    }
    case 'email':
      return target.trim().toLowerCase();
    case 'sip': {
      const s = target.trim();
      const boundary = s.search(/[;?]/);
      const head = boundary < 0 ? s : s.slice(0, boundary);
      const tail = boundary < 0 ? '' : s.slice(boundary);
      const at = head.lastIndexOf('@');
      if (at < 0) return s;
      return head.slice(0, at + 1) + head.slice(at + 1).toLowerCase() + tail;
    }
    default:
      return target;
  }
}

/** cm `CreateCallsOutgoing`: tel and sip are calls, agent and extension groupcalls. */
function kindOf(destination: Address): 'call' | 'groupcall' | undefined {
  const { type } = destination;
  if (type === 'tel' || type === 'sip') return 'call';
  if (type === 'agent' || type === 'extension') return 'groupcall';
  return undefined;
}

export const createCalls: Handler = async (context, request) => {
  const { store, runner, customerId } = context;
  const body = parseBody(await request.text(), !context.strictJson);
  const input = callRequest(body.value);
  validateVariables(input.variables);
  // cm: `anonymous` outside yes/no/auto is auto (the emulator shows no caller id to hide).
  void (['yes', 'no', 'auto'].includes(input.anonymous) ? input.anonymous : 'auto');

  // am servicehandler `CallCreate`: no call to a phone number for a customer whose identity is
  // not verified, before any flow is made or looked up.
  if (!context.verified && input.destinations.some((d) => d.type === 'tel'))
    throw new ApiError(
      'PERMISSION_DENIED',
      'IDENTITY_VERIFICATION_REQUIRED',
      'Customer identity verification is required for this operation.',
    );

  // am servicehandler `CallCreate`: flow_id wins (an id that does not parse is nil); without
  // one the actions make a temporary flow, checked by flow-manager (`ValidateActions`).
  const flowId = uuidOf(input.flowId);
  let flow: FlowRecord;
  if (flowId) {
    flow = ownFlow(context, flowId);
  } else {
    validateActions(input.actions);
    flow = store.newFlow(
      customerId,
      {
        name: 'tmp',
        detail: 'tmp outbound flow',
        actions: input.actions.map(toFlowAction),
      },
      true,
    );
  }

  const wanted = input.destinations.filter((d) => kindOf(d) !== undefined);
  if (store.active + wanted.length > context.maxActiveCalls) {
    if (flow.temporary && flow.calls === 0) store.flows.delete(flow.id);
    throw new ApiError(
      'RESOURCE_EXHAUSTED',
      'TOO_MANY_CALLS',
      `At most ${context.maxActiveCalls} calls may be in progress at once.`,
    );
  }

  const source = normalized(input.source) ?? input.source;
  const result = {
    calls: [] as Record<string, unknown>[],
    groupcalls: [] as Record<string, unknown>[],
  };
  const variables = flowVariables(input.variables);
  for (const raw of input.destinations) {
    const kind = kindOf(raw);
    const destination = normalized(raw);
    // A destination that fails is skipped (cm `CreateCallsOutgoing`).
    if (!kind || !destination) continue;
    const call = runner.start(customerId, flow, source, destination, variables);
    if (kind === 'groupcall') {
      const group: GroupcallRecord = {
        id: crypto.randomUUID(),
        customerId,
        flowId: flow.id,
        source,
        destination,
        callId: call.id,
        createdUs: call.createdUs,
      };
      call.groupcallId = group.id;
      store.groupcalls.set(group.id, group);
      result.groupcalls.push(groupcallJson(group, call.states[0]));
    } else {
      // The call as created, as VoIPBIN answers it: not as it is by the time the loop ends.
      result.calls.push(runner.json(call, call.states[0]));
    }
  }
  if (result.calls.length === 0 && result.groupcalls.length === 0) {
    // cm: "all destinations failed to create outgoing calls".
    if (flow.temporary && flow.calls === 0) store.flows.delete(flow.id);
    throw errors.internal();
  }
  runner.flush();
  return answer(result, body.relaxed);
};

function normalized(address: Address): Address | undefined {
  if (address.target === undefined) return address.type === 'tel' ? undefined : address;
  const target = normalizeTarget(address.type, address.target);
  return target === undefined ? undefined : { ...address, target };
}

function toFlowAction(action: {
  id: string;
  next_id: string;
  type: string;
  option?: Record<string, unknown>;
}): FlowAction {
  return {
    id: uuidOf(action.id) ?? '',
    next_id: uuidOf(action.next_id) ?? NIL_UUID,
    type: action.type,
    ...(action.option ? { option: action.option } : {}),
  } as FlowAction;
}

/**
 * am server/calls.go `GetCalls`: `page_size` 100 by default, and when <= 0 or > 100; not an
 * integer is 400 `INVALID_REQUEST_PARAMETER` (the generated wrapper's binding). Newest first;
 * the token is the last item's `tm_create`, set whenever the page is not empty.
 */
export const listCalls: Handler = (context, _request, url) => {
  const { store, runner, customerId } = context;
  const size = pageSize(url);
  const token = url.searchParams.get('page_token');
  const before = token ? parseToken(token) : Number.POSITIVE_INFINITY;
  const mine = [...store.calls.values()]
    .filter((c) => c.customerId === customerId && c.deletedUs === undefined && c.createdUs < before)
    .sort((a, b) => b.createdUs - a.createdUs);
  const page = mine.slice(0, size);
  const last = page.at(-1);
  return answer({
    result: page.map((c) => runner.json(c)),
    next_page_token: last ? pageToken(last.createdUs) : '',
  });
};

export const getCall: Handler = (context, _request, _url, { id }) =>
  answer(context.runner.json(ownCall(context, id)));

/** cm call.go `Delete`: hangs up a call not hung up, sets `tm_delete`, sends `call_deleted`. */
export const deleteCall: Handler = (context, _request, _url, { id }) => {
  const call = ownCall(context, id);
  context.runner.delete(call);
  return answer(context.runner.json(call));
};
