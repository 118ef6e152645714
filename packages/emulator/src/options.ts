/**
 * The emulator's options and its control surface's types (public). Apart from `types.ts`, which
 * `sockets.ts` reaches through `emulator.ts`: these name the socket types, so `types.ts` may not.
 */
import type { Action } from '@voipbin-kit/core';
import type { Clock } from './clock.ts';
import type { FaultRule } from './faults.ts';
import type { SocketConnection, SocketPeer, WsFrames } from './sockets.ts';

export interface EmulatorOptions {
  /**
   * Which credentials are accepted and whose they are: a map credential -> customer id.
   * Default: any non-empty credential, as customer `customerId`.
   */
  credentials?: Record<string, string>;
  /** The customer of every call when `credentials` is not given. */
  customerId?: string;
  /** `'manual'` (default for tests), `'real'`, `{ speed }` for real time sped up, or a clock of yours. */
  clock?: 'manual' | 'real' | { speed: number } | Clock;
  /** Where to POST every event (`{ type, data }`), as VoIPBIN's customer webhook. */
  webhookUrl?: string;
  /**
   * The account's webhook secret: each webhook then carries `X-VoIPBIN-Signature:
   * sha256=<hex HMAC-SHA256 of the raw body>`, as VoIPBIN signs them. Default: unsigned.
   */
  webhookSecret?: string;
  /** The fetch used for webhooks (default: the global one). */
  webhookFetch?: typeof fetch;
  /** Milliseconds between webhook tries (VoIPBIN: 1 s). */
  webhookRetryDelay?: number;
  /** Hands a background promise (a webhook delivery) to the platform, e.g. a Worker's `ctx.waitUntil`. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Finished calls kept for reading, oldest out first. Default 1000. */
  maxFinishedCalls?: number;
  /** Calls allowed to be in progress at once; more answer 429 RESOURCE_EXHAUSTED. Default 10 000. */
  maxActiveCalls?: number;
  /**
   * Refuse JSON bodies with trailing commas, as VoIPBIN's Go parser does (400
   * `INVALID_JSON_BODY`). Default true; `false` accepts them with a warning header (the 2023
   * quickstart's second request has one).
   */
  strictJson?: boolean;
  /**
   * Customers (ids) whose identity is not verified. VoIPBIN places no call to a phone number for
   * them: `POST /calls` with a `tel` destination answers 403 `IDENTITY_VERIFICATION_REQUIRED`
   * (am servicehandler `CallCreate`). Default: none, every customer is verified.
   */
  unverifiedCustomers?: readonly string[];
  /** Faults to inject from the start; see `faults.set()`. */
  faults?: FaultRule[];
  /**
   * Flows that exist from the start (with the id given). Default: the flow the VoIPBIN
   * quickstart calls, `ed95a3c4-22d4-11ee-add7-8742a741581e`, so its second request works as written.
   */
  flows?: SeedFlow[];
  /**
   * The shape of the event WebSocket's frames: `'wrapped'` `{ type, data }` (VoIPBIN's legacy
   * frames), `'bare'` (the call alone, VoIPBIN's newer frames) or `'mixed'` (the two in turn on
   * each socket). Default `'bare'`. Changeable later with `emulator.sockets.frames`.
   */
  wsFrames?: WsFrames;
}

/** `emulator.sockets`: the event WebSocket's open sockets, in memory and (with `listen()`) over HTTP. */
export interface EmulatorSockets {
  /** The shape of the frames pushed from now on (see `wsFrames`). */
  frames: WsFrames;
  /** Open sockets. */
  readonly count: number;
  /** Closes every open socket abnormally (1006, `wasClean` false), as a network failure; returns how many. */
  drop(): number;
  /**
   * For server adapters: whether a WebSocket handshake may go on (the customer of its
   * credential) or the answer refusing it (404 off `/v1.0/ws`, 401 with VoIPBIN's error body).
   */
  accept(request: Request): { customerId: string } | Response;
  /** For server adapters: keeps an accepted socket; hand it the client's frames and its closing. */
  attach(customerId: string, peer: SocketPeer): SocketConnection;
}

/** A flow to start with. */
export interface SeedFlow {
  id: string;
  name: string;
  detail?: string;
  actions: Action[];
  /** Default: the emulator's `customerId`. */
  customerId?: string;
}
