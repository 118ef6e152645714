/**
 * How subscriptions reach /graphql, in-process: as GraphiQL sends them (GraphQL over SSE by a
 * JSON POST), and the clear refusal of a WebSocket upgrade.
 */
import type { Emulator } from '@voipbin-kit/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPHIQL_OPTIONS } from '../src/gateway.ts';
import type { Gateway, GatewayConfig } from '../src/index.ts';
import { emulatedGateway, type GraphQLResult, graphql } from './support/graphql.ts';
import { PLACE, until } from './support/live.ts';
import { subscribe } from './support/sse.ts';

const URL_ = 'http://gateway.test/graphql';
const CALL_EVENTS = 'subscription { callEvents { id status } }';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A manual-clock gateway, closed after the test. */
function setup(config: Omit<GatewayConfig, 'upstream'> = {}): {
  emulator: Emulator;
  gateway: Gateway;
} {
  const made = emulatedGateway({}, config);
  cleanups.push(() => made.gateway.close());
  return made;
}

const send = (gateway: Gateway, init: RequestInit & { url?: string } = {}) =>
  gateway.fetch(new Request(init.url ?? URL_, init));

const codeOf = async (response: Response) =>
  ((await response.json()) as GraphQLResult).errors?.[0]?.extensions?.code;

/** Runs the emulator's clock through the whole quickstart call, a second at a time. */
async function runCall(emulator: Emulator) {
  for (let second = 0; second < 20; second++) {
    emulator.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('GraphiQL runs subscriptions', () => {
  it('sends them as GraphQL over SSE by a JSON POST to its own URL', () => {
    expect(GRAPHIQL_OPTIONS).toMatchObject({
      subscriptionsProtocol: 'GRAPHQL_SSE',
      method: 'POST',
      endpoint: '?',
    });
  });

  it('a subscription sent as GraphiQL sends it, with no CSRF header, streams a call from DIALING to HANGUP', async () => {
    const { emulator, gateway } = setup();
    // What GraphiQL 5 sends (seen in Chromium): no header of CSRF_HEADERS.
    const stream = await subscribe((request) => gateway.fetch(request), CALL_EVENTS, {
      url: `${URL_}?`,
    });
    cleanups.push(() => stream.close());
    expect(stream.status).toBe(200);
    const placed = await graphql(gateway, PLACE);
    const id = placed.data?.createCall.calls[0].id;
    await runCall(emulator);
    await until(
      () => stream.results.some((result) => result.data?.callEvents.status === 'HANGUP'),
      'HANGUP',
    );
    const statuses = stream.results.map((result) => result.data?.callEvents);
    expect(statuses[0]).toEqual({ id, status: 'DIALING' });
    expect(statuses.map((state) => state.status)).toEqual(
      expect.arrayContaining(['DIALING', 'RINGING', 'PROGRESSING', 'HANGUP']),
    );
  });
});

describe('a WebSocket upgrade', () => {
  const UPGRADE = {
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-protocol': 'graphql-transport-ws',
  };

  it('answers 400 WEBSOCKET_NOT_SUPPORTED in JSON, saying subscriptions are served over SSE, not the CSRF refusal', async () => {
    const { gateway } = setup();
    const response = await send(gateway, { headers: UPGRADE });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const json = (await response.json()) as GraphQLResult;
    expect(json.errors).toHaveLength(1);
    expect(json.errors?.[0]?.extensions?.code).toBe('WEBSOCKET_NOT_SUPPORTED');
    expect(json.errors?.[0]?.message).toMatch(/Server-Sent Events.*accept: text\/event-stream/);
  });

  it('is told apart whatever the case of the header, and only on /graphql', async () => {
    const { gateway } = setup();
    const upper = await send(gateway, { headers: { ...UPGRADE, upgrade: 'WebSocket' } });
    expect(await codeOf(upper)).toBe('WEBSOCKET_NOT_SUPPORTED');
    const elsewhere = await send(gateway, { url: 'http://gateway.test/other', headers: UPGRADE });
    expect(elsewhere.status).toBe(404);
  });
});
