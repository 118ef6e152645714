import type { Call, Flow, Groupcall } from '@voipbin-kit/core';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';

// The object types VoIPBIN answers, declared here once: a call's payload holds group calls and a
// group call holds calls, so their modules import this one rather than each other.
export const CallRef = builder.objectRef<Call>('Call');
export const GroupcallRef = builder.objectRef<Groupcall>('Groupcall');
export const FlowRef = builder.objectRef<Flow>('Flow');

/**
 * The rule of every type above: an object is shown only when this request found it to be the
 * caller's (placed or read through the ownership check), or when the caller sees the whole
 * account. The resolvers never hand out another's; this is the net under them.
 */
export const ownedByCaller = (value: { id: string }, ctx: Context): boolean =>
  ctx.owner === null || ctx.visible.has(value.id);
