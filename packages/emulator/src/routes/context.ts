/** What a route is handed: the emulator's parts, and the request's customer. */
import { json } from '../http.ts';
import type { Runner } from '../runner.ts';
import type { Store } from '../state.ts';

export interface RouteContext {
  store: Store;
  runner: Runner;
  /** The customer the request's credential acts as. */
  customerId: string;
  /** Whether bodies with trailing commas are refused (VoIPBIN does). */
  strictJson: boolean;
  maxActiveCalls: number;
  /** Whether the customer's identity is verified (`unverifiedCustomers`). */
  verified: boolean;
}

/** The path parameters of a route (`{id}`). */
export interface RouteParams {
  id: string;
}

export type Handler = (
  context: RouteContext,
  request: Request,
  url: URL,
  params: RouteParams,
) => Response | Promise<Response>;

/** A 200 JSON answer; `relaxed` (a body read with trailing commas) adds a warning. */
export function answer(body: unknown, relaxed = false): Response {
  return json(
    body,
    200,
    relaxed ? { warning: '299 - "trailing comma accepted; VoIPBIN rejects it"' } : undefined,
  );
}

/** VoIPBIN's `c.Status(http.StatusOK)`: 200 with an empty body. */
export function empty(): Response {
  return new Response(null, { status: 200 });
}
