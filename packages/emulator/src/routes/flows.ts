/** `/v1.0/flows` and `/v1.0/flows/{id}` (am server/flows.go, fm flowhandler). */
import { NIL_UUID } from '@voipbin-kit/core';
import { pageToken } from '../clock.ts';
import { flowRequest, parseBody, uuidOf } from '../decode.ts';
import { errors } from '../errors.ts';
import { flowJson } from '../json.ts';
import { withIds } from '../state.ts';
import type { FlowAction, FlowRecord } from '../types.ts';
import { validateActionTypes } from './actions.ts';
import { answer, type Handler, type RouteContext } from './context.ts';
import { pageSize, parseToken } from './paging.ts';

/** A flow of the request's customer (`id` already a UUID), or the error VoIPBIN answers. */
export function ownFlow(context: RouteContext, id: string): FlowRecord {
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

async function readFlow(context: RouteContext, request: Request) {
  const body = parseBody(await request.text(), !context.strictJson);
  const input = flowRequest(body.value);
  validateActionTypes(input.actions);
  const actions = input.actions.map(
    (a) =>
      ({
        id: uuidOf(a.id) ?? '',
        next_id: uuidOf(a.next_id) ?? NIL_UUID,
        type: a.type,
        ...(a.option ? { option: a.option } : {}),
      }) as FlowAction,
  );
  return { input, actions, relaxed: body.relaxed };
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
  const { input, actions, relaxed } = await readFlow(context, request);
  const flow = context.store.newFlow(
    context.customerId,
    {
      name: input.name,
      detail: input.detail,
      actions,
      on_complete_flow_id: uuidOf(input.onCompleteFlowId) ?? NIL_UUID,
    },
    false,
  );
  return answer(flowJson(flow), relaxed);
};

export const getFlow: Handler = (context, _request, _url, { id }) =>
  answer(flowJson(flowOfPath(context, id)));

export const updateFlow: Handler = async (context, request, _url, { id }) => {
  const flow = flowOfPath(context, id);
  const { input, actions, relaxed } = await readFlow(context, request);
  Object.assign(flow, {
    name: input.name,
    detail: input.detail,
    actions: withIds(actions),
    onCompleteFlowId: uuidOf(input.onCompleteFlowId) ?? NIL_UUID,
    updatedUs: context.store.stamp(),
  });
  return answer(flowJson(flow), relaxed);
};

export const deleteFlow: Handler = (context, _request, _url, { id }) => {
  const flow = flowOfPath(context, id);
  context.store.flows.delete(flow.id);
  return answer(flowJson(flow, context.store.stamp()));
};
