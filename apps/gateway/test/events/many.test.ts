/**
 * 1,000 concurrent SSE subscribers on one Node gateway over HTTP: every one receives every
 * state, and once they are gone the gateway holds what it held before (listeners,
 * subscriptions, event sockets, timers).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '@voipbin-kit/emulator';
import { afterAll, expect, it } from 'vitest';
import { createGateway } from '../../src/index.ts';
import { graphql } from '../support/graphql.ts';
import { CALL_EVENTS, CALL_UPDATED, LIFE, PLACE, statusesOf } from '../support/live.ts';
import { type SseSubscription, subscribe } from '../support/sse.ts';

const SUBSCRIBERS = 1_000;

let server: Server | undefined;
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
});

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

it(`streams every state to ${SUBSCRIBERS} subscribers, and lets go of everything after`, async () => {
  const emulator = createEmulator({ clock: 'manual' });
  const gateway = createGateway({
    upstream: { kind: 'emulator', emulator },
    events: { source: 'websocket', maxPerPrincipal: SUBSCRIBERS },
  });
  server = createServer(gateway.yoga);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const before = { timers: timers(), sockets: emulator.stats().sockets };

  const placed = await graphql(gateway, PLACE);
  const id = placed.data?.createCall.calls[0].id as string;
  const http = (request: Request) => fetch(request);
  // Half follow the call, half every call: both kinds of listener, 1,000 streams in all.
  const open = (i: number) =>
    subscribe(http, i % 2 ? CALL_EVENTS : CALL_UPDATED, {
      url,
      ...(i % 2 ? {} : { variables: { id } }),
    });
  // Opened 100 at a time, as a crowd of browsers would, not one after another.
  const streams: SseSubscription[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 100) {
    streams.push(...(await Promise.all(Array.from({ length: 100 }, (_, j) => open(i + j)))));
  }
  expect(streams.every((stream) => stream.status === 200)).toBe(true);
  expect(gateway.events.stats()).toMatchObject({ subscriptions: SUBSCRIBERS, sockets: 1 });

  for (let second = 0; second < 20; second++) {
    emulator.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const followers = streams.filter((_, i) => i % 2 === 0);
  const watchers = streams.filter((_, i) => i % 2 === 1);
  const completed = await Promise.all(followers.map((stream) => stream.completed(20_000)));
  const first = completed[0]?.map((result) => result.data?.callUpdated.updatedAt);
  for (const results of completed) {
    expect(LIFE).toContainEqual(
      statusesOf(results.map((result) => result.data?.callUpdated.status)),
    );
    expect(results.map((result) => result.data?.callUpdated.updatedAt)).toEqual(first);
  }
  // callEvents opened after the call was placed: every state from RINGING on, the same ones.
  const after = first?.slice(1);
  for (const stream of watchers) {
    expect(stream.results.map((result) => result.data?.callEvents.updatedAt)).toEqual(after);
  }

  for (const stream of watchers) stream.close();
  const deadline = Date.now() + 10_000;
  while (gateway.events.stats().subscriptions > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(gateway.events.stats()).toEqual({
    listeners: 0,
    subscriptions: 0,
    sockets: 0,
    watched: 0,
  });
  expect(emulator.stats().sockets).toBe(before.sockets);
  expect(timers()).toBeLessThanOrEqual(before.timers);
}, 60_000);
