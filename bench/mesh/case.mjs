// Case D for bench/run.mjs: starts start.mjs (Hive Gateway on the supergraph Mesh composes from
// the OpenAPI spec) in front of the benchmark's emulator, and says what autocannon sends.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { body } from './mutation.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function start({ emulatorUrl, freePort, start: spawnServer }) {
  const port = await freePort();
  const server = await spawnServer('mesh', process.execPath, [join(here, 'start.mjs')], {
    env: { PORT: String(port), UPSTREAM: emulatorUrl },
    // start.mjs's own signal, printed once Hive Gateway's /readiness answers 200.
    ready: /^mesh gateway ready on /m,
  });
  return {
    ...server,
    url: `http://127.0.0.1:${port}/graphql`,
    request: { method: 'POST', headers: { 'content-type': 'application/json' }, body },
    // An upstream error comes back as `post_calls { error }` with HTTP 200: only calls count.
    verify: (text) => text.includes('"calls":[{"id"') && !text.includes('"errors"'),
  };
}
