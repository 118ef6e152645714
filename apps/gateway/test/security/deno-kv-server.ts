/**
 * Run by store-deno-kv.test.ts in real Deno (`deno run --unstable-kv`): the Deno KV store on
 * `Deno.openKv(':memory:')`, its operations served as JSON on a loopback port, so that the store
 * contract (written for vitest, in Node) runs against it. `POST /` with `{ prefix, op, args }`
 * answers `{ result }` or `{ error: { name, message } }`; each prefix is a store of its own.
 */

import type { Store } from '../../src/security/store.ts';
import { createDenoKvStore, type Kv } from '../../src/security/store-deno-kv.ts';

declare const Deno: {
  openKv(path?: string): Promise<Kv>;
  serve(
    options: { port: number; hostname: string; onListen: (address: { port: number }) => void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

const kv = await Deno.openKv(':memory:');
const stores = new Map<string, Store>();
const OPS = ['take', 'setIfAbsent', 'get', 'set', 'delete', 'indexAdd', 'indexPage'] as const;

Deno.serve(
  {
    port: 0,
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`Deno KV store on http://127.0.0.1:${port}`),
  },
  async (request) => {
    const { prefix, op, args } = (await request.json()) as {
      prefix: string;
      op: (typeof OPS)[number];
      args: unknown[];
    };
    if (!OPS.includes(op)) return Response.json({ error: { name: 'TypeError', message: op } });
    const store = stores.get(prefix) ?? createDenoKvStore(kv, { prefix });
    stores.set(prefix, store);
    try {
      // JSON has no undefined (indexPage's `before`): null stands for it.
      const run = store[op] as (...args: unknown[]) => Promise<unknown>;
      const result = await run(...args.map((arg) => (arg === null ? undefined : arg)));
      return Response.json({ result: result ?? null });
    } catch (error) {
      const { name, message } = error as Error;
      return Response.json({ error: { name, message } });
    }
  },
);
