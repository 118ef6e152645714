/**
 * GraphiQL's page on `GET /graphql` (`Accept: text/html`), rendered once, on the first request,
 * and kept: a strong `ETag` (`If-None-Match` answers 304), `Cache-Control: no-cache` (the page
 * embeds its options: a browser revalidates it each time, and gets a 304), and, with
 * `compress`, gzip for a client whose `Accept-Encoding` allows it (`Vary: Accept-Encoding`).
 * For the Node, Bun and Deno entries, whose page inlines its assets (9 MB, 2.4 MB in gzip:
 * src/runtime/graphiql.ts). The Worker keeps Yoga's page (3 KB, its assets from a CDN; not in
 * its bundle budget), which Cloudflare compresses at the edge.
 *
 * Web-standard APIs only (CompressionStream, crypto.subtle): runs on Node, Bun, Deno and Workers.
 */
import type { FetchAPI, GraphiQLOptions, Plugin, YogaServerOptions } from 'graphql-yoga';

/** What the gateway says of its GraphiQL page. */
export interface GraphiQLPageHost {
  /** The GraphQL endpoint, where the page is served (`/graphql`, and `/graphql/`). */
  endpoint: string;
  options: GraphiQLOptions;
  /** Logs a rendering that failed (through the gateway's redacting logger). */
  log(error: unknown): void;
}

/** Makes the plugin that serves GraphiQL's page: `createGateway({ graphiql })`. */
export type GraphiQLPageFactory = (host: GraphiQLPageHost) => Plugin;

export interface GraphiQLPageConfig extends GraphiQLPageHost {
  /** Renders the page: Yoga's `renderGraphiQL`, or the inlined page's (src/runtime/graphiql.ts). */
  render: NonNullable<YogaServerOptions<object, object>['renderGraphiQL']>;
  /** Gzip the page for clients that accept it. */
  compress: boolean;
}

/** One rendering of the page, as it goes out. */
interface Page {
  html: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer> | undefined;
  /** Strong validators, one per content coding (a gzip body is another representation). */
  etag: { identity: string; gzip: string };
}

async function bytesOf(body: BodyInit): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

async function renderPage(config: GraphiQLPageConfig): Promise<Page> {
  const html = await bytesOf((await config.render(config.options)) as BodyInit);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', html));
  const hash = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  const gzip = config.compress
    ? await bytesOf(new Blob([html]).stream().pipeThrough(new CompressionStream('gzip')))
    : undefined;
  return { html, gzip, etag: { identity: `"${hash}"`, gzip: `"${hash}-gzip"` } };
}

/** Whether `Accept-Encoding` allows gzip (named, or `*`, with a q-value above 0). */
export function acceptsGzip(header: string | null): boolean {
  let star: boolean | undefined;
  for (const entry of (header ?? '').toLowerCase().split(',')) {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim());
    const q = params.find((param) => param.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return allowed;
    if (coding === '*') star = allowed;
  }
  return star ?? false;
}

/** Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 says for it) or is `*`. */
export function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** Serves GraphiQL's page (see the module's comment); goes among the first plugins. */
export function graphiqlPage(config: GraphiQLPageConfig): Plugin {
  let page: Promise<Page> | undefined;
  const paths = new Set([config.endpoint, `${config.endpoint}/`]);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      // As Yoga's own GraphiQL plugin tells a browser's page load from a GraphQL request.
      if (request.method !== 'GET' || !request.headers.get('accept')?.includes('text/html')) return;
      if (!paths.has(url.pathname)) return;
      // Rendered once; a failed rendering is tried again on the next request.
      page ??= renderPage(config).catch((error) => {
        page = undefined;
        throw error;
      });
      return page.then(
        (rendered) => answer(rendered, request, endResponse, fetchAPI),
        (error) => {
          // Never Yoga's default for an error thrown here, which answers its stack.
          config.log(error);
          endResponse(
            new fetchAPI.Response('GraphiQL could not be rendered; see the gateway logs.\n', {
              status: 500,
            }),
          );
        },
      );
    },
  };
}

/** The page as `request` asks for it: gzip or not, or 304 when the client holds it already. */
function answer(
  rendered: Page,
  request: Request,
  endResponse: (response: Response) => void,
  fetchAPI: FetchAPI,
): void {
  const gzip = rendered.gzip && acceptsGzip(request.headers.get('accept-encoding'));
  const etag = gzip ? rendered.etag.gzip : rendered.etag.identity;
  const headers: Record<string, string> = {
    etag,
    'cache-control': 'no-cache',
    ...(rendered.gzip ? { vary: 'Accept-Encoding' } : {}),
  };
  if (matches(request.headers.get('if-none-match'), etag)) {
    endResponse(new fetchAPI.Response(null, { status: 304, headers }));
    return;
  }
  const body = gzip ? (rendered.gzip as Uint8Array<ArrayBuffer>) : rendered.html;
  // Yoga's own Response: on Node its server writes the bytes as they are, with no stream.
  endResponse(
    new fetchAPI.Response(body, {
      status: 200,
      headers: {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(body.byteLength),
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    }),
  );
}
