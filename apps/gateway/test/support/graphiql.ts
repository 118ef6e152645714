/**
 * GraphiQL's page as a browser asks for it (GET /graphql, `accept: text/html`), and what it loads:
 * the Node, Bun and Deno entries serve it with every asset from the gateway itself (it works
 * offline), gzipped and with an ETag; the Worker's is Yoga's default, which loads them from a
 * CDN. On every runtime it runs subscriptions.
 */
import { expect } from 'vitest';
import { recordResponse } from './canary.ts';
import type { GraphQLResult } from './graphql.ts';
import { PLACE } from './live.ts';
import { subscribe } from './sse.ts';

/** The CDNs a GraphiQL page loads from (Yoga's default uses unpkg). */
const CDN = /unpkg\.com|cdn\.jsdelivr|esm\.sh/;

/**
 * Every `src` and `href` of the page's own tags. The contents of inline scripts and styles are
 * left out: their strings (`'<img src="'+...`) are not the page's, and neither can hold a
 * closing tag, so a lazy match ends each one where the browser does.
 */
export function assetReferences(html: string): string[] {
  const tags = html.replace(/<(script|style)\b([^>]*)>[\s\S]*?<\/\1\s*>/gi, '<$1$2>');
  return [
    ...tags.matchAll(/<[a-z][^>]*?\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi),
  ].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** GET `base`/graphql as a browser asking for GraphiQL. */
export async function fetchGraphiQL(base: string): Promise<{ response: Response; html: string }> {
  const response = recordResponse(
    `GET ${base}/graphql (GraphiQL)`,
    await fetch(`${base}/graphql`, {
      headers: { accept: 'text/html' },
      signal: AbortSignal.timeout(10_000),
    }),
  );
  return { response, html: await response.text() };
}

/**
 * GraphiQL with the seed query, loading nothing from another origin: no CDN anywhere in the page,
 * every asset inlined (a `data:` URI) or served by the gateway (fetched here: 200, JS or CSS).
 */
export async function expectOfflineGraphiQL(base: string): Promise<void> {
  const { response, html } = await fetchGraphiQL(base);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toContain('PlaceQuickstartCall');
  expect(html).toContain('renderYogaGraphiQL');
  expect(html).not.toMatch(CDN);
  const references = assetReferences(html);
  // At least the favicon: the parsing above did find the page's tags.
  expect(references.length).toBeGreaterThan(0);
  for (const reference of references.filter((ref) => !ref.startsWith('data:'))) {
    const url = new URL(reference, `${base}/graphql`);
    expect(url.origin, reference).toBe(base);
    const asset = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect(asset.status, reference).toBe(200);
    expect(asset.headers.get('content-type'), reference).toMatch(/javascript|text\/css|image\//);
    await asset.body?.cancel();
  }
}

/**
 * GraphiQL's page runs subscriptions: its options say GraphQL over SSE by POST, to the page's own
 * URL with an empty query (as GraphiQL sends them, no CSRF header needed), and a subscription
 * sent that way to `base` streams a call placed after it, from DIALING.
 */
export async function expectSubscribingGraphiQL(base: string): Promise<void> {
  const { html } = await fetchGraphiQL(base);
  for (const option of [
    '"subscriptionsProtocol":"GRAPHQL_SSE"',
    '"method":"POST"',
    '"endpoint":"?"',
  ])
    expect(html).toContain(option);
  const url = `${base}/graphql?`;
  const events = await subscribe(fetch, 'subscription { callEvents { id status } }', { url });
  try {
    expect(events.status).toBe(200);
    const placed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: PLACE }),
      signal: AbortSignal.timeout(10_000),
    });
    const id = ((await placed.json()) as GraphQLResult).data?.createCall.calls[0].id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    let first: GraphQLResult;
    do first = await events.next(10_000);
    while (first.data?.callEvents?.id !== id);
    expect(first.data?.callEvents).toEqual({ id, status: 'DIALING' });
  } finally {
    events.close();
  }
}

/**
 * The page served compressed and cacheable (the Node, Bun and Deno entries): gzip to a client
 * that takes it, the same page once decompressed (fetch decompresses it) as the one sent to a
 * client that does not; a strong ETag per coding, `Cache-Control: no-cache`, `Vary:
 * Accept-Encoding`; 304 with no body for the ETag the client holds.
 */
export async function expectCachedGraphiQL(base: string): Promise<void> {
  const get = (headers: Record<string, string>) =>
    fetch(`${base}/graphql`, {
      headers: { accept: 'text/html', ...headers },
      signal: AbortSignal.timeout(10_000),
    });
  const plain = await get({ 'accept-encoding': 'identity' });
  expect(plain.headers.get('content-encoding')).toBeNull();
  const html = await plain.text();
  const zipped = await get({ 'accept-encoding': 'gzip' });
  expect(zipped.status).toBe(200);
  expect(zipped.headers.get('content-encoding')).toBe('gzip');
  expect(Number(zipped.headers.get('content-length'))).toBeLessThan(html.length / 3);
  expect(await zipped.text()).toBe(html);
  for (const response of [plain, zipped]) {
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{32}(-gzip)?"$/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('vary')).toMatch(/Accept-Encoding/);
  }
  const etag = zipped.headers.get('etag') as string;
  const again = await get({ 'accept-encoding': 'gzip', 'if-none-match': etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
}
