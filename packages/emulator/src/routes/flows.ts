/** `/v1.0/flows` and `/v1.0/flows/{id}` (am server/flows.go, fm flowhandler). */
import { NIL_UUID } from '@voipbin-kit/core';
import { pageToken } from '../clock.ts';
import { flowRequest, parseBody, uuidOf } from '../decode.ts';
import { errors } from '../errors.ts';
import { flowJson } from '../json.ts';
import { withIds } from '../state.ts';
import type { FlowAction, FlowRecord } from '../types.ts';
import { validateActions } from './actions.ts';
import { answer, type Handler, type RouteContext } from './context.ts';
import { pageSize, parseToken } from './paging.ts';

/**
 * A flow of the request's customer (`id` already a UUID), or the error VoIPBIN answers: am
 * pkg/servicehandler/flow.go `flowGet` (lines 20-32) answers a deleted flow (`tm_delete` set)
 * with `serviceerrors.ErrNotFound`, 404 `RESOURCE_NOT_FOUND`, before its customer is checked;
 * a flow flow-manager does not have is its own 404 `FLOW_NOT_FOUND` (fm flowhandler/db.go `Get`).
 */
export function ownFlow(context: RouteContext, id: string): FlowRecord {
  if (context.store.deletedFlows.has(id)) throw errors.resourceNotFound();
  const flow = context.store.flows.get(id);
  if (!flow) throw errors.flowNotFound();
  if (flow.customerId !== context.customerId) throw errors.permissionDenied();
  return flow;
}

function flowOfPath(context: RouteContext, id: string): FlowRecord {
  const uuid = uuidOf(id);
  if (!uuid) throw errors.invalidId();
  return ownFlow(context, uuid);
}

/** am server/flows.go `PostFlows`, `PutFlowsId`: the body, bound before any flow is read. */
async function readBody(context: RouteContext, request: Request) {
  const body = parseBody(await request.text(), !context.strictJson);
  return { input: flowRequest(body.value), relaxed: body.relaxed };
}

/**
 * am servicehandler/flow.go `FlowCreate` (lines 62-72), `FlowUpdate` (227-236): an
 * `on_complete_flow_id` that parses is read as a flow (404, or 403 when another customer's),
 * before flow-manager checks the actions (`ValidateActions`); one that does not parse is nil.
 */
function flowContent(context: RouteContext, input: ReturnType<typeof flowRequest>) {
  const onCompleteFlowId = uuidOf(input.onCompleteFlowId);
  if (onCompleteFlowId) ownFlow(context, onCompleteFlowId);
  validateActions(input.actions);
  const actions = input.actions.map(
    (a) =>
      ({
        id: uuidOf(a.id) ?? '',
        next_id: uuidOf(a.next_id) ?? NIL_UUID,
        type: a.type,
        ...(a.option ? { option: a.option } : {}),
      }) as FlowAction,
  );
  return { actions, onCompleteFlowId: onCompleteFlowId ?? NIL_UUID };
}

/** As `GET /calls`: `page_size` 100 by default, the token the last item's `tm_create`. */
export const listFlows: Handler = (context, _request, url) => {
  const size = pageSize(url);
  const token = url.searchParams.get('page_token');
  const before = token ? parseToken(token) : Number.POSITIVE_INFINITY;
  const mine = [...context.store.flows.values()]
    .filter((f) => f.customerId === context.customerId && !f.temporary && f.createdUs < before)
    .sort((a, b) => b.createdUs - a.createdUs);
  const page = mine.slice(0, size);
  const last = page.at(-1);
  return answer({
    result: page.map((f) => flowJson(f)),
    next_page_token: last ? pageToken(last.createdUs) : '',
  });
};

export const createFlow: Handler = async (context, request) => {
  const { input, relaxed } = await readBody(context, request);
  const { actions, onCompleteFlowId } = flowContent(context, input);
  const flow = context.store.newFlow(
    context.customerId,
    { name: input.name, detail: input.detail, actions, on_complete_flow_id: onCompleteFlowId },
    false,
  );
  return answer(flowJson(flow), relaxed);
};

export const getFlow: Handler = (context, _request, _url, { id }) =>
  answer(flowJson(flowOfPath(context, id)));

/** am server/flows.go `PutFlowsId`: the id, the body, then the flow (`FlowUpdate`). */
export const updateFlow: Handler = async (context, request, _url, { id }) => {
  if (!uuidOf(id)) throw errors.invalidId();
  const { input, relaxed } = await readBody(context, request);
  const flow = flowOfPath(context, id);
  const { actions, onCompleteFlowId } = flowContent(context, input);
  Object.assign(flow, {
    name: input.name,
    detail: input.detail,
    actions: withIds(actions),
    onCompleteFlowId,
    updatedUs: context.store.stamp(),
  });
  return answer(flowJson(flow), relaxed);
};

export const deleteFlow: Handler = (context, _request, _url, { id }) => {
  const flow = flowOfPath(context, id);
  context.store.flows.delete(flow.id);
  // fm dbhandler/flows.go `FlowDelete` only sets `tm_delete`: the id stays known (see `ownFlow`).
  context.store.deletedFlows.add(flow.id);
  return answer(flowJson(flow, context.store.stamp()));
};
