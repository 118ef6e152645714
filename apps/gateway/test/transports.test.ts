/**
 * How subscriptions reach /graphql, in-process: as GraphiQL sends them (GraphQL over SSE by a
 * JSON POST).
 */
import type { Emulator } from '@voipbin-kit/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPHIQL_OPTIONS } from '../src/gateway.ts';
import type { Gateway, GatewayConfig } from '../src/index.ts';
import { emulatedGateway, graphql } from './support/graphql.ts';
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
