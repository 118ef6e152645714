import {
  type CreateFlowRequest,
  CreateFlowRequestSchema,
  FLOW_TYPES,
  type Flow,
} from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import { notFoundAsNull, upstream } from '../errors.ts';
import { guard } from '../security/guard.ts';
import { requireScope, SCOPES } from '../security/index.ts';
import { ActionInput, ActionRef, toVoipbinAction } from './action.ts';
import { voipbinEnum } from './enums.ts';
import { timestampFields } from './scalars.ts';

const FlowType = voipbinEnum(
  'FlowType',
  FLOW_TYPES,
  'What a flow is for (VoIPBIN `FlowManagerFlowType`).',
);

export const FlowRef = builder.objectRef<Flow>('Flow').implement({
  description: 'A reusable list of actions a call can run (VoIPBIN `FlowManagerFlow`).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The flow id (`id`).' }),
    customerId: t.exposeID('customer_id', {
      nullable: true,
      description: 'The owning customer (`customer_id`).',
    }),
    type: t.field({
      type: FlowType.ref,
      nullable: true,
      description: 'What it is for (`type`).',
      resolve: (f) => FlowType.read(f.type),
    }),
    name: t.exposeString('name', { description: 'Its name (`name`).' }),
    detail: t.exposeString('detail', { description: 'Its description (`detail`).' }),
    actions: t.expose('actions', {
      type: [ActionRef],
      description: 'Its steps, in order (`actions`).',
    }),
    directHash: t.exposeString('direct_hash', {
      nullable: true,
      description: 'For SIP access as sip:<hash>@sip.voipbin.net (`direct_hash`).',
    }),
    onCompleteFlowId: t.exposeID('on_complete_flow_id', {
      nullable: true,
      description: 'The flow run after it (`on_complete_flow_id`).',
    }),
    ...timestampFields(t),
  }),
});

const CreateFlowInput = builder.inputType('CreateFlowInput', {
  description: 'A flow to create (the body of VoIPBIN `POST /flows`).',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Its name (`name`).' }),
    detail: t.string({ description: 'Its description (`detail`); empty when left out.' }),
    actions: t.field({
      type: [ActionInput],
      required: true,
      description: 'Its steps (`actions`).',
    }),
    onCompleteFlowId: t.id({ description: 'A flow to run after it (`on_complete_flow_id`).' }),
  }),
});

builder.queryField('flow', (t) =>
  t.field({
    type: FlowRef,
    nullable: true,
    description: 'A flow by id; null when there is none (VoIPBIN `GET /flows/{id}`).',
    args: { id: t.arg.id({ required: true, description: 'The flow id.' }) },
    resolve: (_, { id }, ctx) => {
      requireScope(ctx.principal, SCOPES.read);
      return upstream(() => notFoundAsNull(() => ctx.voipbin.flows.get(id)), {
        json: { id },
        argument: '',
      });
    },
  }),
);

builder.mutationField('createFlow', (t) =>
  t.field({
    type: FlowRef,
    description: 'Creates a flow (VoIPBIN `POST /flows`).',
    args: { input: t.arg({ type: CreateFlowInput, required: true, description: 'The flow.' }) },
    resolve: (_, { input }, ctx) => {
      requireScope(ctx.principal, SCOPES.create);
      const json: CreateFlowRequest = {
        name: input.name,
        detail: input.detail ?? '',
        actions: (input.actions as Record<string, Record<string, unknown> | null>[]).map(
          toVoipbinAction,
        ),
        ...(input.onCompleteFlowId ? { on_complete_flow_id: String(input.onCompleteFlowId) } : {}),
      };
      // A flow's connect/call steps are checked like a call's: a flow is a call waiting to happen.
      guard(ctx, CreateFlowRequestSchema, json, 'flow request');
      return upstream(() => ctx.voipbin.flows.create(json), { json, argument: 'input' });
    },
  }),
);
