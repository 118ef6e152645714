/**
 * GraphiQL's page as the Node, Bun and Deno entries serve it (src/graphiql-page.ts, in-process):
 * rendered once, gzip for a client that accepts it, a strong ETag and a 304 for a copy the
 * client holds, `Cache-Control: no-cache`; and the options it embeds.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GRAPHIQL_OPTIONS, SEED_QUERY } from '../src/gateway.ts';
import {
  acceptsGzip,
  type GraphiQLPageConfig,
  graphiqlPage,
  matches,
} from '../src/graphiql-page.ts';
import type { Gateway } from '../src/index.ts';
import { localGraphiQL } from '../src/runtime/graphiql.ts';
import { emulatedGateway } from './support/graphql.ts';

const URL_ = 'http://gateway.test/graphql';

/** A browser's page load of GraphiQL, with `headers` added. */
const load = (gateway: Gateway, headers: Record<string, string> = {}, url = URL_) =>
  gateway.fetch(new Request(url, { headers: { accept: 'text/html', ...headers } }));

const gunzip = (response: Response) =>
  new Response(
    (response.body as ReadableStream<Uint8Array<ArrayBuffer>>).pipeThrough(
      new DecompressionStream('gzip'),
    ),
  ).text();

/** A gateway serving a small page of `render`'s, gzipped. */
function withPage(render: GraphiQLPageConfig['render'], production = false) {
  const { gateway } = emulatedGateway(
    {},
    { production, graphiql: (host) => graphiqlPage({ ...host, render, compress: true }) },
  );
  return gateway;
}

const PAGE = `<!doctype html><title>GraphiQL</title>${'<p>GraphiQL</p>'.repeat(1_000)}`;

describe('the inlined GraphiQL page (Node, Bun, Deno)', () => {
  const { gateway } = emulatedGateway({}, { graphiql: localGraphiQL });
  afterAll(() => gateway.close());

  it('answers gzip to a client that accepts it, which decompresses to the page served uncompressed', async () => {
    const plain = await load(gateway);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const html = await plain.text();
    // The page: 9 MB, its assets inlined, the seed query and the options in it.
    expect(html.length).toBeGreaterThan(5_000_000);
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).toContain(JSON.stringify(GRAPHIQL_OPTIONS));

    const zipped = await load(gateway, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const length = Number(zipped.headers.get('content-length'));
    // About a quarter of the page.
    expect(length).toBeLessThan(html.length / 3);
    expect(await gunzip(zipped)).toBe(html);
  });

  it('says how to cache it: a strong ETag per coding, Cache-Control: no-cache, Vary: Accept-Encoding', async () => {
    const plain = await load(gateway);
    const zipped = await load(gateway, { 'accept-encoding': 'gzip' });
    for (const response of [plain, zipped]) {
      expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}(-gzip)?"$/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('vary')).toMatch(/Accept-Encoding/);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      await response.body?.cancel();
    }
    expect(zipped.headers.get('etag')).not.toBe(plain.headers.get('etag'));
  });

  it('answers 304, with no body, to a client holding the copy it would get', async () => {
    const zipped = await load(gateway, { 'accept-encoding': 'gzip' });
    const etag = zipped.headers.get('etag') as string;
    await zipped.body?.cancel();
    const again = await load(gateway, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('no-cache');
    // The gzip copy's ETag from a client that no longer takes gzip: the page, in full.
    const plain = await load(gateway, { 'if-none-match': etag });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    await plain.body?.cancel();
  });
});

describe('a GraphiQL page served by graphiqlPage', () => {
  it('renders the page once, on the first request, whatever comes after and however many at once', async () => {
    const render = vi.fn(async () => PAGE);
    const gateway = withPage(render);
    expect(render).not.toHaveBeenCalled();
    const answers = await Promise.all([load(gateway), load(gateway), load(gateway)]);
    answers.push(await load(gateway, { 'accept-encoding': 'gzip' }));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(await answers[0]?.text()).toBe(PAGE);
    expect(render).toHaveBeenCalledTimes(1);
    // With the gateway's options: the seed query, subscriptions over SSE by POST.
    expect(render).toHaveBeenCalledWith(
      expect.objectContaining({ defaultQuery: SEED_QUERY, method: 'POST' }),
    );
  });

  it.each([
    ['no Accept-Encoding', {}],
    ['identity only', { 'accept-encoding': 'identity' }],
    ['gzip refused (q=0)', { 'accept-encoding': 'gzip;q=0, br' }],
    ['anything but gzip', { 'accept-encoding': '*, gzip;q=0' }],
  ])(
    'answers the page uncompressed to a client that does not take gzip (%s)',
    async (_, headers) => {
      const response = await load(
        withPage(() => PAGE),
        headers,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(response.headers.get('content-length')).toBe(String(PAGE.length));
      expect(await response.text()).toBe(PAGE);
    },
  );

  it('serves /graphql/ too, and leaves a GraphQL request (no text/html) and other paths to Yoga', async () => {
    const gateway = withPage(() => PAGE);
    expect(await (await load(gateway, {}, `${URL_}/`)).text()).toBe(PAGE);
    const query = await gateway.fetch(
      new Request(`${URL_}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
      }),
    );
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    expect((await load(gateway, {}, 'http://gateway.test/other')).status).toBe(404);
  });

  it('answers a page whose rendering failed 500, without the error, logs it, and renders again next time', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      let calls = 0;
      const gateway = withPage(() => {
        calls++;
        if (calls === 1) throw new Error('render failed at /secret/path');
        return PAGE;
      });
      const failed = await load(gateway);
      expect(failed.status).toBe(500);
      expect(await failed.text()).not.toMatch(/secret|render failed/);
      expect(error).toHaveBeenCalled();
      expect(await (await load(gateway)).text()).toBe(PAGE);
    } finally {
      error.mockRestore();
    }
  });

  it('serves no page in production', async () => {
    const render = vi.fn(() => PAGE);
    const response = await load(withPage(render, true));
    expect(await response.text()).not.toContain('GraphiQL');
    expect(render).not.toHaveBeenCalled();
  });
});

describe('content negotiation', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['*', true],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['*;q=0', false],
    ['br, identity', false],
    ['', false],
  ])('Accept-Encoding %j takes gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('matches If-None-Match by weak comparison, in a list, or *', () => {
    expect(matches('"abc"', '"abc"')).toBe(true);
    expect(matches('W/"abc"', '"abc"')).toBe(true);
    expect(matches('"x", "abc"', '"abc"')).toBe(true);
    expect(matches('*', '"abc"')).toBe(true);
    expect(matches('"abc-gzip"', '"abc"')).toBe(false);
    expect(matches(null, '"abc"')).toBe(false);
  });
});
