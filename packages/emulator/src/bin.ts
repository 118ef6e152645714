#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createEmulator, DEFAULT_CUSTOMER_ID } from './create.ts';
import { listen } from './node.ts';
import { WS_FRAMES, type WsFrames } from './sockets.ts';
import { TEST_NUMBERS } from './test-numbers.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '9000' },
    host: { type: 'string', default: '127.0.0.1' },
    speed: { type: 'string', default: '1' },
    webhook: { type: 'string' },
    'webhook-secret': { type: 'string' },
    customer: { type: 'string' },
    'ws-frames': { type: 'string', default: 'bare' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`voipbin-emulator: a local VoIPBIN-compatible call API

  --port, -p <n>       port (default 9000, or $PORT)
  --host <addr>        address to listen on (default 127.0.0.1)
  --speed <x>          run call lifecycles x times faster than real time (default 1)
  --webhook <url>      POST every call event { type, data } to this URL
  --webhook-secret <s> sign each webhook: X-VoIPBIN-Signature: sha256=<HMAC-SHA256 hex>
  --customer <uuid>    customer id of every call (default the quickstart's)
  --ws-frames <shape>  frames of the event WebSocket (/v1.0/ws): bare (the call alone, as
                       VoIPBIN sends them; the default), wrapped ({ type, data }, older
                       servers') or mixed (the two in turn)`);
  process.exit(0);
}

const speed = Number(values.speed);
const port = Number(values.port);
const fail = (message: string) => {
  console.error(`voipbin-emulator: ${message} (see --help)`);
  process.exit(2);
};
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be 0 to 65535, not "${values.port}"`);
if (!(speed > 0)) fail(`--speed must be a number > 0, not "${values.speed}"`);
const wsFrames = values['ws-frames'] as WsFrames;
if (!WS_FRAMES.includes(wsFrames))
  fail(`--ws-frames must be ${WS_FRAMES.join(', ')}, not "${values['ws-frames']}"`);
const emulator = createEmulator({
  clock: { speed },
  wsFrames,
  ...(values.webhook ? { webhookUrl: values.webhook } : {}),
  ...(values['webhook-secret'] ? { webhookSecret: values['webhook-secret'] } : {}),
  ...(values.customer ? { customerId: values.customer } : {}),
});
const running = await listen(emulator, { port, hostname: values.host });

console.log(
  `VoIPBIN emulator listening on ${running.url} (clock x${speed}; any non-empty token or access key)`,
);
console.log(
  `  events: ${running.url.replace(/^http/, 'ws')}/ws?token=test (${wsFrames} frames), then send {"type":"subscribe","topics":["customer_id:${values.customer ?? DEFAULT_CUSTOMER_ID}:call"]}`,
);
console.log(
  `  try: curl -X POST '${running.url}/calls?token=test' -H 'Content-Type: application/json' \\`,
);
console.log(
  `         -d '{"source":{"type":"tel","target":"+821028286521"},"destinations":[{"type":"tel","target":"+821021656521"}],"actions":[{"type":"talk","option":{"text":"Hello"}}]}'`,
);
console.log(
  `  test numbers: ${Object.entries(TEST_NUMBERS)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ')}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
