/**
 * Live call status through Durable Objects (`CallEvents`, events-object.ts), the isolate's side:
 * a `Fanout` that hands each state an isolate learns (a webhook, a createCall) to the objects of
 * its call and of its account, and an `EventSource` whose `watch` opens a WebSocket to the
 * object a subscription follows, delivering what comes on it to this isolate's hub. A state
 * thus reaches subscribers on every isolate, and each call is polled (where the gateway polls)
 * by its object alone.
 */
import { waitUntil } from 'cloudflare:workers';
import type { Fanout } from '../events/hub.ts';
import type { EventSource } from '../events/source.ts';
import { log } from '../log.ts';
import { VOIPBIN_TOKEN_HEADER } from '../security/index.ts';
import {
  type CallMessage,
  EVERY_CALL,
  objectName,
  SERVER_ACCOUNT,
  WATCH_HEADERS,
} from './events-protocol.ts';
import type { DurableNamespace } from './store.ts';

/** What the isolate calls on a `CallEvents` object: `fetch` opens a socket, `publish` by RPC. */
export interface CallEventsStub {
  fetch(url: string, init: RequestInit): Promise<Response>;
  publish(message: string): Promise<void>;
}

/** A WebSocket as workerd hands out the client end of an upgrade: accepted before use. */
type ClientSocket = WebSocket & { accept(): void };

/** The first pause before a dropped socket is opened again, in ms; it doubles up to 10 s. */
const RECONNECT_MS = 500;

export interface DurableEventsOptions {
  /** Whether the objects poll (the `poll` source) or wait for webhooks (`webhook`). */
  polling: boolean;
}

export function createDurableEvents(
  namespace: DurableNamespace<CallEventsStub>,
  options: DurableEventsOptions,
): { fanout: Fanout; source: EventSource } {
  const object = (account: string, callId: string) =>
    namespace.get(namespace.idFromName(objectName(account, callId)));
  let receive: ((message: string) => void) | undefined;
  const sockets = new Set<ClientSocket>();
  const stops = new Set<() => void>();

  const fanout: Fanout = {
    async publish(message) {
      const { call, account = SERVER_ACCOUNT } = JSON.parse(message) as CallMessage;
      const sent = Promise.all([
        object(account, call.id).publish(message),
        object(account, EVERY_CALL).publish(message),
      ]);
      // Past the response that published it (a webhook's 200 waits for it anyway).
      waitUntil(sent);
      await sent;
    },
    async subscribe(onMessage) {
      receive = onMessage;
    },
    async close() {
      for (const stop of [...stops]) stop();
    },
  };

  const source: EventSource = {
    kind: options.polling ? 'poll' : 'webhook',
    watch(account, watched) {
      const callId = watched.callId ?? EVERY_CALL;
      const headers: Record<string, string> = {
        upgrade: 'websocket',
        [WATCH_HEADERS.call]: callId,
        [WATCH_HEADERS.account]: account.key,
      };
      // The object polls another account with its subscribers' own token; never the server's.
      if (account.key !== SERVER_ACCOUNT && account.credential.token) {
        headers[VOIPBIN_TOKEN_HEADER] = account.credential.token;
      }
      let socket: ClientSocket | undefined;
      let stopped = false;
      let pause = RECONNECT_MS;
      let timer: ReturnType<typeof setTimeout> | undefined;

      const open = async () => {
        timer = undefined;
        try {
          const response = await object(account.key, callId).fetch('https://call-events/watch', {
            headers,
          });
          const opened = (response as Response & { webSocket: ClientSocket | null }).webSocket;
          if (!opened) throw new Error(`the object answered ${response.status}`);
          opened.accept();
          if (stopped) return opened.close(1000, 'unsubscribed');
          socket = opened;
          sockets.add(opened);
          pause = RECONNECT_MS;
          opened.addEventListener('message', (event) => receive?.(String(event.data)));
          opened.addEventListener('close', () => dropped(opened));
          opened.addEventListener('error', () => dropped(opened));
        } catch (error) {
          log.line(
            'error',
            `[gateway] live status: the call's Durable Object could not be reached (${error instanceof Error ? error.name : 'error'}); trying again`,
          );
          retry();
        }
      };
      const dropped = (which: ClientSocket) => {
        sockets.delete(which);
        if (socket === which) socket = undefined;
        retry();
      };
      const retry = () => {
        if (stopped || timer !== undefined) return;
        timer = setTimeout(open, pause);
        pause = Math.min(10_000, pause * 2);
      };
      const stop = () => {
        if (stopped) return;
        stopped = true;
        stops.delete(stop);
        if (timer !== undefined) clearTimeout(timer);
        if (socket) {
          sockets.delete(socket);
          try {
            socket.close(1000, 'unsubscribed');
          } catch {
            // Closed already.
          }
        }
      };
      stops.add(stop);
      void open();
      return stop;
    },
    stats: () => ({ sockets: sockets.size, watches: stops.size }),
    async close() {
      for (const stop of [...stops]) stop();
    },
  };
  return { fanout, source };
}
