import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fieldOfPath, toErrorView } from './errors.ts';

const graphQLError = (message: string, extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] });

describe('fieldOfPath', () => {
  it.each([
    ['input.source.target', 'source'],
    ['input.source', 'source'],
    ['input.destinations.0.target', 'destination'],
    ['input.destinations', 'destination'],
    ['input.actions.0.talk.text', 'text'],
    ['input.actions.0.talk.language', 'language'],
    ['input.actions.0.talk.gender', 'gender'],
  ])('maps %s to the %s field', (path, field) => {
    expect(fieldOfPath(path)).toBe(field);
  });

  it('maps paths the form has no field for to none', () => {
    expect(fieldOfPath('input.actions')).toBeUndefined();
    expect(fieldOfPath('input.destinations.1.target')).toBeUndefined();
    expect(fieldOfPath('idempotencyKey')).toBeUndefined();
  });
});

describe('toErrorView', () => {
  it('puts BAD_USER_INPUT and FORBIDDEN issues next to their field, the rest in the banner', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('Refused', {
          extensions: {
            code: 'FORBIDDEN',
            issues: [
              { path: 'input.destinations.0.target', message: 'in a denied range (+1900)' },
              { path: 'input.actions', message: 'At most 100 actions' },
            ],
          },
        }),
        new GraphQLError('Invalid', {
          extensions: {
            code: 'BAD_USER_INPUT',
            issues: [{ path: 'input.actions.0.talk.text', message: 'too long' }],
          },
        }),
      ],
    });
    expect(toErrorView(error)).toEqual({
      fields: { destination: 'in a denied range (+1900)', text: 'too long' },
      banner: ['input.actions: At most 100 actions'],
    });
  });

  it('shows a FORBIDDEN refusal without issues in the banner', () => {
    expect(toErrorView(graphQLError('Missing scope calls:write', { code: 'FORBIDDEN' }))).toEqual({
      fields: {},
      banner: ['Refused: Missing scope calls:write'],
    });
  });

  it('says how long to wait when rate limited, in seconds', () => {
    const view = toErrorView(
      graphQLError('Too many', { code: 'RATE_LIMITED', retryAfterMs: 4200 }),
    );
    expect(view.banner).toEqual(['Too many calls: try again in 5 s.']);
    const upstream = toErrorView(graphQLError('VoIPBIN: slow down', { code: 'RATE_LIMITED' }));
    expect(upstream.banner[0]).toMatch(/Try again later/);
  });

  it('says when a call may have been placed (outcomeUnknown)', () => {
    const view = toErrorView(
      graphQLError('timeout', { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true }),
    );
    expect(view.banner[0]).toMatch(/may have been placed/);
  });

  it('says the gateway cannot be reached on a network error', () => {
    const view = toErrorView(new CombinedError({ networkError: new TypeError('Failed to fetch') }));
    expect(view).toEqual({
      fields: {},
      banner: ['The gateway cannot be reached (network error). Is it running?'],
    });
  });

  it('names the HTTP status of a refused stream', () => {
    const networkError = Object.assign(new Error('Server responded with 429: Too Many Requests'), {
      response: { status: 429 },
    });
    expect(toErrorView(new CombinedError({ networkError })).banner[0]).toMatch(/HTTP 429/);
  });
});
