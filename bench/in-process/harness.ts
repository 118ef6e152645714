// Bundled and run by bench/in-process.mjs, one process per upstream; see there.
import { createHash } from 'node:crypto';
import { createGateway, readEnv } from '@voipbin-kit/gateway';
import { createNodeFetch } from '@voipbin-kit/gateway/runtime/node-fetch';
import { Response as PonyfillResponse, fetch as whatwgFetch } from '@whatwg-node/fetch';

const [upstream = 'canned', emulatorUrl = '', requestsArg = '20000', queryName = 'createCall'] =
  process.argv.slice(2);
const requests = Number(requestsArg);
const API_KEY = 'bench-api-key';
const TALK =
  'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.';
const QUERIES: Record<string, string> = {
  createCall: `mutation {
  createCall(input: {
    source: { type: TEL, target: "+821028286521" }
    destinations: [{ type: TEL, target: "+821021656521" }]
    actions: [{ talk: { text: "${TALK}", gender: FEMALE, language: "en-US" } }]
  }) { calls { id status direction source { type target } destination { type target } action { type } createdAt } groupcalls { id } }
}`,
  typename: '{ __typename }',
};
const body = JSON.stringify({ query: QUERIES[queryName] });

/** The emulator's answer to the quickstart, recorded once over HTTP: the canned upstream's. */
const recorded = new Uint8Array(
  await (
    await fetch(`${emulatorUrl}/calls?accesskey=k`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source: { type: 'tel', target: '+821028286521' },
        destinations: [{ type: 'tel', target: '+821021656521' }],
        actions: [{ type: 'talk', option: { text: TALK, gender: 'female', language: 'en-US' } }],
      }),
    })
  ).arrayBuffer(),
);
const canned = (async () =>
  new PonyfillResponse(recorded, {
    status: 200,
    headers: { 'content-type': 'application/json' },
  })) as unknown as typeof fetch;
const fetches: Record<string, typeof fetch> = {
  canned,
  undici: createNodeFetch(),
  global: fetch,
  whatwg: whatwgFetch as typeof fetch,
};

// Configured as the benchmark's case B configures the Node entry, and built as node.ts builds it.
const env = readEnv({
  NODE_ENV: 'production',
  VOIPBIN_BASE_URL: emulatorUrl,
  VOIPBIN_ACCESS_KEY: 'k',
  GATEWAY_API_KEY_HASHES: createHash('sha256').update(API_KEY).digest('hex'),
  GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
});
const gateway = createGateway({ ...env, client: { fetch: fetches[upstream] } });

// A Request as the Node entry's adapter hands Yoga: @whatwg-node's, one per request.
const { Request: PonyfillRequest } = await import('@whatwg-node/fetch');
const send = async () => {
  const response = await gateway.fetch(
    new PonyfillRequest('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'x-api-key': API_KEY,
      },
      body,
    }) as unknown as Request,
  );
  const text = await response.text();
  if (!text.startsWith('{"data":') || text.includes('"errors"')) throw new Error(text);
};

for (let i = 0; i < Math.min(3000, requests); i++) await send();
const cpu = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < requests; i++) await send();
const used = process.cpuUsage(cpu);
const wall = performance.now() - started;
console.log(
  JSON.stringify({
    upstream,
    query: queryName,
    requests,
    cpuMicros: (used.user + used.system) / requests,
    wallMicros: (wall * 1000) / requests,
  }),
);
process.exit(0);
