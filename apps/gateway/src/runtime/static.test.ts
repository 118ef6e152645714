import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../gateway.ts';
import { pageRoutes } from './static.ts';

let dir: string;
let gateway: Gateway;
const get = (path: string, method = 'GET') =>
  gateway.fetch(new Request(`http://gateway.test${path}`, { method }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'web-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><script src="/assets/index-abc123.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log("page")');
  await writeFile(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), 'not served');
  gateway = createGateway({ routes: (await pageRoutes(dir)).routes });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the example page beside /graphql (Node entry)', () => {
  it('serves index.html at /, revalidated on each load, allowed to call its own origin only', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toMatch(
      /default-src 'self'.*frame-ancestors 'none'/,
    );
    expect(await response.text()).toContain('/assets/index-abc123.js');
    const head = await get('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('serves the hashed assets with their types, cached for good', async () => {
    const js = await get('/assets/index-abc123.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("page")');
    expect((await get('/assets/index-abc123.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
  });

  it('serves nothing it did not list at startup: no path is joined from a request', async () => {
    for (const path of [
      '/assets/missing.js',
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/secret.txt',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toContain('not served');
    }
    expect((await get('/', 'POST')).status).toBe(405);
  });

  it('leaves /graphql to GraphQL', async () => {
    const response = await gateway.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
    );
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('says why there is no page when nothing was built', async () => {
    expect(await pageRoutes(join(dir, 'nowhere'))).toEqual({
      routes: [],
      missing: expect.stringMatching(/^no built page in .*nowhere \(run the build first\)$/),
    });
  });
});
