import type { Plugin } from 'graphql-yoga';

/**
 * A route served beside `/graphql`: an exact path (or, with `prefix`, every path under it), the
 * methods it answers, and its handler.
 */
export interface Route {
  path: `/${string}`;
  /** Serve every path that starts with `path`, which then ends with `/` (a secret in the path). */
  prefix?: boolean;
  /** e.g. `['POST']`; HEAD is not implied by GET. */
  methods: readonly string[];
  handle(request: Request, url: URL): Response | Promise<Response>;
}

/**
 * Serves `routes` from Yoga's `onRequest` hook, before anything GraphQL runs: the way Yoga
 * serves its own `/health` and GraphiQL, with no router to ship (a Worker's bundle counts every
 * kilobyte; docs/decisions/2026-12-04-routes-beside-graphql.md). A known path asked with another
 * method answers 405 with `Allow`; any other path goes on to Yoga.
 */
export function routes(list: readonly Route[]): Plugin {
  const byPath = new Map<string, Route>();
  const prefixes: Route[] = [];
  for (const route of list) {
    if (byPath.has(route.path) || prefixes.some((other) => other.path === route.path)) {
      throw new Error(`Two routes for ${route.path}`);
    }
    if (!route.prefix) byPath.set(route.path, route);
    else if (route.path.endsWith('/')) prefixes.push(route);
    else throw new Error(`A prefix route ends with "/": ${route.path}`);
  }
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const route =
        byPath.get(url.pathname) ?? prefixes.find((p) => url.pathname.startsWith(p.path));
      if (!route) return;
      if (!route.methods.includes(request.method)) {
        endResponse(
          new fetchAPI.Response(null, {
            status: 405,
            headers: { allow: route.methods.join(', ') },
          }),
        );
        return;
      }
      endResponse(await route.handle(request, url));
    },
  };
}
