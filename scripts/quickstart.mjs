// Places the VoIPBIN quickstart's call through @voipbin-kit/core against a local stub of
// VoIPBIN's API, and prints what was sent and what came back. No account, no network.
import { createClient, talk } from '@voipbin-kit/core';

/** A stand-in for `POST /v1.0/calls` that answers as VoIPBIN does, one call per destination. */
async function stubVoipbin(input, init) {
  const request = new Request(input, init);
  const body = await request.json();
  console.log(`-> ${request.method} ${new URL(request.url).pathname}`);
  console.log(JSON.stringify(body, null, 2));
  const now = new Date().toISOString().replace('Z', '000Z');
  const calls = body.destinations.map((destination) => ({
    id: crypto.randomUUID(),
    customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
    flow_id: crypto.randomUUID(),
    type: 'flow',
    master_call_id: '00000000-0000-0000-0000-000000000000',
    chained_call_ids: [],
    recording_id: '00000000-0000-0000-0000-000000000000',
    recording_ids: [],
    source: { ...body.source, target_name: '', name: '', detail: '' },
    destination: { ...destination, target_name: '', name: '', detail: '' },
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
    tm_create: now,
  }));
  return Response.json({ calls, groupcalls: [] });
}

const voipbin = createClient({ token: 'your-voipbin-token', fetch: stubVoipbin });
const result = await voipbin.calls.create({
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [
    talk({
      text: 'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.',
      gender: 'female',
      language: 'en-US',
    }),
  ],
});
console.log('<- the call, normalised by @voipbin-kit/core (unset is null, times are ISO 8601):');
console.log(JSON.stringify(result, null, 2));
