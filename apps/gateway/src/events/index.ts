import type { WebSocketConstructor } from '@voipbin-kit/core';
import type { EventOrigin, GatewayObserver } from '../observer.ts';
import type { Route } from '../routes.ts';
import type { Ownership } from '../security/ownership.ts';
import { createEventHub, type EventHub, type Fanout } from './hub.ts';
import { createPollSource, createWebhookSource, type EventSource } from './source.ts';
import { webhookRoutes } from './webhook.ts';
import { createWebSocketSource } from './websocket-source.ts';

export type { FollowEvent } from './follow.ts';
export type { Fanout } from './hub.ts';
export { SERVER_ACCOUNT, type UpstreamAccount } from './source.ts';
export { SIGNATURE_HEADER, SIGNED_WEBHOOK_PATH, signWebhook, WEBHOOK_PATH } from './webhook.ts';

export type EventSourceKind = EventSource['kind'];

/** How call events reach subscriptions (README: "Live call status"). */
export interface EventsConfig {
  /**
   * Where states come from: VoIPBIN's WebSocket, its webhooks (needs `webhookSigningSecret`
   * or `webhookSecret`) or
   * polling. Default: the WebSocket where one can be opened (a `WebSocket` given or global),
   * else polling.
   */
  source?: EventSourceKind;
  /**
   * The account's webhook secret (VOIPBIN_WEBHOOK_SECRET): receives webhooks VoIPBIN signs at
   * `/webhooks/voipbin`, checking `X-VoIPBIN-Signature` (whatever the source).
   */
  webhookSigningSecret?: string;
  /**
   * Receives webhooks at `/webhooks/voipbin/<secret>` (whatever the source): the weaker option,
   * for an account with no webhook secret. `webhook` needs this or `webhookSigningSecret`.
   */
  webhookSecret?: string;
  /** Milliseconds between two reads when polling (at least 200). Default 1,000. */
  pollIntervalMs?: number;
  /** Whether subscriptions to one call share its poller (default true; a Worker: false). */
  pollShared?: boolean;
  /** Open subscriptions on this instance, in all and per principal. Defaults 10,000 and 50. */
  maxSubscriptions?: number;
  maxPerPrincipal?: number;
  /** Carries states between instances (Redis on Node, Bun and Deno; Durable Objects on a Worker); default none: one instance. */
  fanout?: Fanout;
  /**
   * A source of the entry's own, instead of the one `source` names: the Worker's Durable
   * Objects (src/durable/events.ts), which poll or take webhooks for every isolate.
   */
  eventSource?: EventSource;
  /** The WebSocket for the `websocket` source; default the global one. */
  WebSocket?: WebSocketConstructor;
  /** Milliseconds before the first reconnect of the event socket. Default core's (500). */
  reconnectDelayMs?: number;
}

/** The live-status machinery of one gateway: the hub, the source, and the webhook route. */
export function createEvents(
  config: EventsConfig,
  {
    ownership,
    baseURL,
    serverAccount,
    observer,
  }: { ownership: Ownership; baseURL: string; serverAccount?: string; observer?: GatewayObserver },
) {
  const hub = createEventHub({
    ownership,
    observer,
    ...(config.fanout ? { fanout: config.fanout } : {}),
    ...(config.maxSubscriptions === undefined ? {} : { maxSubscriptions: config.maxSubscriptions }),
    ...(config.maxPerPrincipal === undefined ? {} : { maxPerPrincipal: config.maxPerPrincipal }),
  });
  const WebSocket = config.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
  const kind = config.eventSource?.kind ?? config.source ?? (WebSocket ? 'websocket' : 'poll');
  if (kind === 'webhook' && !config.webhookSecret && config.webhookSigningSecret === undefined) {
    throw new Error(
      'The webhook event source needs a secret (VOIPBIN_WEBHOOK_SECRET or GATEWAY_WEBHOOK_SECRET)',
    );
  }
  if (kind === 'websocket' && !WebSocket && !config.eventSource) {
    throw new Error(
      "The websocket event source needs a WebSocket: this runtime has none (Node 20: pass undici's)",
    );
  }
  const source: EventSource =
    config.eventSource ??
    (kind === 'websocket'
      ? createWebSocketSource(counted(hub, 'websocket', observer), {
          baseURL,
          ...(WebSocket ? { WebSocket } : {}),
          ...(config.reconnectDelayMs ? { reconnectDelayMs: config.reconnectDelayMs } : {}),
        })
      : kind === 'webhook'
        ? createWebhookSource()
        : createPollSource(counted(hub, 'poll', observer), {
            ...(config.pollIntervalMs === undefined ? {} : { intervalMs: config.pollIntervalMs }),
            ...(config.pollShared === undefined ? {} : { shared: config.pollShared }),
          }));
  const routes: Route[] =
    config.webhookSecret || config.webhookSigningSecret !== undefined
      ? webhookRoutes(counted(hub, 'webhook', observer), {
          ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
          ...(config.webhookSigningSecret !== undefined
            ? { signingSecret: config.webhookSigningSecret }
            : {}),
          ...(serverAccount ? { account: serverAccount } : {}),
        })
      : [];
  return {
    hub,
    source,
    routes,
    /** Subscribes to the fanout; resolves when states from other instances arrive. */
    ready: () => hub.start(),
    /** Listeners, subscriptions, sockets and timers held: they return to zero when nobody listens. */
    stats: () => ({ ...hub.stats(), ...source.stats() }),
    async close() {
      await source.close();
      await hub.close();
    },
  };
}

export type Events = ReturnType<typeof createEvents>;

/** The hub as a source sees it: each state it publishes told to `observer` as from `origin`. */
function counted(hub: EventHub, origin: EventOrigin, observer?: GatewayObserver): EventHub {
  if (!observer) return hub;
  return {
    ...hub,
    publish: (call, context) => {
      observer.eventReceived(origin);
      const done = observer.publishing?.(origin, call);
      if (!done) return hub.publish(call, context);
      return hub.publish(call, context).then(
        () => done(),
        (error: unknown) => {
          done(error);
          throw error;
        },
      );
    },
  };
}
