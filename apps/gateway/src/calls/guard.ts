import { type Action, type Address, check, VoipbinValidationError } from '@voipbin-kit/core';
import type { GraphQLError } from 'graphql';
import type * as v from 'valibot';
import type { Context } from '../context.ts';
import { gatewayError } from '../error-codes.ts';
import { toGraphQLError } from '../errors.ts';
import { graphqlPath } from '../mapping.ts';
import { checkPolicy } from '../security/policy.ts';

/** What the policy reads of a request: its destinations and actions, when it has them. */
type PolicyInput = { destinations?: readonly Address[]; actions?: readonly Action[] };

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

/** One reason a request is refused: its code, where in the GraphQL input, and why. */
export interface InputProblem {
  /** BAD_USER_INPUT for an invalid input or a size limit, FORBIDDEN for what the policy refuses. */
  code: 'BAD_USER_INPUT' | 'FORBIDDEN';
  /** In the GraphQL input's names, from the argument (`input.destinations.0.target`). */
  path: string;
  message: string;
}

/** Why `guard` refuses a request: every problem, and the error `guard` throws for them. */
export interface Refusal {
  problems: InputProblem[];
  error: GraphQLError;
}

/**
 * What every request that may place calls goes through, in this order, before anything is sent:
 * core's validation (BAD_USER_INPUT), keys and nesting that no VoIPBIN input has (BAD_USER_INPUT),
 * then the toll-fraud policy (FORBIDDEN for a number, BAD_USER_INPUT for a size limit); the
 * policy is checked only on an input that passed the first two. Issue paths are in the GraphQL
 * input's names. Undefined when the request may go upstream. Checks only: nothing is sent, no
 * token taken, nothing stored (`validateCall` answers with it).
 */
export function refusal(
  ctx: Context,
  schema: v.GenericSchema,
  json: object,
  what: string,
): Refusal | undefined {
  const parsed = check(schema, json);
  const issues = parsed.success ? unsafeInput(json) : parsed.issues;
  if (issues.length > 0) {
    const error = toGraphQLError(new VoipbinValidationError(what, issues), {
      json,
      argument: 'input',
    }) as GraphQLError;
    const named = error.extensions.issues ?? [];
    return {
      error,
      problems: named.map(({ path, message }) => ({ code: 'BAD_USER_INPUT', path, message })),
    };
  }
  // A request without destinations or actions (a talk, a recording) has nothing for it to refuse.
  const violations = checkPolicy(json as PolicyInput, ctx.security.policy);
  if (violations.length === 0) return undefined;
  const problems: InputProblem[] = violations.map((v) => ({
    code: v.code,
    path: `input.${graphqlPath(v.path, json)}`,
    message: v.message,
  }));
  const refused = problems.map(({ path, message }) => ({ path, message }));
  const code = problems.some((p) => p.code === 'FORBIDDEN') ? 'FORBIDDEN' : 'BAD_USER_INPUT';
  const error = gatewayError(
    code,
    `Refused by this gateway's policy: ${refused.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { issues: refused },
  );
  return { problems, error };
}

/** Throws what `refusal` finds (its `error`: BAD_USER_INPUT or FORBIDDEN with `issues`), if any. */
export function guard(ctx: Context, schema: v.GenericSchema, json: object, what: string): void {
  const refused = refusal(ctx, schema, json, what);
  if (refused) throw refused.error;
}

/** Takes a token of the caller's createCall bucket, or throws RATE_LIMITED. */
export async function rateLimit(ctx: Context): Promise<void> {
  const decision = await ctx.security.limit(ctx.principal.id);
  if (decision.allowed) return;
  ctx.observer?.rateLimited();
  throw gatewayError(
    'RATE_LIMITED',
    `Too many calls; try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
    { retryAfterMs: decision.retryAfterMs },
  );
}
