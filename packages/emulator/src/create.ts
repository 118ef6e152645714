/**
 * `createEmulator`: the emulator's parts put together (state.ts, runner.ts with plan.ts,
 * lifecycle.ts and scheduler.ts, webhooks.ts, json.ts, routes/, sockets.ts) behind one
 * web-standard `fetch` and a control surface.
 */
import { type Call, CallSchema, type Flow, FlowSchema } from '@voipbin-kit/core';
import * as v from 'valibot';
import { type Clock, type ManualClock, manualClock, realClock } from './clock.ts';
import { ApiError, errors } from './errors.ts';
import { type Fault, type FaultRule, Faults } from './faults.ts';
import { credentialOf, requestIdOf } from './http.ts';
import { flowJson } from './json.ts';
import type { EmulatorOptions, EmulatorSockets } from './options.ts';
import { match } from './routes/index.ts';
import { Runner } from './runner.ts';
import { type Authenticate, SocketHub } from './sockets.ts';
import { DEFAULT_CUSTOMER_ID, QUICKSTART_FLOW, Store } from './state.ts';
import type { EmulatorEvent, EmulatorEventType } from './types.ts';
import { Webhooks } from './webhooks.ts';
import { EmulatorWebSocket, type EmulatorWebSocketConstructor } from './websocket.ts';

export type { EmulatorOptions, EmulatorSockets, SeedFlow } from './options.ts';
export { DEFAULT_CUSTOMER_ID, QUICKSTART_FLOW } from './state.ts';
export type { EmulatorEvent, EmulatorEventType } from './types.ts';

/**
 * Creates a VoIPBIN-compatible call API that runs anywhere `fetch` does. Calls live a
 * realistic life on the emulator's clock, derived from a plan when read (no timer per call).
 *
 * ```ts
 * const emulator = createEmulator();
 * const voipbin = createClient({
 *   token: 'any',
 *   actions: ACTION_SCHEMAS,
 *   fetch: emulator.fetch,
 *   baseURL: 'http://emulator/v1.0',
 * });
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}) {
  const clock = toClock(options.clock);
  const faults = new Faults(options.faults);
  const listeners = new Set<(event: EmulatorEvent) => void>();
  const customerId = options.customerId ?? DEFAULT_CUSTOMER_ID;
  const seedFlows = options.flows ?? [QUICKSTART_FLOW];
  const store = new Store(clock, options.maxFinishedCalls ?? 1000);
  const webhooks = new Webhooks({
    url: options.webhookUrl,
    secret: options.webhookSecret,
    fetch: options.webhookFetch,
    retryDelay: options.webhookRetryDelay,
    waitUntil: options.waitUntil,
  });

  /** The customer a credential acts as, or the 401 error refusing it (am middleware/authenticate.go). */
  function customerOf(request: Request, url: URL): string {
    const credential = credentialOf(request, url);
    if (!credential) throw errors.authenticationRequired();
    const { credentials } = options;
    const customer = credentials
      ? Object.hasOwn(credentials, credential)
        ? credentials[credential]
        : undefined
      : customerId;
    if (!customer) throw errors.invalidCredentials();
    return customer;
  }

  /** For the WebSocket: the customer, or the refusing answer. */
  const authenticate: Authenticate = (request, url) => {
    try {
      return customerOf(request, url);
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse(requestIdOf(request));
      throw error;
    }
  };
  const sockets = new SocketHub(options.wsFrames, authenticate);

  function emit(type: EmulatorEventType, data: Record<string, unknown>) {
    const event: EmulatorEvent = { type, data };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // A subscriber's bug must not break the emulator or the other subscribers. The event's
        // data (numbers, ids) is left out of the report.
        console.error(
          `voipbin-emulator: a subscriber threw on ${type}; the emulator goes on.`,
          error,
        );
      }
    }
    sockets.publish(event);
    webhooks.send(event);
  }

  const runner = new Runner(store, clock, emit);
  const { flush } = runner;
  store.reset(seedFlows, customerId);

  const socketControl: EmulatorSockets = {
    get frames() {
      return sockets.frames;
    },
    set frames(frames) {
      sockets.frames = frames;
    },
    get count() {
      return sockets.count;
    },
    drop: () => sockets.drop(),
    accept: (request) => sockets.accept(request),
    attach: (customer, peer) => sockets.attach(customer, peer),
  };

  /** `new emulator.WebSocket(url)`: an in-memory WebSocket to this emulator's `/v1.0/ws`. */
  const WebSocket: EmulatorWebSocketConstructor = class WebSocket extends EmulatorWebSocket {
    constructor(url: string | URL) {
      super(sockets, url);
    }
  };

  /** The route first (404 before any credential check), then the credential, then the route's own checks. */
  async function route(request: Request, url: URL): Promise<Response> {
    const found = match(request.method, url.pathname);
    if (!found) throw errors.routeNotFound();
    const customer = customerOf(request, url);
    return found.handler(
      {
        store,
        runner,
        customerId: customer,
        strictJson: options.strictJson ?? true,
        maxActiveCalls: options.maxActiveCalls ?? 10_000,
        verified: !options.unverifiedCustomers?.includes(customer),
      },
      request,
      url,
      found.params,
    );
  }

  return {
    /** Answers a request as VoIPBIN's API would (`/v1.0/...`). Web-standard: Node, Bun, Deno, Workers. */
    async fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
      // Called as `fetch(request)` by servers, as `fetch(url, init)` by clients such as ofetch.
      const request = input instanceof Request && !init ? input : new Request(input, init);
      // am middleware/request_id.go: the caller's own id when it is safe, else a new one.
      const requestId = requestIdOf(request);
      flush();
      const url = new URL(request.url);
      const fault = faults.take(request.method, url.pathname);
      if (fault && !fault.after) {
        const injected = await faults.apply(fault, request.signal, requestId);
        if (injected) return injected;
      }
      let response: Response;
      try {
        response = await route(request, url);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        response = error.toResponse(requestId);
      }
      response.headers.set('x-request-id', requestId);
      flush();
      if (fault?.after) return (await faults.apply(fault, request.signal, requestId)) ?? response;
      return response;
    },

    /** The clock calls live on. */
    clock,

    /** Moves a manual clock forward and sends the events that became due. */
    advance(ms: number) {
      if (!('advance' in clock)) throw new TypeError('advance() needs the manual clock');
      (clock as ManualClock).advance(ms);
      flush();
    },

    /** Sends the events that are due (the emulator also does this on every request). */
    flush,

    /** Every call held, newest first, as VoIPBIN would answer it now, normalised by core. */
    calls(): Call[] {
      flush();
      return [...store.calls.values()]
        .reverse()
        .map((call) => v.parse(CallSchema, runner.json(call)));
    },

    /** One call as core reads it, or undefined. */
    call(id: string): Call | undefined {
      flush();
      const call = store.calls.get(id);
      return call && v.parse(CallSchema, runner.json(call));
    },

    /** Every flow held, temporary ones included. */
    flows(): Flow[] {
      return [...store.flows.values()].map((flow) => v.parse(FlowSchema, flowJson(flow)));
    },

    /** How many calls are in progress, how many finished ones are kept, how many sockets are open. */
    stats() {
      return {
        active: store.active,
        finished: store.finished.length,
        held: store.calls.size,
        flows: store.flows.size,
        sockets: sockets.count,
      };
    },

    /** Calls `listener` with every event; returns a function that stops it. */
    subscribe(listener: (event: EmulatorEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * An in-memory WebSocket constructor bound to this emulator: `new emulator.WebSocket(
     * 'ws://emulator/v1.0/ws?token=...')` (any host), VoIPBIN's event WebSocket with no socket.
     */
    WebSocket,

    /** The event WebSocket's open sockets, in memory and (with `listen()`) over HTTP. */
    sockets: socketControl,

    /** Fault injection: added latency, 5xx answers, dropped connections, malformed bodies. */
    faults: {
      set: (rules: FaultRule[]) => faults.set(rules),
      clear: () => faults.set([]),
    },

    /** Resolves when every webhook delivery under way has ended. */
    idle: (): Promise<void> => webhooks.idle(),

    /** Forgets every call, flow and fault, and seeds the starting flows again; the clock stays. */
    reset() {
      store.reset(seedFlows, customerId);
      runner.scheduler.clear();
      faults.set([]);
    },
  };
}

/** An emulator made by `createEmulator`. */
export type Emulator = ReturnType<typeof createEmulator>;
export type { Fault };

function toClock(clock: EmulatorOptions['clock']): Clock {
  if (clock === undefined || clock === 'manual') return manualClock();
  if (clock === 'real') return realClock(1);
  if ('speed' in clock && !('now' in clock)) return realClock(clock.speed);
  return clock as Clock;
}
