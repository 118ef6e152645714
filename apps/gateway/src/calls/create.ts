import {
  CreateCallRequestSchema,
  type CreateCallResult,
  CreateFlowRequestSchema,
  type Flow,
} from '@voipbin-kit/core';
import { type Context, reveal } from '../context.ts';
import {
  type CreateCallInputShape,
  type CreateFlowInputShape,
  toCreateCallRequest,
  toCreateFlowRequest,
} from '../mapping.ts';
import { fingerprint } from '../security/idempotency.ts';
import { idempotencyScope } from '../security/index.ts';
import { guard, type InputProblem, rateLimit, refusal } from './guard.ts';
import { announce, recordOwned } from './owned.ts';

/**
 * A call request as VoIPBIN's JSON and what refuses it before anything is sent (input
 * validation, then the policy), if anything: createCall throws it, validateCall answers it.
 */
function checkCall(ctx: Context, input: CreateCallInputShape) {
  const json = toCreateCallRequest(input);
  return { json, refused: refusal(ctx, CreateCallRequestSchema, json, 'call request') };
}

/** validateCall: every reason createCall would refuse `input`; nothing is sent, taken or stored. */
export function validateCall(ctx: Context, input: CreateCallInputShape): InputProblem[] {
  return checkCall(ctx, input).refused?.problems ?? [];
}

/**
 * createCall: the checks, then (inside the idempotency key, when there is one, so that a
 * replay takes no token and places nothing) the rate limit, the upstream create, the owner
 * records and the first states published. What it placed is shown to the caller.
 */
export async function createCall(
  ctx: Context,
  input: CreateCallInputShape,
  idempotencyKey: string | null | undefined,
): Promise<CreateCallResult & { replayed: boolean }> {
  const { json, refused } = checkCall(ctx, input);
  if (refused) throw refused.error;
  const place = async () => {
    await rateLimit(ctx);
    const placed = await ctx.voipbin.calls.create(json, ctx.upstreamOptions);
    ctx.observer?.placed(placed);
    await recordOwned(ctx, {
      call: [...placed.calls.map((c) => c.id), ...placed.groupcalls.flatMap((g) => g.call_ids)],
      groupcall: placed.groupcalls.map((g) => g.id),
    });
    // Owned by now: `callEvents` shows each new call from its first state, whatever the source.
    for (const call of placed.calls) announce(ctx, call);
    return placed;
  };
  // `null` or left out means no key; an empty key is refused (1 to 255 characters), not ignored.
  const { result, replayed } =
    idempotencyKey == null
      ? { result: await place(), replayed: false }
      : await ctx.security.idempotency.run(
          idempotencyScope(ctx.principal),
          idempotencyKey,
          await fingerprint(json),
          place,
        );
  if (replayed) ctx.observer?.idempotencyReplayed();
  reveal(ctx, ...result.calls.map((c) => c.id), ...result.groupcalls.map((g) => g.id));
  return { ...result, replayed };
}

/** createFlow: checked as a call is, made upstream, recorded as the caller's and shown. */
export async function createFlow(ctx: Context, input: CreateFlowInputShape): Promise<Flow> {
  const json = toCreateFlowRequest(input);
  // A flow's connect/call steps are checked like a call's: a flow is a call waiting to happen.
  guard(ctx, CreateFlowRequestSchema, json, 'flow request');
  const flow = await ctx.voipbin.flows.create(json, ctx.upstreamOptions);
  await recordOwned(ctx, { flow: [flow.id] });
  reveal(ctx, flow.id);
  return flow;
}
