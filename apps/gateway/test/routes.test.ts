/** Routes beside /graphql: served before GraphQL, each with its methods; the rest is Yoga's. */
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/index.ts';
import { graphql } from './support/graphql.ts';

const echo = {
  path: '/webhooks/test',
  methods: ['POST'],
  handle: async (request: Request) =>
    new Response(`got ${await request.text()}`, { headers: { 'content-type': 'text/plain' } }),
} as const;

describe('routes beside /graphql', () => {
  const gateway = createGateway({ routes: [echo] });
  const send = (path: string, init?: RequestInit) =>
    gateway.fetch(new Request(`http://gateway.test${path}`, init));

  it('serves a route, before any GraphQL check (no CSRF header, not JSON)', async () => {
    const response = await send('/webhooks/test', { method: 'POST', body: 'a=1' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('got a=1');
  });

  it('answers 405 with Allow for a method the route does not take', async () => {
    const response = await send('/webhooks/test');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('leaves /graphql, /health and unknown paths to Yoga', async () => {
    expect((await graphql(gateway, '{ __typename }')).data).toEqual({ __typename: 'Query' });
    expect((await send('/health')).status).toBe(200);
    expect((await send('/webhooks/other', { method: 'POST' })).status).toBe(404);
  });

  it('answers /health with its status and upstream as JSON, GET and HEAD, nothing cached', async () => {
    const response = await send('/health');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok', upstream: 'emulator' });
    const head = await send('/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await send('/health', { method: 'POST' })).status).toBe(405);
    // Yoga's own check answers any URL ending in its endpoint: not a path under a route.
    expect((await send('/webhooks/other/health', { method: 'POST' })).status).toBe(404);
  });

  it('says a real VoIPBIN is the upstream when there is one, asking it nothing', async () => {
    const gatewayOnVoipbin = createGateway({
      upstream: { kind: 'voipbin', baseURL: 'http://127.0.0.1:1/v1.0', token: 'voipbin-token' },
      security: { insecureNoAuth: true },
    });
    const response = await gatewayOnVoipbin.fetch(new Request('http://gateway.test/health'));
    expect(await response.json()).toEqual({ status: 'ok', upstream: 'voipbin' });
  });

  it('refuses two routes on one path', () => {
    expect(() => createGateway({ routes: [echo, echo] })).toThrow('Two routes for /webhooks/test');
  });
});
