import { type Action, type Address, check, VoipbinValidationError } from '@voipbin-kit/core';
import { GraphQLError } from 'graphql';
import type * as v from 'valibot';
import type { Context } from '../context.ts';
import { toGraphQLError } from '../errors.ts';
import { graphqlPath } from '../mapping.ts';
import { checkPolicy } from '../security/policy.ts';

/** Keys that could reach an object's prototype if some code merged the input. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The deepest nesting of objects and lists taken in an input (VoIPBIN's options are shallow). */
export const MAX_INPUT_DEPTH = 32;

/**
 * Where `json` holds an unsafe key, or nests deeper than `MAX_INPUT_DEPTH`, as core-style
 * issues (VoIPBIN paths). JSONObject inputs (open action options, `target_ids`...) pass core's
 * `record` checks, which drop such keys without a word, while the request sent upstream still
 * has them; and a JSON nested 100,000 deep would overflow the stack of `JSON.stringify`.
 * Walked without recursion.
 */
function unsafeInput(json: unknown): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value: json, path: [] }];
  while (stack.length > 0 && issues.length < 10) {
    const { value, path } = stack.pop() as { value: unknown; path: string[] };
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_INPUT_DEPTH) {
      issues.push({
        path: path.join('.'),
        message: `Expected at most ${MAX_INPUT_DEPTH} levels of nested objects and lists`,
      });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (UNSAFE_KEYS.has(key)) {
        issues.push({
          path: [...path, key].join('.'),
          message: 'Expected no key named __proto__, constructor or prototype',
        });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}

/**
 * What every request that may place calls goes through, in this order, before anything is sent:
 * core's validation (BAD_USER_INPUT), keys and nesting that no VoIPBIN input has (BAD_USER_INPUT),
 * then the toll-fraud policy (FORBIDDEN for a number, BAD_USER_INPUT for a size limit). Issue
 * paths are in the GraphQL input's names.
 */
export function guard<T extends { destinations?: readonly Address[]; actions?: readonly Action[] }>(
  ctx: Context,
  schema: v.GenericSchema,
  json: T,
  what: string,
): void {
  const parsed = check(schema, json);
  const issues = parsed.success ? unsafeInput(json) : parsed.issues;
  if (issues.length > 0) {
    throw toGraphQLError(new VoipbinValidationError(what, issues), { json, argument: 'input' });
  }
  const violations = checkPolicy(json, ctx.security.policy);
  if (violations.length === 0) return;
  const refused = violations.map((v) => ({
    path: `input.${graphqlPath(v.path, json)}`,
    message: v.message,
  }));
  const code = violations.some((v) => v.code === 'FORBIDDEN') ? 'FORBIDDEN' : 'BAD_USER_INPUT';
  throw new GraphQLError(
    `Refused by this gateway's policy: ${refused.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    {
      extensions: { code, issues: refused },
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
