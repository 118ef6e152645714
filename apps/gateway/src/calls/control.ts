import {
  CALL_CONTROLS,
  type Call,
  type CallControlName,
  type CallControlVerb,
  type TalkRequest,
} from '@voipbin-kit/core';
import { type Context, reveal } from '../context.ts';
import { gatewayError } from '../error-codes.ts';
import { guard, rateLimit } from './guard.ts';
import { announce, ownCall } from './owned.ts';

/**
 * What the gateway adds to a verb of core's `CALL_CONTROLS`: a check of its own policy on the
 * request, and whether the verb takes a token of the caller's rate limit (all but hangup: a
 * caller must always be able to end a call).
 */
export interface ControlRule {
  check?: (ctx: Context, json: never) => void;
  rateLimited?: false;
}

/** A talk's text within the policy's talk length. */
function talkLength(ctx: Context, json: TalkRequest) {
  const max = ctx.security.policy.maxTalkLength;
  if (json.text.length > max) {
    const message = `A talk text has at most ${max} characters`;
    throw gatewayError(
      'BAD_USER_INPUT',
      `Refused by this gateway's policy: input.text: ${message}`,
      {
        issues: [{ path: 'input.text', message }],
      },
    );
  }
}

export const CONTROL_RULES: { readonly [K in CallControlName]?: ControlRule } = {
  hangup: { rateLimited: false },
  talk: { check: talkLength },
};

type Send = (id: string, ...args: unknown[]) => Promise<Call | undefined>;

/**
 * One in-call control verb on a call of the caller's, answered with the call as it is after.
 * The request is checked first (core's schema, then the gateway's rule), so nothing is sent
 * for a bad one; another's call (or none) is NOT_FOUND, as everywhere; the new state goes to
 * live subscribers at once, whatever the event source. VoIPBIN answers most verbs with no
 * body: the call is read after the change.
 */
export async function controlCall(
  ctx: Context,
  name: CallControlName,
  id: string,
  json: Record<string, unknown> | undefined,
): Promise<Call> {
  const verb: CallControlVerb = CALL_CONTROLS[name];
  const rule = CONTROL_RULES[name];
  if (verb.body) {
    guard(ctx, verb.body, json ?? {}, `${name} request`);
    rule?.check?.(ctx, (json ?? {}) as never);
  }
  await ownCall(ctx, id);
  if (rule?.rateLimited !== false) await rateLimit(ctx);
  const send = ctx.voipbin.calls[name] as Send;
  const options = ctx.upstreamOptions;
  const answer = await (verb.body ? send(id, json ?? {}, options) : send(id, options));
  const call = answer ?? (await ctx.voipbin.calls.get(id, options));
  reveal(ctx, call.id);
  announce(ctx, call);
  return call;
}
