import type { Action, Address } from '@voipbin-kit/core';

/** What a call may do through this gateway: the toll-fraud guard. */
export interface CallPolicy {
  /** E.164 prefixes or country codes a `tel` destination must start with; empty allows all. */
  allowedPrefixes: string[];
  /** Prefixes never called (premium and high-cost ranges); they win over `allowedPrefixes`. */
  deniedPrefixes: string[];
  /** Destinations of one list (a call request's, or a `connect`/`call` action's). */
  maxDestinations: number;
  /**
   * `tel` destinations of one request in all: the top level and every list in its actions,
   * nested ones included. Default (left out): 3 × `maxDestinations`, i.e. 30.
   */
  maxTotalDestinations?: number;
  /** Actions of one request, nested ones (`call`) included. */
  maxActions: number;
  /** Characters of one `talk` text. */
  maxTalkLength: number;
  /**
   * Let `fetch` (actions fetched from a URL when the call reaches it) and `fetch_flow` (another
   * flow's actions) through. Both run actions this gateway never sees, so neither its
   * destination policy nor its limits would apply: refused (FORBIDDEN) unless true. Default false.
   */
  allowFetchActions?: boolean;
}

/** Actions that run further actions this gateway cannot check. */
const FETCH_ACTIONS: ReadonlySet<string> = new Set(['fetch', 'fetch_flow']);

/** The default `maxTotalDestinations`, in lists of `maxDestinations`. */
export const TOTAL_DESTINATION_LISTS = 3;

export const DEFAULT_POLICY: CallPolicy = {
  allowedPrefixes: [],
  deniedPrefixes: [],
  maxDestinations: 10,
  maxActions: 100,
  maxTalkLength: 10_000,
};

export interface Violation {
  /** Where, in VoIPBIN's JSON (`destinations.1.target`); the gateway renames it to GraphQL's. */
  path: string;
  message: string;
  /** FORBIDDEN for a number the policy refuses, BAD_USER_INPUT for a size limit. */
  code: 'FORBIDDEN' | 'BAD_USER_INPUT';
}

/** `82` and `+82` mean the same prefix. */
const normalize = (prefix: string) => (prefix.startsWith('+') ? prefix : `+${prefix}`);

/**
 * Checks a call request (or a flow's actions) against the policy, every `tel` destination
 * included, those inside `connect`, `call` and `message_send` actions too, and refuses the
 * actions that would run actions it cannot see (`fetch`, `fetch_flow`) unless allowed. Returns
 * every violation; none means the request may go upstream.
 *
 * A `flow_id` (createCall's `flowId`, a `call` action's) is not followed: flows are the
 * account's own, and those created through this gateway were checked by `createFlow`
 * (docs/decisions/2026-11-27-passthrough-and-gateway-auth.md).
 */
export function checkPolicy(
  request: { destinations?: readonly Address[]; actions?: readonly Action[] },
  policy: CallPolicy,
): Violation[] {
  const allowed = policy.allowedPrefixes.map(normalize);
  const denied = policy.deniedPrefixes.map(normalize);
  const violations: Violation[] = [];
  let actionCount = 0;
  const maxTotal = policy.maxTotalDestinations ?? TOTAL_DESTINATION_LISTS * policy.maxDestinations;
  let telCount = 0;

  const destinations = (list: readonly Address[], path: string) => {
    if (list.length > policy.maxDestinations) {
      violations.push({
        path,
        code: 'BAD_USER_INPUT',
        message: `At most ${policy.maxDestinations} destinations per call`,
      });
    }
    const before = telCount;
    telCount += list.filter((address) => address.type === 'tel').length;
    // Said once, at the list where the total passes the cap.
    if (before <= maxTotal && telCount > maxTotal) {
      violations.push({
        path,
        code: 'BAD_USER_INPUT',
        message: `At most ${maxTotal} tel destinations per request, those in actions included`,
      });
    }
    list.forEach((address, i) => {
      if (address.type !== 'tel') return;
      const number = address.target;
      const where = `${path}.${i}.target`;
      const deniedBy = denied.find((prefix) => number.startsWith(prefix));
      if (deniedBy) {
        violations.push({
          path: where,
          code: 'FORBIDDEN',
          message: `Destination ${i} is in a denied range (${deniedBy})`,
        });
      } else if (allowed.length > 0 && !allowed.some((prefix) => number.startsWith(prefix))) {
        violations.push({
          path: where,
          code: 'FORBIDDEN',
          message: `Destination ${i} is outside the allowed prefixes (${allowed.join(', ')})`,
        });
      }
    });
  };

  const actions = (list: readonly Action[], path: string) => {
    list.forEach((action, i) => {
      actionCount++;
      const option = (action.option ?? {}) as {
        text?: unknown;
        destinations?: Address[];
        actions?: Action[];
      };
      const where = `${path}.${i}.option`;
      if (FETCH_ACTIONS.has(action.type) && !policy.allowFetchActions) {
        violations.push({
          path: `${path}.${i}.type`,
          code: 'FORBIDDEN',
          message: `A ${action.type} action runs actions this gateway cannot check; it is refused unless the policy allows fetch actions`,
        });
      }
      if (
        action.type === 'talk' &&
        typeof option.text === 'string' &&
        option.text.length > policy.maxTalkLength
      ) {
        violations.push({
          path: `${where}.text`,
          code: 'BAD_USER_INPUT',
          message: `A talk text has at most ${policy.maxTalkLength} characters`,
        });
      }
      if (Array.isArray(option.destinations))
        destinations(option.destinations, `${where}.destinations`);
      if (Array.isArray(option.actions)) actions(option.actions, `${where}.actions`);
    });
  };

  if (request.destinations) destinations(request.destinations, 'destinations');
  if (request.actions) actions(request.actions, 'actions');
  if (actionCount > policy.maxActions) {
    violations.push({
      path: 'actions',
      code: 'BAD_USER_INPUT',
      message: `At most ${policy.maxActions} actions per request, nested ones included`,
    });
  }
  return violations;
}
