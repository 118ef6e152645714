import { type Action, type Address, check, VoipbinValidationError } from '@voipbin-kit/core';
import { GraphQLError } from 'graphql';
import type * as v from 'valibot';
import type { Context } from '../context.ts';
import { toGraphQLError } from '../errors.ts';
import { graphqlPath } from '../schema/action.ts';
import { checkPolicy } from './policy.ts';

/**
 * What every request that may place calls goes through, in this order, before anything is sent:
 * core's validation (BAD_USER_INPUT), then the toll-fraud policy (FORBIDDEN for a number,
 * BAD_USER_INPUT for a size limit). Issue paths are in the GraphQL input's names.
 */
export function guard<T extends { destinations?: readonly Address[]; actions?: readonly Action[] }>(
  ctx: Context,
  schema: v.GenericSchema,
  json: T,
  what: string,
): void {
  const parsed = check(schema, json);
  if (!parsed.success) {
    throw toGraphQLError(new VoipbinValidationError(what, parsed.issues), {
      json,
      argument: 'input',
    });
  }
  const violations = checkPolicy(json, ctx.security.policy);
  if (violations.length === 0) return;
  const issues = violations.map((v) => ({
    path: `input.${graphqlPath(v.path, json)}`,
    message: v.message,
  }));
  const code = violations.some((v) => v.code === 'FORBIDDEN') ? 'FORBIDDEN' : 'BAD_USER_INPUT';
  throw new GraphQLError(
    `Refused by this gateway's policy: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    {
      extensions: { code, issues },
    },
  );
}

/** Takes a token of the caller's createCall bucket, or throws RATE_LIMITED. */
export async function rateLimit(ctx: Context): Promise<void> {
  const decision = await ctx.security.limit(ctx.principal.id);
  if (decision.allowed) return;
  throw new GraphQLError(
    `Too many calls; try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
    {
      extensions: { code: 'RATE_LIMITED', retryAfterMs: decision.retryAfterMs },
    },
  );
}
