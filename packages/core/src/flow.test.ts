import { describe, expect, it } from 'vitest';
import { CreateFlowRequestSchema, FlowSchema } from './flow.ts';
import { check } from './validate.ts';

const ID = 'a1b2c3d4-e5f6-7890-1234-567890abcdef';
const STEP = '550e8400-e29b-41d4-a716-446655440000';

const answered = {
  id: ID,
  customer_id: '7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d',
  type: 'flow',
  name: 'Inbound Call Handler',
  detail: '',
  actions: [
    {
      id: STEP,
      next_id: '00000000-0000-0000-0000-000000000000',
      type: 'talk',
      option: { text: 'Hi' },
    },
    { id: '6f7a8b9c-0d1e-2345-f012-345678901234', type: 'ai_dance', option: { tempo: 'fast' } },
  ],
  direct_hash: '',
  on_complete_flow_id: '00000000-0000-0000-0000-000000000000',
  tm_create: '2023-03-28 12:00:05.248732',
  tm_update: '2026-01-15T09:30:00.000000Z',
  tm_delete: '9999-01-01 00:00:00.000000',
  persist: true,
};

function parse(input: unknown) {
  const result = check(FlowSchema, input);
  if (!result.success) throw new Error(JSON.stringify(result.issues));
  return result.output;
}

describe('FlowSchema', () => {
  it('normalises a flow and reads each step tolerantly', () => {
    expect(parse(answered)).toEqual({
      id: ID,
      customer_id: '7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d',
      type: 'flow',
      name: 'Inbound Call Handler',
      detail: '',
      actions: [
        { id: STEP, next_id: null, type: 'talk', option: { text: 'Hi' }, tm_execute: null },
        {
          id: '6f7a8b9c-0d1e-2345-f012-345678901234',
          next_id: null,
          type: 'ai_dance',
          option: { tempo: 'fast' },
          tm_execute: null,
        },
      ],
      direct_hash: null,
      on_complete_flow_id: null,
      tm_create: '2023-03-28T12:00:05.248732Z',
      tm_update: '2026-01-15T09:30:00.000000Z',
      tm_delete: null,
    });
  });

  it('keeps the name and detail as strings, even when empty or left out', () => {
    const flow = parse({ id: ID, name: null });
    expect(flow).toMatchObject({ name: '', detail: '', actions: [], type: null });
  });

  it("reads Go's null list of actions as an empty list", () => {
    expect(parse({ ...answered, actions: null }).actions).toEqual([]);
  });

  it('reads direct_hash as free text: kept as written, null only when empty', () => {
    for (const hash of ['2024-05-01 10:00:00', '00000000-0000-0000-0000-000000000000'])
      expect(parse({ ...answered, direct_hash: hash }).direct_hash).toBe(hash);
  });

  it('keeps a flow type it does not know', () => {
    expect(parse({ ...answered, type: 'survey' }).type).toBe('survey');
  });

  it('fails without an id', () => {
    const { id: _id, ...withoutId } = answered;
    const result = check(FlowSchema, withoutId);
    expect(result).toEqual({ success: false, issues: [{ path: 'id', message: 'Required' }] });
  });
});

describe('CreateFlowRequestSchema', () => {
  const request = {
    name: 'Greeting',
    detail: 'Says hello and hangs up',
    actions: [
      { id: STEP, next_id: ID, type: 'talk', option: { text: 'Hello' } },
      { id: ID, type: 'hangup' },
    ],
  };

  it('accepts a flow of valid actions unchanged', () => {
    expect(check(CreateFlowRequestSchema, request)).toEqual({ success: true, output: request });
  });

  it('checks every action against its type', () => {
    const result = check(CreateFlowRequestSchema, {
      ...request,
      actions: [...request.actions, { type: 'play', option: { stream_urls: [] } }],
    });
    expect(result).toEqual({
      success: false,
      issues: [
        { path: 'actions.2.option.stream_urls', message: 'Expected at least one stream URL' },
      ],
    });
  });

  it.each([
    ['name', { detail: '', actions: [] }],
    ['detail', { name: 'x', actions: [] }],
    ['actions', { name: 'x', detail: '' }],
  ])('requires %s', (field, input) => {
    expect(check(CreateFlowRequestSchema, input)).toEqual({
      success: false,
      issues: [{ path: field, message: 'Required' }],
    });
  });

  it('rejects a name over 255 characters and an on_complete_flow_id that is not a UUID', () => {
    const result = check(CreateFlowRequestSchema, {
      ...request,
      name: 'x'.repeat(256),
      on_complete_flow_id: 'next',
    });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.issues.map((issue) => issue.path)).toEqual(['name', 'on_complete_flow_id']);
    }
  });
});
