import { type ClientOptions, createClient, redactor, type VoipbinClient } from '@voipbin-kit/core';
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { createYoga, type YogaServerOptions } from 'graphql-yoga';
import { createContext } from './context.ts';
import type { Upstream } from './env.ts';
import { inputErrors } from './errors.ts';
import { schema } from './schema/index.ts';
import { createSecurity, type SecurityConfig, VOIPBIN_TOKEN_HEADER } from './security/index.ts';

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
  /** Client options for the upstream: timeout and retries (both upstreams), a fetch of your own (VoIPBIN only). */
  client?: Pick<ClientOptions, 'timeout' | 'retry' | 'retryDelay' | 'fetch'>;
  /** Keeps the embedded emulator's background work (webhook deliveries) alive: a Worker's `waitUntil`. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Auth, the toll-fraud policy, rate limits, idempotency and GraphQL hygiene. */
  security?: SecurityConfig;
  /** GraphiQL's page with its assets inlined or served locally; default Yoga's, which loads them from a CDN. */
  renderGraphiQL?: YogaServerOptions<object, object>['renderGraphiQL'];
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

/**
 * Creates the gateway: a GraphQL Yoga instance, itself a fetch handler, serving `/graphql`
 * (GraphiQL in development) and `/health`.
 */
export function createGateway(config: GatewayConfig = {}) {
  const upstream = config.upstream ?? { kind: 'emulator', speed: 1 };
  const emulator =
    upstream.kind === 'emulator'
      ? 'emulator' in upstream
        ? upstream.emulator
        : createEmulator({ clock: { speed: upstream.speed }, waitUntil: config.waitUntil })
      : undefined;
  const base: ClientOptions = emulator
    ? {
        // Timeout and retries apply to the emulator too, so its injected faults act as VoIPBIN's.
        ...config.client,
        baseURL: EMULATOR_URL,
        // Any credential opens the emulator; the server's own stays out of requests.
        token: 'emulator',
        fetch: (input, init) => emulator.fetch(new Request(input, init)),
      }
    : { ...config.client, ...(upstream as Extract<Upstream, { kind: 'voipbin' }>) };
  const serverClient = createClient(base);
  const security = createSecurity(config.security ?? {}, {
    serverCredential: !emulator && Boolean(base.accessKey || base.token),
    production: Boolean(config.production),
  });
  const redact = redactor([base.accessKey ?? '', emulator ? '' : (base.token ?? '')]);
  // Yoga logs the original of a masked error: every line goes through the redactor first.
  const line = (args: unknown[]) =>
    args.map((arg) =>
      redact(
        arg instanceof Error
          ? `${arg.name}: ${arg.message}`
          : typeof arg === 'string'
            ? arg
            : (JSON.stringify(arg) ?? String(arg)),
      ),
    );
  const logging = {
    debug: () => {},
    info: (...args: unknown[]) => console.info(...line(args)),
    warn: (...args: unknown[]) => console.warn(...line(args)),
    error: (...args: unknown[]) => console.error(...line(args)),
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

  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: !config.production && { title: 'voipbin-kit gateway', defaultQuery: SEED_QUERY },
    landingPage: false,
    ...(config.renderGraphiQL ? { renderGraphiQL: config.renderGraphiQL } : {}),
    logging,
    // Never add an original error's message or stack to a masked one, whatever NODE_ENV says:
    // an unexpected error could quote a credential.
    maskedErrors: { isDev: false },
    ...security.yoga,
    plugins: [...security.yoga.plugins, inputErrors()],
    // Authentication runs here, before any resolver.
    context: async ({ request }) => {
      const token = passThroughToken(request);
      return createContext(clientFor(token), await security.authenticate(request, token), security);
    },
  });
  return Object.assign(yoga, {
    /** Where calls go, for logs: never a credential. */
    upstreamDescription: emulator
      ? 'the embedded VoIPBIN emulator (no account, no real calls)'
      : `VoIPBIN at ${withoutUserinfo((upstream as { baseURL: string }).baseURL)}`,
    /** The embedded emulator, when there is one. */
    emulator,
  });
}

export type Gateway = ReturnType<typeof createGateway>;

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
