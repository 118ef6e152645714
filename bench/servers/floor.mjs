// Case F, the I/O floor of a gateway on Node: node:http in, one undici `request` to the emulator
// per request (the quickstart's body, on a keep-alive pool as the gateway's), the answer's JSON
// parsed and a small JSON written back. No GraphQL, no validation, no protections: what any
// Node gateway that calls VoIPBIN over HTTP pays at least. B − F is what GraphQL and the
// gateway's checks cost. Reads PORT, VOIPBIN_BASE_URL and VOIPBIN_ACCESS_KEY as the gateway does.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const dispatcher = new Agent();
const upstream = `${process.env.VOIPBIN_BASE_URL}/calls?accesskey=${encodeURIComponent(process.env.VOIPBIN_ACCESS_KEY ?? '')}`;
const QUICKSTART = JSON.stringify({
  source: { type: 'tel', target: '+821028286521' },
  destinations: [{ type: 'tel', target: '+821021656521' }],
  actions: [
    {
      type: 'talk',
      option: {
        text: 'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.',
        gender: 'female',
        language: 'en-US',
      },
    },
  ],
});

/** The request's body, read with the cheapest API node:http has. */
function read(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function place(req, res) {
  JSON.parse(await read(req));
  const answer = await request(upstream, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: QUICKSTART,
  });
  const { calls } = JSON.parse(await answer.body.text());
  const body = JSON.stringify({
    data: { createCall: { calls: calls.map(({ id, status }) => ({ id, status })) } },
  });
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
}

const server = createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  place(req, res).catch((error) => {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
