/**
 * Every answer the emulator gives in the tests must be one VoIPBIN's OpenAPI spec allows.
 * `conforming(emulator)` makes an emulator check each answer of its `fetch` as it gives it,
 * in-process or served by `listen()`, and fail the running test when one does not conform;
 * `checked(fetch)` does the same for a fetch that reaches an emulator in another process.
 */
import { expect } from 'vitest';
import { FAULT_HEADER } from '../../src/faults.ts';
import type { Emulator } from '../../src/index.ts';
import { answerProblems, errorResponseProblems } from './spec.ts';

type Fetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** Fails the running test (and lets it go on), listing the problems. */
export function failTest(problems: string[]): void {
  expect.soft(problems, 'answers the spec does not allow').toEqual([]);
}

/** The emulator, its `fetch` now checking every answer it gives. */
export function conforming<T extends Emulator>(emulator: T): T {
  emulator.fetch = checked(emulator.fetch);
  return emulator;
}

/** `fetch`, checking every answer it gives against the spec; `report` hears of the problems. */
export function checked(fetch: Fetch, report = failTest): Fetch {
  return async (input, init) => {
    const request = typeof input === 'object' && 'method' in input ? input : undefined;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const path = new URL(request?.url ?? String(input)).pathname;
    const response = await fetch(input, init);
    const problems = problemsOf(method, path, response, await response.clone().text());
    if (problems.length > 0) report(problems);
    return response;
  };
}

/** The problems of one answer, injected faults exempt. */
export function problemsOf(
  method: string,
  path: string,
  response: Response,
  text: string,
): string[] {
  // Injected faults are exempt, on purpose: a malformed body or one of the wrong shape is the
  // fault itself, and an injected 5xx may have a status the operation does not document (its
  // body must still be VoIPBIN's error body). The emulator marks them with FAULT_HEADER.
  const fault = response.headers.get(FAULT_HEADER);
  if (fault === 'malformed' || fault === 'body') return [];
  const where = `${method} ${path} -> ${response.status}`;
  if (fault === 'status') return errorResponseProblems(`${where} (injected)`, JSON.parse(text));
  return answerProblems(method, path, response.status, text);
}
