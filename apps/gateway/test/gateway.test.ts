/**
 * `createGateway` as the entries build it: what it says about its upstream, what production
 * turns off, and the settings of `readEnv` taking effect (trusted documents).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readEnv } from '../src/env.ts';
import { createGateway } from '../src/index.ts';
import { recordResponse } from './support/canary.ts';
import { graphql, postGraphQL, QUICKSTART } from './support/graphql.ts';

const BASE_URL = 'http://voipbin.test/v1.0';
const CANARY = 'CANARY-s3cr3t-key';

const PLACE_CALL = /* GraphQL */ `mutation Place {
  createCall(input: {
    source: { type: TEL, target: "${QUICKSTART.source}" }
    destinations: [{ type: TEL, target: "${QUICKSTART.destination}" }]
    actions: [{ talk: { text: "Hello" } }]
  }) { calls { id status } }
}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('upstreamDescription', () => {
  it('names VoIPBIN and its base URL, never the credential', () => {
    const gateway = createGateway({
      upstream: { kind: 'voipbin', baseURL: BASE_URL, accessKey: CANARY },
      security: { auth: { apiKeyHashes: ['a'.repeat(64)] } },
    });
    expect(gateway.upstreamDescription).toBe(`VoIPBIN at ${BASE_URL}`);
    expect(gateway.upstreamDescription).not.toMatch(/CANARY|s3cr3t|accesskey/i);
    expect(gateway.emulator).toBeUndefined();
  });

  it('leaves out a user and password written into the base URL', () => {
    const gateway = createGateway({
      upstream: {
        kind: 'voipbin',
        baseURL: `http://proxy:${CANARY}@voipbin.test/v1.0`,
        token: 't',
      },
      security: { auth: { apiKeyHashes: ['a'.repeat(64)] } },
    });
    expect(gateway.upstreamDescription).toBe('VoIPBIN at http://voipbin.test/v1.0');
  });

  it('says so when the gateway runs the embedded emulator', () => {
    expect(createGateway().upstreamDescription).toBe(
      'the embedded VoIPBIN emulator (no account, no real calls)',
    );
  });
});

describe('production', () => {
  it('serves no GraphiQL: GET /graphql asking for HTML gets no page', async () => {
    const page = async (production: boolean) =>
      recordResponse(
        `GET /graphql (production: ${production})`,
        await createGateway({ production }).fetch(
          new Request('http://gateway.test/graphql', { headers: { accept: 'text/html' } }),
        ),
      );
    const response = await page(true);
    const text = await response.text();
    expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(text).not.toMatch(/<html|graphiql/i);

    // Outside production, the same request gets GraphiQL.
    expect(await (await page(false)).text()).toMatch(/<html/i);
  });

  it('refuses introspection, and still answers ordinary queries', async () => {
    const gateway = createGateway({ production: true });
    const introspection = await graphql(gateway, '{ __schema { types { name } } }');
    expect(introspection.data).toBeUndefined();
    expect(introspection.errors?.[0]?.message).toMatch(/introspection has been disabled/i);
    expect(await graphql(gateway, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('configured by readEnv', () => {
  it('runs only the trusted documents of GATEWAY_TRUSTED_DOCUMENTS', async () => {
    const env = readEnv({
      NODE_ENV: 'production',
      GATEWAY_TRUSTED_DOCUMENTS: JSON.stringify({ [sha256(PLACE_CALL)]: PLACE_CALL }),
    });
    const gateway = createGateway(env);
    const emulator = gateway.emulator;
    const byHash = async (hash: string) =>
      recordResponse(
        'POST /graphql by hash',
        await gateway.fetch(
          new Request('http://gateway.test/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({
              extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
            }),
          }),
        ),
      );

    // The same document sent as a query, and an unknown hash: refused, nothing placed.
    const adHoc = await postGraphQL(gateway, PLACE_CALL);
    expect(adHoc.json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    const unknown = (await (await byHash(sha256('{ __typename }'))).json()) as {
      errors?: { extensions?: { code?: string } }[];
    };
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(emulator?.calls()).toHaveLength(0);

    // The listed one, by its hash: runs.
    const listed = (await (await byHash(sha256(PLACE_CALL))).json()) as {
      data?: { createCall: { calls: { id: string; status: string }[] } };
      errors?: unknown[];
    };
    expect(listed.errors).toBeUndefined();
    expect(listed.data?.createCall.calls).toEqual([
      { id: emulator?.calls()[0]?.id, status: 'DIALING' },
    ]);
    expect(emulator?.calls()).toHaveLength(1);
  });

  it('runs any document without GATEWAY_TRUSTED_DOCUMENTS', async () => {
    const gateway = createGateway(readEnv({ NODE_ENV: 'production' }));
    const { data, errors } = await graphql(gateway, PLACE_CALL);
    expect(errors).toBeUndefined();
    expect(data?.createCall.calls).toHaveLength(1);
  });
});
