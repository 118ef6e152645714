import { GROUPCALL_STATUSES } from '@voipbin-kit/core';
import { loadCalls } from '../context.ts';
import { AddressRef } from './address.ts';
import { voipbinEnum } from './enums.ts';
import { CallRef, GroupcallRef, ownedByCaller } from './refs.ts';
import { timestampFields } from './scalars.ts';

const GroupcallStatus = voipbinEnum(
  'GroupcallStatus',
  GROUPCALL_STATUSES,
  'Where a group call is (VoIPBIN `CallManagerGroupcallStatus`).',
);

GroupcallRef.implement({
  description:
    'Several legs rung at once, as calling an extension or an agent does (VoIPBIN `CallManagerGroupcall`).',
  authScopes: ownedByCaller,
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The group call id (`id`).' }),
    customerId: t.exposeID('customer_id', {
      nullable: true,
      description: 'The owning customer (`customer_id`).',
    }),
    ownerType: t.exposeString('owner_type', {
      nullable: true,
      description: 'The kind of owner (`owner_type`).',
    }),
    ownerId: t.exposeID('owner_id', { nullable: true, description: 'The owner (`owner_id`).' }),
    status: t.field({
      type: GroupcallStatus.ref,
      nullable: true,
      description: 'Where it is (`status`).',
      resolve: (g) => GroupcallStatus.read(g.status),
    }),
    flowId: t.exposeID('flow_id', {
      nullable: true,
      description: 'The flow its legs run (`flow_id`).',
    }),
    source: t.expose('source', {
      type: AddressRef,
      nullable: true,
      description: 'Who calls (`source`).',
    }),
    destinations: t.expose('destinations', {
      type: [AddressRef],
      description: 'Who is rung (`destinations`).',
    }),
    masterCallId: t.exposeID('master_call_id', {
      nullable: true,
      description: 'The call that started it (`master_call_id`).',
    }),
    masterGroupcallId: t.exposeID('master_groupcall_id', {
      nullable: true,
      description: 'The group call that started it (`master_groupcall_id`).',
    }),
    ringMethod: t.exposeString('ring_method', {
      nullable: true,
      description: 'ring_all or linear (`ring_method`).',
    }),
    answerMethod: t.exposeString('answer_method', {
      nullable: true,
      description: 'What happens on answer, e.g. hangup_others (`answer_method`).',
    }),
    answerCallId: t.exposeID('answer_call_id', {
      nullable: true,
      description: 'The leg that answered (`answer_call_id`).',
    }),
    callIds: t.exposeIDList('call_ids', { description: 'Its legs (`call_ids`).' }),
    answerGroupcallId: t.exposeID('answer_groupcall_id', {
      nullable: true,
      description: 'The group call that answered (`answer_groupcall_id`).',
    }),
    groupcallIds: t.exposeIDList('groupcall_ids', {
      description: 'Nested group calls (`groupcall_ids`).',
    }),
    callCount: t.exposeInt('call_count', {
      nullable: true,
      description: 'Legs still dialing (`call_count`).',
    }),
    groupcallCount: t.exposeInt('groupcall_count', {
      nullable: true,
      description: 'Group calls still dialing (`groupcall_count`).',
    }),
    dialIndex: t.exposeInt('dial_index', {
      nullable: true,
      description: 'The current dial index for ring_all (`dial_index`).',
    }),
    ...timestampFields(t),
    calls: t.field({
      type: [CallRef],
      nullable: true,
      authScopes: { read: true },
      description:
        'Its legs, fetched only when selected, in one batch (`call_ids`); null, with an error, when they cannot be read.',
      resolve: (g, _, ctx) => loadCalls(ctx, g.call_ids),
    }),
  }),
});
