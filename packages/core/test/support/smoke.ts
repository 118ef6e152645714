/** What test/fixtures/place-call.mjs prints, and the checks every runtime's output must pass. */
import { expect } from 'vitest';
import { QUICKSTART, TOKEN } from '../fixtures/place-call.mjs';

export interface SmokeOutput {
  runtime: { name: string; version: string };
  requests: {
    method: string;
    origin: string;
    path: string;
    search: string;
    authorization: string | null;
    contentType: string | null;
    body: unknown;
  }[];
  result: { calls: Record<string, unknown>[]; groupcalls: unknown[] };
}

/** Parses the JSON line a smoke script printed, saying what it printed if that is not JSON. */
export function parseSmoke(stdout: string): SmokeOutput {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as SmokeOutput;
  } catch {
    throw new Error(`the smoke script printed no JSON:\n${stdout}`);
  }
}

export function expectQuickstartCall(output: SmokeOutput, runtime: string): void {
  expect(output.runtime.name).toBe(runtime);
  expect(output.requests).toHaveLength(1);
  expect(output.requests[0]).toEqual({
    method: 'POST',
    origin: 'https://api.voipbin.net',
    path: '/v1.0/calls',
    search: '',
    authorization: `Bearer ${TOKEN}`,
    contentType: 'application/json',
    body: QUICKSTART,
  });
  expect(output.result.groupcalls).toEqual([]);
  expect(output.result.calls).toHaveLength(1);
  // Normalised: nil UUIDs and empty enums are null, the old timestamp format is ISO 8601 UTC.
  expect(output.result.calls[0]).toMatchObject({
    id: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
    status: 'dialing',
    direction: 'outgoing',
    master_call_id: null,
    recording_id: null,
    hangup_by: null,
    hangup_reason: null,
    tm_create: '2026-01-15T09:30:00.000000Z',
    tm_hangup: null,
    source: { type: 'tel', target: '+821028286521', target_name: null },
    destination: { type: 'tel', target: '+821021656521', target_name: null },
    action: { id: '00000000-0000-0000-0000-000000000001', next_id: null, type: null },
  });
}
