import type { Plugin } from 'graphql-yoga';

/** A route served beside `/graphql`: an exact path, the methods it answers, and its handler. */
export interface Route {
  path: `/${string}`;
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
  for (const route of list) {
    if (byPath.has(route.path)) throw new Error(`Two routes for ${route.path}`);
    byPath.set(route.path, route);
  }
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const route = byPath.get(url.pathname);
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
