/**
 * The example frontend's built page (apps/web/dist), served by the Node entry beside
 * `/graphql`, same origin: `/` is its index.html, `/assets/...` its hashed files. Read from
 * disk once, at startup; only files that are there then are served (no path is ever joined
 * from a request). Node only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Route } from '../routes.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The page may load and call only its own origin; nothing may frame it. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? filesUnder(dir, `${prefix}${entry.name}/`)
        : Promise.resolve([`${prefix}${entry.name}`]),
    ),
  );
  return nested.flat();
}

/**
 * The routes serving the page built in `dir`, or none (and why) when there is no
 * `index.html` there. Assets are cached for a year (their names change with their content);
 * the page itself is revalidated on every load.
 */
export async function pageRoutes(dir: string): Promise<{ routes: Route[]; missing?: string }> {
  let index: Uint8Array;
  try {
    index = await readFile(join(dir, 'index.html'));
  } catch {
    return { routes: [], missing: `no built page in ${dir} (run the build first)` };
  }
  const assets = new Map<string, { body: Uint8Array; type: string }>();
  const names = await filesUnder(join(dir, 'assets')).catch(() => [] as string[]);
  for (const name of names) {
    assets.set(`/assets/${name}`, {
      body: await readFile(join(dir, 'assets', name)),
      type: TYPES[extname(name)] ?? 'application/octet-stream',
    });
  }
  const respond = (request: Request, body: Uint8Array, headers: Record<string, string>) =>
    new Response(request.method === 'HEAD' ? null : (body as BodyInit), {
      headers: { ...headers, 'content-length': String(body.byteLength) },
    });
  return {
    routes: [
      {
        path: '/',
        methods: ['GET', 'HEAD'],
        handle: (request) =>
          respond(request, index, {
            'content-type': TYPES['.html'] as string,
            'cache-control': 'no-cache',
            ...PAGE_HEADERS,
          }),
      },
      {
        path: '/assets/',
        prefix: true,
        methods: ['GET', 'HEAD'],
        handle: (request, url) => {
          const asset = assets.get(url.pathname);
          if (!asset) return new Response('Not found\n', { status: 404 });
          return respond(request, asset.body, {
            'content-type': asset.type,
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          });
        },
      },
    ],
  };
}
