import { describe, expect, it } from 'vitest';
import { CreateCallRequestSchema, check, createClient, TalkActionSchema } from '../src/index.ts';
import { currentQuickstart, SOURCE_NUMBER } from './support/quickstart.ts';
import { json, stubFetch } from './support/voipbin.ts';

/** VoIPBIN's current quickstart: an extension called by name, answered with a group call. */
describe("VoIPBIN's current quickstart (quickstart_call.rst at 2bf22fa)", () => {
  const { url, request, response } = currentQuickstart();

  it('is the extension request, checked as it is', () => {
    expect(request).toMatchObject({
      source: { type: 'tel', target: SOURCE_NUMBER },
      destinations: [{ type: 'extension', target_name: 'quickstart-phone' }],
      actions: [{ type: 'talk', option: { language: 'en-US' } }],
    });
    expect(check(CreateCallRequestSchema, request)).toMatchObject({
      success: true,
      output: request,
    });
  });

  it('is sent verbatim, and its groupcalls answer is read with the leg to follow', async () => {
    const stub = stubFetch(json(response));
    const token = url.searchParams.get('token') ?? '';
    const client = createClient({
      baseURL: `${url.origin}/v1.0`,
      token,
      fetch: stub.fetch,
      actions: [TalkActionSchema],
    });
    const result = await client.calls.create(request as never);

    const [sent] = stub.requests;
    expect(`${sent?.method} ${sent?.url.origin}${sent?.url.pathname}`).toBe(
      `POST ${url.origin}${url.pathname}`,
    );
    expect(sent?.body).toEqual(request);
    expect(result.calls).toEqual([]);
    expect(result.groupcalls).toHaveLength(1);
    expect(result.groupcalls[0]).toMatchObject({
      id: response.groupcalls[0]?.id,
      status: 'progressing',
      ring_method: 'ring_all',
      answer_method: 'hangup_others',
      call_ids: response.groupcalls[0]?.call_ids,
      destinations: [{ type: 'extension', target_name: 'quickstart-phone' }],
    });
  });
});
