import { FLOW_TYPES } from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import { createFlow, flowById } from '../calls/index.ts';
import { ActionInput, ActionRef } from './action.ts';
import { voipbinEnum } from './enums.ts';
import { FlowRef, ownedByCaller } from './refs.ts';
import { timestampFields } from './scalars.ts';

const FlowType = voipbinEnum(
  'FlowType',
  FLOW_TYPES,
  'What a flow is for (VoIPBIN `FlowManagerFlowType`).',
);

FlowRef.implement({
  description:
    "A reusable list of actions a call can run (VoIPBIN `FlowManagerFlow`). Only the caller's own flows are shown, unless it holds `calls:admin` or sent its own VoIPBIN token (pass-through).",
  authScopes: ownedByCaller,
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
    description:
      "A flow by id; null when there is none or it is not the caller's (VoIPBIN `GET /flows/{id}`).",
    args: { id: t.arg.id({ required: true, description: 'The flow id.' }) },
    resolve: (_, { id }, ctx) => flowById(ctx, id),
  }),
);

builder.mutationField('createFlow', (t) =>
  t.field({
    type: FlowRef,
    description: "Creates a flow (VoIPBIN `POST /flows`); it is the caller's own.",
    args: { input: t.arg({ type: CreateFlowInput, required: true, description: 'The flow.' }) },
    resolve: (_, { input }, ctx) => createFlow(ctx, input),
  }),
);
