import { describe, expect, it } from 'vitest';
import { normalisedWebhookCall, webhookCall } from '../test/support/event-fixtures.ts';
import { CALL_EVENT_TYPES, EventSchema } from './event.ts';
import { GroupcallSchema } from './groupcall.ts';
import { check } from './validate.ts';

const call = webhookCall;

const groupcall = {
  id: '5e6f7a8b-9c0d-1234-ef01-234567890123',
  status: 'progressing',
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'extension', target_name: 'reception' }],
  ring_method: 'ring_all',
  call_ids: ['550e8400-e29b-41d4-a716-446655440000'],
  tm_create: '2026-01-15T09:30:00.000000Z',
};

const normalisedCall = normalisedWebhookCall;
const normalisedGroupcall = (() => {
  const result = check(GroupcallSchema, groupcall);
  if (!result.success) throw new Error('fixture');
  return result.output;
})();

function parse(input: unknown) {
  const result = check(EventSchema, input);
  if (!result.success) throw new Error(JSON.stringify(result.issues));
  return result.output;
}

describe('EventSchema', () => {
  it('reads a wrapped call event (webhook, legacy frame) with its type and the normalised call', () => {
    expect(parse({ type: 'call_hangup', data: call })).toEqual({
      kind: 'call',
      type: 'call_hangup',
      data: normalisedCall,
    });
    expect(normalisedCall).toMatchObject({ chained_call_ids: [], tm_delete: null });
  });

  it('lists the eight call events VoIPBIN sends (cm models/call/event.go)', () => {
    expect(CALL_EVENT_TYPES).toEqual([
      'call_created',
      'call_ringing',
      'call_progressing',
      'call_updated',
      'call_terminating',
      'call_canceling',
      'call_hangup',
      'call_deleted',
    ]);
  });

  it.each([
    ...CALL_EVENT_TYPES,
    // Newer types VoIPBIN may add: kept as an open string, never an error.
    'call_whatever',
    'call_recording_started',
  ])('reads the wrapped call event %s as kind call', (type) => {
    expect(parse({ type, data: call })).toMatchObject({ kind: 'call', type });
  });

  it('types the data of an event by its kind', () => {
    const event = parse({ type: 'call_hangup', data: call });
    if (event.kind !== 'call') throw new Error('expected a call event');
    // Compiles only while `data` is typed as a call, not as `Call | undefined`.
    const status: string = event.data.status;
    expect(status).toBe('hangup');
  });

  it('reads a bare call (newer frames) as kind call with no event type', () => {
    expect(parse(call)).toEqual({ kind: 'call', type: null, data: normalisedCall });
  });

  it('reads a bare group call, told by its call_ids, as kind groupcall', () => {
    expect(parse(groupcall)).toEqual({ kind: 'groupcall', type: null, data: normalisedGroupcall });
  });

  it('reads a wrapped group call event as kind groupcall', () => {
    expect(parse({ type: 'groupcall_created', data: groupcall })).toEqual({
      kind: 'groupcall',
      type: 'groupcall_created',
      data: normalisedGroupcall,
    });
  });

  it('keeps a wrapped event of a resource it does not know as it came', () => {
    const data = { id: 'a1b2c3d4-e5f6-7890-1234-567890abcdef', name: 'Weekly sync', status: '' };
    expect(parse({ type: 'conference_created', data })).toEqual({
      kind: 'unknown',
      type: 'conference_created',
      data,
    });
  });

  it.each(['foo_created', 'call.outbound_whitelist_rejected'])(
    'reads an event of a type it does not know (%s) as kind unknown, without throwing',
    (type) => {
      const data = { id: 'a1b2c3d4-e5f6-7890-1234-567890abcdef', reason: 'not whitelisted' };
      expect(() => check(EventSchema, { type, data })).not.toThrow();
      expect(parse({ type, data })).toEqual({ kind: 'unknown', type, data });
    },
  );

  it('does not read a wrapped event as a call when only the data is a call', () => {
    expect(parse({ type: 'recording_started', data: call })).toMatchObject({ kind: 'unknown' });
  });

  it.each([
    ['null', null],
    ['a string', 'call_hangup'],
    ['an object with neither a type nor an id', { status: 'hangup' }],
    ['a wrapped event without data', { type: 'call_hangup' }],
  ])('fails on %s', (_, input) => {
    expect(check(EventSchema, input).success).toBe(false);
  });
});
