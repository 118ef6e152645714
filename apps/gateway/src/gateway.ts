import {
  ACTION_SCHEMAS,
  type ClientOptions,
  createClient,
  DEFAULT_BASE_URL,
  redactor,
  type VoipbinClient,
} from '@voipbin-kit/core';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { createYoga, type GraphiQLOptions, type YogaServerInstance } from 'graphql-yoga';
import { audienceOf } from './calls/index.ts';
import { type Context, createContext } from './context.ts';
import type { Upstream } from './env.ts';
import { describeForLog, inputErrors, isCallersMistake, maskError } from './errors.ts';
import {
  createEvents,
  type Events,
  type EventsConfig,
  SERVER_ACCOUNT,
  SIGNATURE_HEADER,
  SIGNED_WEBHOOK_PATH,
  signWebhook,
  WEBHOOK_PATH,
} from './events/index.ts';
import type { GraphiQLPageFactory } from './graphiql-page.ts';
import { type LogFormat, log, setLogFormat } from './log.ts';
import type { GatewayObserver } from './observer.ts';
import { requestIdOf, requestIdOfError, useRequestId } from './request-id.ts';
import { type Route, routes } from './routes.ts';
import { schema } from './schema/index.ts';
import {
  createSecurity,
  idempotencyScope,
  ownerOf,
  type SecurityConfig,
  VOIPBIN_TOKEN_HEADER,
} from './security/index.ts';
import { sharedSubscriptions } from './shared-subscriptions.ts';
import { refuseOtherTransports, type SingleConnectionFactory } from './transports.ts';

export interface GatewayConfig {
  /** Where calls go: the embedded emulator (default) or VoIPBIN. */
  upstream?: Upstream | { kind: 'emulator'; emulator: Emulator };
  /**
   * Use a caller's own VoIPBIN token instead of the server's credential: sent as
   * `X-VoIPBIN-Token: <token>`, or as `Authorization: Bearer <token>` when gateway JWT auth is
   * not configured (with it, `Authorization` is the gateway's JWT and never goes upstream).
   */
  passThrough?: boolean;
  /** Turns GraphiQL off. */
  production?: boolean;
  /** Every log line as text (the default) or as one JSON object (`GATEWAY_LOG_FORMAT`). */
  logFormat?: LogFormat;
  /** Client options for the upstream: timeout and retries (both upstreams), a fetch of your own (VoIPBIN only). */
  client?: Pick<ClientOptions, 'timeout' | 'retry' | 'retryDelay' | 'fetch'>;
  /** Keeps the embedded emulator's background work (webhook deliveries) alive: a Worker's `waitUntil`. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Auth, the toll-fraud policy, rate limits, idempotency, call ownership and GraphQL hygiene. */
  security?: SecurityConfig;
  /**
   * Routes served beside `/graphql` and `/health` (a webhook receiver, a static page...), each
   * an exact path and its methods; matched before any GraphQL handling, so each route owns its
   * checks (body size, auth).
   */
  routes?: Route[];
  /**
   * Serves GraphiQL's page (in development) instead of Yoga's, which loads its assets from a
   * CDN: the Node, Bun and Deno entries pass `localGraphiQL` (src/runtime/graphiql.ts), the
   * assets inlined, rendered once, with an ETag, gzipped.
   */
  graphiql?: GraphiQLPageFactory;
  /**
   * graphql-sse's single connection mode on `/graphql` (`singleConnection()` of
   * src/single-connection.ts): the Node, Bun and Deno entries. Without it such a request
   * answers `SINGLE_CONNECTION_UNSUPPORTED`.
   */
  singleConnection?: SingleConnectionFactory;
  /** Live call status: the event source, the webhook secret, subscription limits, the fanout. */
  events?: EventsConfig;
  /**
   * Told what the gateway does (calls placed, refusals, upstream requests, subscriptions...):
   * the Node and Bun entries' Prometheus metrics with GATEWAY_METRICS=true. Default none.
   */
  observer?: GatewayObserver;
}

/** A URL for logs: a user and password written into it stay out. */
function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return '(an invalid URL)';
  }
}

/** The emulator's base URL inside the process; no socket is opened. */
const EMULATOR_URL = 'http://emulator.local/v1.0';

/** What `createGateway` makes: a fetch handler and what its entries need to say and run. */
export interface Gateway {
  /** Answers a request: `/graphql` (GraphiQL in development), `/health` and the routes given. */
  fetch(request: Request, serverContext?: Record<string, unknown>): Promise<Response>;
  /** The Yoga instance: a Node request listener too (`createServer(gateway.yoga)`). */
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /** Where calls go, for logs: never a credential. */
  upstreamDescription: string;
  /** What a runtime entry prints once when it starts (e.g. GATEWAY_INSECURE_NO_AUTH on a real account). */
  warnings: readonly string[];
  /** The embedded emulator, when there is one. */
  emulator: Emulator | undefined;
  /** Live call status: its source, and what it holds (`stats()`). */
  events: Events;
  /**
   * What its bounded caches hold, as counts (never a key, id or number): the memory store's keys
   * by namespace (absent with a shared store) and the event hub's. They fill up to their budgets
   * and stop; a leak check reads them beside the heap.
   */
  caches(): Record<string, number>;
  /** Resolves once the gateway receives states from other instances (the fanout subscribed). */
  ready(): Promise<void>;
  /** Closes the event source's connections and timers, and the fanout. */
  close(): Promise<void>;
}

/**
 * Creates the gateway: GraphQL Yoga serving `/graphql` (GraphiQL in development), `/health`
 * and the routes of `config.routes`.
 */
export function createGateway(config: GatewayConfig = {}): Gateway {
  setLogFormat(config.logFormat ?? 'text');
  const upstream = config.upstream ?? { kind: 'emulator', speed: 1 };
  const webhookSecret = config.events?.webhookSecret;
  const signingSecret = config.events?.webhookSigningSecret;
  // The embedded emulator posts its webhooks to this gateway, in-process, when there is a
  // secret: signed as VoIPBIN signs them when there is a signing secret (the emulator does not
  // sign yet: its requests are signed here), else to the path secret's URL.
  let self: ((request: Request) => Promise<Response>) | undefined;
  const post = (request: Request) => (self as NonNullable<typeof self>)(request);
  const signedPost = async (request: Request) => {
    const body = new Uint8Array(await request.arrayBuffer());
    const headers = new Headers(request.headers);
    headers.set(SIGNATURE_HEADER, await signWebhook(signingSecret as string, body));
    return post(new Request(request.url, { method: request.method, headers, body }));
  };
  const emulator =
    upstream.kind === 'emulator'
      ? 'emulator' in upstream
        ? upstream.emulator
        : createEmulator({
            clock: { speed: upstream.speed },
            waitUntil: config.waitUntil,
            ...(signingSecret
              ? {
                  webhookUrl: `http://gateway.local${SIGNED_WEBHOOK_PATH}`,
                  webhookFetch: (input, init) => signedPost(new Request(input, init)),
                }
              : webhookSecret
                ? {
                    webhookUrl: `http://gateway.local${WEBHOOK_PATH}${webhookSecret}`,
                    webhookFetch: (input, init) => post(new Request(input, init)),
                  }
                : {}),
          })
      : undefined;
  // The gateway sends any of the 44 actions a caller asks for.
  const base: ClientOptions<typeof ACTION_SCHEMAS> = emulator
    ? {
        // Timeout and retries apply to the emulator too, so its injected faults act as VoIPBIN's.
        ...config.client,
        baseURL: EMULATOR_URL,
        // Any credential opens the emulator; the server's own stays out of requests.
        token: 'emulator',
        fetch: (input, init) => emulator.fetch(new Request(input, init)),
        actions: ACTION_SCHEMAS,
      }
    : {
        ...config.client,
        ...(upstream as Extract<Upstream, { kind: 'voipbin' }>),
        actions: ACTION_SCHEMAS,
      };
  // Measured only when observed: the default costs not even a wrapper.
  if (config.observer?.wrapFetch) {
    base.fetch = config.observer.wrapFetch(
      base.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      base.baseURL ?? DEFAULT_BASE_URL,
    );
  }
  const serverClient = createClient(base);
  const security = createSecurity(config.security ?? {}, {
    serverCredential: !emulator && Boolean(base.accessKey || base.token),
    production: Boolean(config.production),
    observer: config.observer,
  });
  const redact = redactor([base.accessKey ?? '', emulator ? '' : (base.token ?? '')]);
  // Yoga logs the original of a masked error: every line goes through the redactor first.
  const line = (args: unknown[]) =>
    args.map((arg) =>
      redact(
        arg instanceof Error
          ? (describeForLog(arg) ?? `${arg.name}: ${arg.message}`)
          : typeof arg === 'string'
            ? arg
            : (JSON.stringify(arg) ?? String(arg)),
      ),
    );
  const logging = {
    debug: () => {},
    info: (...args: unknown[]) => log.line('info', line(args).join(' ')),
    warn: (...args: unknown[]) => log.line('warn', line(args).join(' ')),
    // Yoga logs the original of every error `maskError` rewrites: a caller's own mistake is no
    // trouble of the server's, and stays out of the error log.
    // With the id of the request that answered it (Yoga logs the error alone).
    error: (...args: unknown[]) => {
      if (args.every(isCallersMistake)) return;
      const requestId = args.map(requestIdOfError).find((id) => id !== undefined);
      log.line('error', line(args).join(' '), requestId ? { requestId } : {});
    },
  };

  // With JWT auth, `Authorization` carries the gateway's own JWT: it never goes upstream.
  const authorizationIsGateways = Boolean(config.security?.auth?.jwt);
  /** The caller's VoIPBIN token in pass-through mode, if it sent one. */
  const passThroughToken = (request: Request): string | undefined => {
    if (!config.passThrough) return undefined;
    const header = request.headers.get(VOIPBIN_TOKEN_HEADER)?.trim();
    if (header) return header;
    if (authorizationIsGateways) return undefined;
    const authorization = request.headers.get('authorization') ?? '';
    return /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() || undefined;
  };
  const clientFor = (token: string | undefined): VoipbinClient =>
    token ? createClient({ ...base, accessKey: undefined, token }) : serverClient;
  const serverCredential = {
    ...(base.token ? { token: base.token } : {}),
    ...(base.accessKey ? { accessKey: base.accessKey } : {}),
  };
  const events = createEvents(
    {
      // The embedded emulator's sockets live in this process: no network, same code path.
      ...(emulator ? { WebSocket: emulator.WebSocket } : {}),
      ...config.events,
    },
    {
      ownership: security.ownership,
      observer: config.observer,
      baseURL: base.baseURL ?? DEFAULT_BASE_URL,
      ...(config.passThrough ? {} : { serverAccount: SERVER_ACCOUNT }),
    },
  );

  /** Who sent `request`, as one key per caller: the stream owner of the single connection mode. */
  const callerOf = async (request: Request) =>
    idempotencyScope(await security.authenticate(request, passThroughToken(request)));
  // With trusted documents only registered hashes run; graphql-sse reads a document from each request.
  const streams = config.security?.trustedDocuments
    ? undefined
    : config.singleConnection?.({
        endpoint: GRAPHQL_ENDPOINT,
        caller: callerOf,
        limits: config.security?.limits,
        log: (error) => logging.error(error),
      });
  const singleConnectionMissing = config.security?.trustedDocuments
    ? 'not with trusted documents: graphql-sse sends a document, not the hash of a registered one'
    : 'not by this gateway: the Node, Bun and Deno entries serve it; a Worker may serve the reservation, the stream and each operation from different isolates';

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    // Yoga's GraphiQL (its assets from a CDN) unless the entry serves its own page.
    graphiql: !config.production && !config.graphiql && GRAPHIQL_OPTIONS,
    landingPage: false,
    // `/health` is the route below (a JSON body); Yoga's own empty 200 answers any URL that ends
    // with its endpoint, so it moves to a path of its own.
    healthCheckEndpoint: '/health/yoga',
    logging,
    // Core's errors get their codes here; never add an original error's message or stack to a
    // masked one, whatever NODE_ENV says: an unexpected error could quote a credential.
    maskedErrors: { isDev: false, maskError },
    ...security.yoga,
    // The routes first: a webhook or a page is not GraphQL, and its own checks apply. Then
    // what answers on /graphql before Yoga parses: other transports, GraphiQL's page.
    plugins: [
      // First: every answer, a route's too, carries the request's id.
      useRequestId(),
      routes([
        health(emulator ? 'emulator' : 'voipbin'),
        ...events.routes,
        ...(config.routes ?? []),
      ]),
      refuseOtherTransports(GRAPHQL_ENDPOINT, streams ? null : singleConnectionMissing),
      ...(streams ? [streams.plugin] : []),
      ...(config.graphiql && !config.production
        ? [
            config.graphiql({
              endpoint: GRAPHQL_ENDPOINT,
              options: GRAPHIQL_OPTIONS,
              log: (error) => logging.error(error),
            }),
          ]
        : []),
      ...security.yoga.plugins,
      inputErrors(),
      // Subscribers of one document and audience: one execution per event, one serialisation.
      sharedSubscriptions<Context>({ audience: audienceOf }),
      ...(config.observer?.plugins ?? []),
    ],
    // Authentication runs here, before any resolver.
    context: async ({ request }) => {
      const token = passThroughToken(request);
      const principal = await security.authenticate(request, token);
      const voipbin = clientFor(token);
      return createContext({
        voipbin,
        requestId: requestIdOf(request),
        principal,
        security,
        observer: config.observer,
        owner: ownerOf(principal),
        events,
        upstream: token
          ? { key: principal.account ?? SERVER_ACCOUNT, client: voipbin, credential: { token } }
          : { key: SERVER_ACCOUNT, client: voipbin, credential: serverCredential },
        expiresAt: earliest(principal.expiresAt, token ? jwtExpiry(token) : undefined),
      });
    },
  });
  self = async (request) => yoga.fetch(request, {});
  const ready = events.ready();
  // Said and retried where it happens (the hub); this instance's own states still reach its subscribers.
  ready.catch(() => {});
  return {
    fetch: async (request, serverContext = {}) => yoga.fetch(request, serverContext),
    yoga,
    upstreamDescription: emulator
      ? 'the embedded VoIPBIN emulator (no account, no real calls)'
      : `VoIPBIN at ${withoutUserinfo((upstream as { baseURL: string }).baseURL)}`,
    warnings: security.warnings,
    emulator,
    events,
    caches: () => ({
      ...prefixed('store', security.storeStats() ?? {}),
      ...prefixed('events', events.hub.caches()),
    }),
    ready: () => ready,
    close: () => {
      streams?.close();
      return events.close();
    },
  };
}

/**
 * `GET /health`: `{ "status": "ok", "upstream": "emulator" | "voipbin" }`, for load balancers
 * and a person's first look. It answers from memory and asks VoIPBIN nothing.
 */
function health(upstream: 'emulator' | 'voipbin'): Route {
  const body = JSON.stringify({ status: 'ok', upstream });
  return {
    path: '/health',
    methods: ['GET', 'HEAD'],
    handle: (request) =>
      new Response(request.method === 'HEAD' ? null : body, {
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      }),
  };
}

/** Where GraphQL is served (and GraphiQL, in development). */
const GRAPHQL_ENDPOINT = '/graphql';

const prefixed = (prefix: string, counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).map(([name, n]) => [`${prefix}.${name}`, n]));

const earliest = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * When a pass-through VoIPBIN JWT expires (epoch ms), read without checking its signature:
 * VoIPBIN checks it; this only ends a subscription no later than VoIPBIN would stop answering.
 */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof json?.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The quickstart's call, as GraphiQL's first query. */
export const SEED_QUERY = `mutation PlaceQuickstartCall {
  createCall(input: {
    source: { type: TEL, target: "+821028286521" }
    destinations: [{ type: TEL, target: "+821021656521" }]
    actions: [{ talk: { text: "Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.", gender: FEMALE, language: "en-US" } }]
  }) {
    calls { id status source { target } destination { target } createdAt }
  }
}
`;

/**
 * GraphiQL's options. Subscriptions go as GraphQL over SSE by POST with a JSON body (as
 * `graphql-sse` and urql send them), which the CSRF prevention takes as it is: GraphiQL's
 * default is a GET, which only a CSRF header would let through, and GraphiQL sends none.
 */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'voipbin-kit gateway',
  defaultQuery: SEED_QUERY,
  subscriptionsProtocol: 'GRAPHQL_SSE',
  method: 'POST',
  // The page's own URL with an empty query: a POST to a URL drops a browser's cached copy of
  // it (RFC 9111, 4.4), so posting to the page's URL itself would undo its ETag. Relative, so
  // it holds behind a proxy's path prefix.
  endpoint: '?',
};
