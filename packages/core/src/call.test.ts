import { describe, expect, it } from 'vitest';
import { CallSchema } from './call.ts';
import { check } from './validate.ts';

/** The call VoIPBIN answers in quickstart-call.rst (2023: sentinels, no zone on timestamps). */
const quickstartCall = {
  id: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
  customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
  flow_id: '6cbaa351-b112-452d-84c2-01488671013d',
  type: 'flow',
  master_call_id: '00000000-0000-0000-0000-000000000000',
  chained_call_ids: [],
  recording_id: '00000000-0000-0000-0000-000000000000',
  recording_ids: [],
  source: { type: 'tel', target: '+821028286521', target_name: '', name: '', detail: '' },
  destination: { type: 'tel', target: '+821021656521', target_name: '', name: '', detail: '' },
  status: 'dialing',
  action: {
    id: '00000000-0000-0000-0000-000000000001',
    next_id: '00000000-0000-0000-0000-000000000000',
    type: '',
  },
  direction: 'outgoing',
  hangup_by: '',
  hangup_reason: '',
  tm_progressing: '9999-01-01 00:00:00.000000',
  tm_ringing: '9999-01-01 00:00:00.000000',
  tm_hangup: '9999-01-01 00:00:00.000000',
  tm_create: '2023-03-28 12:00:05.248732',
  tm_update: '9999-01-01 00:00:00.000000',
  tm_delete: '9999-01-01 00:00:00.000000',
};

/** A call as VoIPBIN answers today: ISO timestamps, unset ones left out. */
const currentCall = {
  id: '550e8400-e29b-41d4-a716-446655440000',
  customer_id: '7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d',
  owner_type: 'agent',
  owner_id: 'c2d3e4f5-a6b7-8901-2cde-f01234567890',
  flow_id: 'a1b2c3d4-e5f6-7890-1234-567890abcdef',
  activeflow_id: 'd4e5f6a7-b8c9-0123-4567-890abcdef012',
  type: 'flow',
  source: { type: 'tel', target: '+14155551234' },
  destination: { type: 'tel', target: '+14155550000' },
  status: 'hangup',
  direction: 'outgoing',
  mute_direction: '',
  hangup_by: 'remote',
  hangup_reason: 'normal',
  metadata: { rtp_debug: true },
  tm_progressing: '2026-01-15T09:30:04.000000Z',
  tm_ringing: '2026-01-15T09:30:01.000000Z',
  tm_hangup: '2026-01-15T09:31:00.000000Z',
  tm_create: '2026-01-15T09:30:00.000000Z',
  tm_update: '2026-01-15T09:31:00.000000Z',
};

function parse(input: unknown) {
  const result = check(CallSchema, input);
  if (!result.success) throw new Error(JSON.stringify(result.issues));
  return result.output;
}

describe('CallSchema', () => {
  it("normalises the quickstart's call: every unset is null, tm_create is ISO 8601", () => {
    expect(parse(quickstartCall)).toEqual({
      id: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
      customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
      owner_type: null,
      owner_id: null,
      flow_id: '6cbaa351-b112-452d-84c2-01488671013d',
      activeflow_id: null,
      type: 'flow',
      master_call_id: null,
      chained_call_ids: [],
      recording_id: null,
      recording_ids: [],
      groupcall_id: null,
      source: { type: 'tel', target: '+821028286521', target_name: null, name: null, detail: null },
      destination: {
        type: 'tel',
        target: '+821021656521',
        target_name: null,
        name: null,
        detail: null,
      },
      status: 'dialing',
      action: {
        id: '00000000-0000-0000-0000-000000000001',
        next_id: null,
        type: null,
        option: null,
        tm_execute: null,
      },
      direction: 'outgoing',
      mute_direction: null,
      hangup_by: null,
      hangup_reason: null,
      metadata: null,
      tm_progressing: null,
      tm_ringing: null,
      tm_hangup: null,
      tm_create: '2023-03-28T12:00:05.248732Z',
      tm_update: null,
      tm_delete: null,
    });
  });

  it('reads a current answer, where unset timestamps are left out, the same way', () => {
    const call = parse(currentCall);
    expect(call).toMatchObject({
      status: 'hangup',
      hangup_by: 'remote',
      hangup_reason: 'normal',
      mute_direction: null,
      metadata: { rtp_debug: true },
      tm_create: '2026-01-15T09:30:00.000000Z',
      tm_hangup: '2026-01-15T09:31:00.000000Z',
      tm_delete: null,
      action: null,
      master_call_id: null,
      chained_call_ids: [],
      recording_ids: [],
    });
  });

  it('gives every field of the call a value, never undefined', () => {
    const call = parse({ id: currentCall.id, status: 'dialing', source: {}, destination: {} });
    for (const [field, value] of Object.entries(call)) {
      expect(value, field).not.toBeUndefined();
    }
  });

  it("reads Go's null lists as empty lists", () => {
    const call = parse({ ...quickstartCall, chained_call_ids: null, recording_ids: null });
    expect(call.chained_call_ids).toEqual([]);
    expect(call.recording_ids).toEqual([]);
  });

  it('keeps the ids in its lists', () => {
    const ids = ['550e8400-e29b-41d4-a716-446655440000', 'e5f6a7b8-c9d0-1234-5678-90abcdef0123'];
    const call = parse({ ...quickstartCall, chained_call_ids: ids, recording_ids: ids.slice(1) });
    expect(call.chained_call_ids).toEqual(ids);
    expect(call.recording_ids).toEqual(ids.slice(1));
  });

  it('drops fields it does not know', () => {
    const call = parse({ ...quickstartCall, rtp_port: 10000, internal: { a: 1 } });
    expect(call).not.toHaveProperty('rtp_port');
    expect(call).not.toHaveProperty('internal');
  });

  it('keeps enum values it does not know as the raw strings', () => {
    const call = parse({
      ...currentCall,
      type: 'ai-call',
      status: 'transferring',
      direction: 'internal',
      mute_direction: 'all',
      hangup_by: 'system',
      hangup_reason: 'blocked',
      owner_type: 'team',
    });
    expect(call).toMatchObject({
      type: 'ai-call',
      status: 'transferring',
      direction: 'internal',
      mute_direction: 'all',
      hangup_by: 'system',
      hangup_reason: 'blocked',
      owner_type: 'team',
    });
  });

  it('reads the current action, keeping an action type it does not know', () => {
    const call = parse({
      ...currentCall,
      action: {
        id: '550e8400-e29b-41d4-a716-446655440000',
        type: 'ai_dance',
        option: { tempo: 'fast' },
        tm_execute: '2026-01-15T09:30:05.000000Z',
      },
    });
    expect(call.action).toEqual({
      id: '550e8400-e29b-41d4-a716-446655440000',
      next_id: null,
      type: 'ai_dance',
      option: { tempo: 'fast' },
      tm_execute: '2026-01-15T09:30:05.000000Z',
    });
  });

  it('reads null for a call that has no action, metadata or group call', () => {
    const call = parse({ ...currentCall, action: null, metadata: null, groupcall_id: null });
    expect(call).toMatchObject({ action: null, metadata: null, groupcall_id: null });
  });

  it('reads owner_type as free text, not as a timestamp', () => {
    const call = parse({ ...currentCall, owner_type: '2024-05-01 10:00:00' });
    expect(call.owner_type).toBe('2024-05-01 10:00:00');
  });

  it.each([
    ['without an id', { ...quickstartCall, id: undefined }, 'id'],
    ['with an empty id', { ...quickstartCall, id: '' }, 'id'],
    ['without a status', { ...quickstartCall, status: undefined }, 'status'],
    ['with a numeric status', { ...quickstartCall, status: 3 }, 'status'],
    // VoIPBIN always writes both addresses; the gateway promises them (`Address!`).
    ['without a source', { ...quickstartCall, source: undefined }, 'source'],
    ['without a destination', { ...quickstartCall, destination: undefined }, 'destination'],
    ['with a null source', { ...quickstartCall, source: null }, 'source'],
    [
      'with a list of ids that is not a list',
      { ...quickstartCall, recording_ids: 'a,b' },
      'recording_ids',
    ],
  ])('fails %s', (_, input, path) => {
    const result = check(CallSchema, input);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.issues.map((issue) => issue.path)).toContain(path);
  });

  it('fails on something that is not a call', () => {
    expect(check(CallSchema, null).success).toBe(false);
    expect(check(CallSchema, [quickstartCall]).success).toBe(false);
    expect(check(CallSchema, 'e2a65df2-4e50-4e37-8628-df07b3cec579').success).toBe(false);
  });
});
