import { describe, expect, it } from 'vitest';
import {
  CreateCallRequestSchema,
  check,
  createClient,
  normalize,
  TalkActionSchema,
} from '../src/index.ts';
import { DESTINATION_NUMBER, quickstartExamples, SOURCE_NUMBER } from './support/quickstart.ts';
import { json, stubFetch } from './support/voipbin.ts';

const examples = quickstartExamples();

/** The quickstart's 2023 answer written as VoIPBIN answers today: wrapped, ISO times, unset times left out. */
function asAnsweredToday(call: Record<string, unknown>) {
  const today = Object.fromEntries(
    Object.entries(call)
      .filter(([key, value]) => !(key.startsWith('tm_') && String(value).startsWith('9999-')))
      .map(([key, value]) => [key, key.startsWith('tm_') ? normalize(value) : value]),
  );
  return { calls: [today], groupcalls: [] };
}

describe('the quickstart', () => {
  it('has the two requests this project starts from', () => {
    expect(examples.map((e) => e.title)).toEqual([
      'Make your first voice call with manual actions',
      'Make your first voice call with existing flow',
    ]);
  });

  describe.each(examples)('$title', ({ url, request, response }) => {
    it('validates', () => {
      expect(check(CreateCallRequestSchema, request)).toMatchObject({
        success: true,
        output: request,
      });
      expect(request).toMatchObject({
        source: { type: 'tel', target: SOURCE_NUMBER },
        destinations: [{ type: 'tel', target: DESTINATION_NUMBER }],
      });
    });

    it('is sent exactly as given: POST /v1.0/calls, the token, the same JSON body', async () => {
      const stub = stubFetch(json(response));
      const token = url.searchParams.get('token') ?? '';
      const client = createClient({
        baseURL: `${url.origin}/v1.0`,
        token,
        fetch: stub.fetch,
        actions: [TalkActionSchema],
      });
      await client.calls.create(request as never);

      expect(stub.requests).toHaveLength(1);
      const [sent] = stub.requests;
      expect(sent?.method).toBe('POST');
      expect(`${sent?.url.origin}${sent?.url.pathname}`).toBe(`${url.origin}${url.pathname}`);
      // The client sends a JWT as a header, so it stays out of URLs and access logs.
      expect(sent?.headers.get('authorization')).toBe(`Bearer ${token}`);
      expect(sent?.headers.get('content-type')).toBe('application/json');
      expect(sent?.body).toEqual(request);
    });

    it("reads the 2023 bare array and today's { calls, groupcalls } to the same normalised result", async () => {
      const stub = stubFetch(
        json(response),
        json(asAnsweredToday(response[0] as Record<string, unknown>)),
      );
      const client = createClient({
        token: 'test-token',
        fetch: stub.fetch,
        actions: [TalkActionSchema],
      });
      const old = await client.calls.create(request as never);
      const today = await client.calls.create(request as never);

      expect(old).toEqual(today);
      expect(old.groupcalls).toEqual([]);
      expect(old.calls[0]).toMatchObject({
        id: 'e2a65df2-4e50-4e37-8628-df07b3cec579',
        type: 'flow',
        status: 'dialing',
        master_call_id: null,
        recording_id: null,
        chained_call_ids: [],
        source: {
          type: 'tel',
          target: '+821028286521',
          target_name: null,
          name: null,
          detail: null,
        },
        action: { id: '00000000-0000-0000-0000-000000000001', next_id: null, type: null },
        direction: 'outgoing',
        hangup_by: null,
        hangup_reason: null,
        tm_create: '2023-03-28T12:00:05.248732Z',
        tm_ringing: null,
        tm_progressing: null,
        tm_hangup: null,
        tm_update: null,
        tm_delete: null,
      });
    });
  });
});
