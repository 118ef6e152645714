/**
 * The shared helpers: a percentile by nearest rank, a Wrangler file read as wrangler reads it,
 * and a workerd config that serves a Worker with its bindings, Durable Objects and network.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpOk, startProcess } from '@voipbin-kit/process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  durableObjectsOf,
  findWorkerd,
  percentile,
  readWranglerConfig,
  workerdConfig,
} from '../index.mjs';

const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-kit-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('percentile', () => {
  it('takes the nearest rank of a sorted list, NaN for none', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([0, 0.5, 0.99, 1].map((p) => percentile(sorted, p))).toEqual([1, 51, 100, 100]);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('readWranglerConfig', () => {
  it('reads wrangler.toml as wrangler does: tables, arrays of tables, defaults', async () => {
    const dir = await tempDir();
    const path = join(dir, 'wrangler.toml');
    await writeFile(
      path,
      `name = "x" # a comment
main = "worker.ts"
compatibility_date = "2026-04-26"
minify = true

[alias]
"lru-cache" = "./lru.ts"

[define]
"DEBUG" = "false"

[[durable_objects.bindings]]
name = "STORE"
class_name = "Store"

[[durable_objects.bindings]]
name = "KV_LIKE"
class_name = "Plain"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Store"]

[[migrations]]
tag = "v2"
new_classes = ["Plain"]
`,
    );
    const config = await readWranglerConfig(path);
    expect(config).toMatchObject({
      compatibility_date: '2026-04-26',
      minify: true,
      alias: { 'lru-cache': './lru.ts' },
      define: { DEBUG: 'false' },
    });
    // Unset, wrangler keeps names (the budget script's default when it is undefined).
    expect(config.keep_names ?? true).toBe(true);
    expect(durableObjectsOf(config)).toEqual([
      { name: 'STORE', className: 'Store', sql: true },
      { name: 'KV_LIKE', className: 'Plain', sql: false },
    ]);
  });

  it('says which file is missing', async () => {
    const path = join(await tempDir(), 'wrangler.toml');
    await expect(readWranglerConfig(path)).rejects.toThrow(`${path} is missing`);
  });
});

describe('workerdConfig', () => {
  it('needs a directory for Durable Objects (workerd keeps no SQL in memory)', () => {
    expect(() =>
      workerdConfig({
        port: 1,
        compatibilityDate: '2026-04-26',
        durableObjects: [{ name: 'COUNTER', className: 'Counter', sql: true }],
      }),
    ).toThrow(/durableObjectsDir/);
  });

  it('serves worker.js in workerd with its text bindings, a SQLite Durable Object and loopback', async () => {
    const upstream = createServer((_, res) => res.end('from loopback'));
    upstream.listen(0, '127.0.0.1');
    await new Promise((resolve) => upstream.once('listening', resolve));
    const dir = await tempDir();
    try {
      const port = await freePort();
      const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
      await writeFile(
        join(dir, 'worker.js'),
        `import { DurableObject } from 'cloudflare:workers';
export class Counter extends DurableObject {
  count() {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS n (v INTEGER)');
    this.ctx.storage.sql.exec('INSERT INTO n VALUES (1)');
    return this.ctx.storage.sql.exec('SELECT count(*) AS c FROM n').one().c;
  }
}
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/health') return new Response('ok');
    const counter = env.COUNTER.get(env.COUNTER.idFromName('one'));
    await counter.count();
    const upstream = await (await fetch(env.UPSTREAM)).text();
    return Response.json({ greeting: env.GREETING, count: await counter.count(), upstream });
  },
};
`,
      );
      await writeFile(
        join(dir, 'config.capnp'),
        workerdConfig({
          port,
          compatibilityDate: '2026-04-26',
          bindings: { GREETING: 'a "quoted" text', UPSTREAM: upstreamUrl },
          durableObjects: [{ name: 'COUNTER', className: 'Counter', sql: true }],
          durableObjectsDir: await mkdir(join(dir, 'objects')).then(() => join(dir, 'objects')),
          outbound: true,
        }),
      );
      const workerd = await startProcess({
        command: findWorkerd(),
        args: ['serve', join(dir, 'config.capnp')],
        what: 'workerd',
        ready: httpOk(`http://127.0.0.1:${port}/health`),
      });
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        const text = await response.text();
        expect(response.status, `${text}\n${workerd.output()}`).toBe(200);
        expect(JSON.parse(text)).toEqual({
          greeting: 'a "quoted" text',
          count: 2,
          upstream: 'from loopback',
        });
      } finally {
        await workerd.stop();
      }
    } finally {
      upstream.close();
    }
  });
});
