/**
 * Several instances: an event one gateway receives reaches subscribers on another, through
 * Redis pub/sub (the real redis-server CI installs), both sharing one store of call owners.
 */
import { createEmulator } from '@voipbin-kit/emulator';
import { afterAll, expect, it } from 'vitest';
import { createRedisFanout } from '../../src/events/redis-fanout.ts';
import { createGateway, type Gateway } from '../../src/index.ts';
import { hashApiKey } from '../../src/security/auth.ts';
import { describeOnRedis } from '../security/redis-server.ts';
import { graphql } from '../support/graphql.ts';
import { CALL_EVENTS, CALL_UPDATED, LIFE, PLACE, statusesOf } from '../support/live.ts';
import { type SseSubscription, subscribe } from '../support/sse.ts';

const SECRET = 'webhook-secret-0123456789abcdef';
const KEY_A = 'key-of-principal-a';
const KEY_B = 'key-of-principal-b';

describeOnRedis((connect, url) => {
  const gateways: Gateway[] = [];
  const streams: SseSubscription[] = [];
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await Promise.all(gateways.map((gateway) => gateway.close()));
  });

  it("delivers an event received by one instance to another instance's subscribers, its owner's only", async () => {
    const emulator = createEmulator({ clock: 'manual' });
    const prefix = `test-${crypto.randomUUID()}:`;
    const channel = `${prefix}events`;
    const apiKeyHashes = [await hashApiKey(KEY_A), await hashApiKey(KEY_B)];
    const instance = async () => {
      const gateway = createGateway({
        upstream: { kind: 'emulator', emulator },
        security: { auth: { apiKeyHashes }, store: await connect(prefix) },
        events: {
          source: 'webhook',
          webhookSecret: SECRET,
          fanout: await createRedisFanout({ url: url(), channel }),
        },
      });
      gateways.push(gateway);
      await gateway.ready();
      return gateway;
    };
    const receiving = await instance();
    const serving = await instance();
    // VoIPBIN posts every event to one URL: here, the first instance only.
    emulator.subscribe((event) => {
      void receiving.fetch(
        new Request(`http://gateway.test/webhooks/voipbin/${SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
        }),
      );
    });
    const fetchOf = (gateway: Gateway) => (request: Request) => gateway.fetch(request);
    // Open before the call is placed: they see it from its first state.
    const everyOfA = await subscribe(fetchOf(serving), CALL_EVENTS, {
      headers: { 'x-api-key': KEY_A },
    });
    const everyOfB = await subscribe(fetchOf(receiving), CALL_EVENTS, {
      headers: { 'x-api-key': KEY_B },
    });
    const placed = await graphql(serving, PLACE, undefined, { 'x-api-key': KEY_A });
    const id = placed.data?.createCall.calls[0].id as string;
    const follow = await subscribe(fetchOf(serving), CALL_UPDATED, {
      variables: { id },
      headers: { 'x-api-key': KEY_A },
    });
    streams.push(follow, everyOfA, everyOfB);
    await follow.next();
    for (let second = 0; second < 20; second++) {
      emulator.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const results = await follow.completed();
    expect(LIFE).toContainEqual(
      statusesOf(results.map((result) => result.data?.callUpdated.status)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(LIFE).toContainEqual(
      statusesOf(everyOfA.results.map((result) => result.data?.callEvents.status)),
    );
    expect(everyOfB.results).toEqual([]);
  });
});
