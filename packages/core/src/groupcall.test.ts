import { describe, expect, it } from 'vitest';
import { GroupcallSchema } from './groupcall.ts';
import { check } from './validate.ts';

/** What calling an extension answers in `groupcalls`: one group call ringing two legs. */
const answered = {
  id: '5e6f7a8b-9c0d-1234-ef01-234567890123',
  customer_id: '7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d',
  owner_type: '',
  owner_id: '00000000-0000-0000-0000-000000000000',
  status: 'progressing',
  flow_id: 'a1b2c3d4-e5f6-7890-1234-567890abcdef',
  source: { type: 'tel', target: '+14155551234', target_name: '', name: '', detail: '' },
  destinations: [{ type: 'extension', target: '', target_name: 'reception', name: '', detail: '' }],
  master_call_id: '00000000-0000-0000-0000-000000000000',
  master_groupcall_id: '00000000-0000-0000-0000-000000000000',
  ring_method: 'ring_all',
  answer_method: 'hangup_others',
  answer_call_id: '00000000-0000-0000-0000-000000000000',
  call_ids: ['550e8400-e29b-41d4-a716-446655440000', '4d5e6f7a-8b9c-0123-def0-123456789012'],
  answer_groupcall_id: '00000000-0000-0000-0000-000000000000',
  groupcall_ids: null,
  call_count: 2,
  groupcall_count: 0,
  dial_index: 0,
  tm_create: '2026-01-15T09:30:00.000000Z',
  tm_update: '2026-01-15T09:30:00.000000Z',
  tm_delete: '9999-01-01 00:00:00.000000',
};

function parse(input: unknown) {
  const result = check(GroupcallSchema, input);
  if (!result.success) throw new Error(JSON.stringify(result.issues));
  return result.output;
}

describe('GroupcallSchema', () => {
  it('normalises a group call: unset ids and times are null, null lists are empty', () => {
    expect(parse(answered)).toEqual({
      id: '5e6f7a8b-9c0d-1234-ef01-234567890123',
      customer_id: '7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d',
      owner_type: null,
      owner_id: null,
      status: 'progressing',
      flow_id: 'a1b2c3d4-e5f6-7890-1234-567890abcdef',
      source: { type: 'tel', target: '+14155551234', target_name: null, name: null, detail: null },
      destinations: [
        { type: 'extension', target: null, target_name: 'reception', name: null, detail: null },
      ],
      master_call_id: null,
      master_groupcall_id: null,
      ring_method: 'ring_all',
      answer_method: 'hangup_others',
      answer_call_id: null,
      call_ids: ['550e8400-e29b-41d4-a716-446655440000', '4d5e6f7a-8b9c-0123-def0-123456789012'],
      answer_groupcall_id: null,
      groupcall_ids: [],
      call_count: 2,
      groupcall_count: 0,
      dial_index: 0,
      tm_create: '2026-01-15T09:30:00.000000Z',
      tm_update: '2026-01-15T09:30:00.000000Z',
      tm_delete: null,
    });
  });

  it('keeps a dial index of 0 and reads a null one as null', () => {
    expect(parse(answered).dial_index).toBe(0);
    expect(parse({ ...answered, dial_index: null }).dial_index).toBeNull();
  });

  it('reads a null source and null lists of a group call', () => {
    const groupcall = parse({ ...answered, source: null, destinations: null, call_ids: null });
    expect(groupcall).toMatchObject({ source: null, destinations: [], call_ids: [] });
  });

  it('keeps enum values it does not know and drops fields it does not know', () => {
    const groupcall = parse({
      ...answered,
      status: 'paused',
      ring_method: 'round_robin',
      answer_method: 'keep_all',
      shard: 7,
    });
    expect(groupcall).toMatchObject({
      status: 'paused',
      ring_method: 'round_robin',
      answer_method: 'keep_all',
    });
    expect(groupcall).not.toHaveProperty('shard');
  });

  it('reads owner_type as free text, not as a timestamp', () => {
    expect(parse({ ...answered, owner_type: '2024-05-01 10:00:00' }).owner_type).toBe(
      '2024-05-01 10:00:00',
    );
  });

  it('reads a group call with only an id', () => {
    const groupcall = parse({ id: answered.id });
    expect(groupcall).toMatchObject({ status: null, source: null, call_ids: [], call_count: null });
  });

  it.each([
    ['without an id', { ...answered, id: undefined }],
    ['with a count that is not a number', { ...answered, call_count: '2' }],
    ['with call_ids that are not strings', { ...answered, call_ids: [1, 2] }],
  ])('fails %s', (_, input) => {
    expect(check(GroupcallSchema, input).success).toBe(false);
  });
});
