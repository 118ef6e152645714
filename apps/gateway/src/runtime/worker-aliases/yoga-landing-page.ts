/**
 * The Worker build's stand-in for Yoga's landing page HTML (wrangler.toml `[alias]`): Yoga
 * imports its 12 KB page statically, but the gateway sets `landingPage: false`, so it is never
 * served; a path outside `/graphql` is answered 404. Should it ever be turned on, a short page.
 */
export default '<!doctype html><title>GraphQL Yoga</title><p>GraphQL endpoint: <a href="__GRAPHIQL_LINK__">__GRAPHIQL_LINK__</a></p>';
