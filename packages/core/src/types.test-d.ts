import { describe, expectTypeOf, it } from 'vitest';
import {
  type Action,
  action,
  type Call,
  type CallStatus,
  type CreateCallRequest,
  type CreateCallResult,
  createClient,
  type Event,
  type Page,
  talk,
} from './index.ts';

describe('inferred types', () => {
  it('types a normalised call: unset is null, enums stay open', () => {
    expectTypeOf<Call['id']>().toEqualTypeOf<string>();
    expectTypeOf<Call['tm_create']>().toEqualTypeOf<string | null>();
    expectTypeOf<Call['chained_call_ids']>().toEqualTypeOf<string[]>();
    expectTypeOf<'dialing'>().toExtend<Call['status']>();
    expectTypeOf<CallStatus>().toExtend<Call['status']>();
    expectTypeOf<'a-status-from-2030'>().toExtend<Call['status']>();
    expectTypeOf<Call['hangup_reason']>().toExtend<string | null>();
  });

  it('requires a source and destinations in a call request', () => {
    expectTypeOf<CreateCallRequest>().toHaveProperty('source');
    expectTypeOf<CreateCallRequest['destinations']>().toBeArray();
    // @ts-expect-error a tel address needs its target
    const bad: CreateCallRequest = { source: { type: 'tel' }, destinations: [], actions: [] };
    void bad;
  });

  it('builds typed actions', () => {
    expectTypeOf(talk({ text: 'Hi' })).toExtend<Action>();
    expectTypeOf(action('answer')).toEqualTypeOf<Extract<Action, { type: 'answer' }>>();
    expectTypeOf(action('digits_receive', { duration: 5000, length: 4 })).toExtend<Action>();
    // @ts-expect-error talk needs its text
    action('talk');
    // @ts-expect-error sleep takes a duration, not a text
    action('sleep', { text: 'zzz' });
  });

  it('returns typed results from the client', () => {
    const client = createClient();
    expectTypeOf(client.calls.create).returns.toEqualTypeOf<Promise<CreateCallResult>>();
    expectTypeOf(client.calls.get).returns.resolves.toEqualTypeOf<Call>();
    expectTypeOf(client.calls.list).returns.resolves.toEqualTypeOf<Page<Call>>();
    expectTypeOf(client.calls.iterate()).toExtend<AsyncIterable<Call>>();
  });

  it('narrows an event by its kind', () => {
    const event = {} as Event;
    if (event.kind === 'call') expectTypeOf(event.data).toEqualTypeOf<Call>();
  });
});
