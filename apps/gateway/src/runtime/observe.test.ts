import { describe, expect, it } from 'vitest';
import { StoreFullError } from '../security/store.ts';
import { createMemoryStore } from '../security/store-memory.ts';
import { type ObserverHooks, observedFetch, observedStore, pathTemplate } from './observe.ts';

/**
 * Hooks that record what they are told, as `name(args)` lines; an upstream exchange's seconds
 * are checked to be a duration and left out of its line.
 */
function recorder() {
  const told: string[] = [];
  const hooks = new Proxy({} as ObserverHooks, {
    get:
      (_, name) =>
      (...args: unknown[]) => {
        if (name === 'upstream') {
          expect(args[3]).toBeGreaterThanOrEqual(0);
          args.length = 3;
        }
        told.push(`${String(name)}(${args.join(', ')})`);
      },
  });
  return { told, hooks };
}

describe('pathTemplate', () => {
  const id = '0b5a2f1e-9d1c-4c57-a3a4-52d1a5b0c2de';
  it('keeps the base path, resources and verbs, and puts {id} for every other segment', () => {
    expect(pathTemplate('https://api.voipbin.net/v1.0/calls?accesskey=k', '/v1.0')).toBe(
      '/v1.0/calls',
    );
    expect(pathTemplate(`https://api.voipbin.net/v1.0/calls/${id}/hold`, '/v1.0')).toBe(
      '/v1.0/calls/{id}/hold',
    );
    expect(pathTemplate(`http://e.local/v1.0/groupcalls/${id}`, '/v1.0')).toBe(
      '/v1.0/groupcalls/{id}',
    );
    expect(pathTemplate('http://e.local/v1.0/calls/+821021656521/anything', '/v1.0')).toBe(
      '/v1.0/calls/{id}/{id}',
    );
  });

  it('reads the path alone: never the query or the fragment, whatever they hold', () => {
    expect(pathTemplate('https://api.voipbin.net/v1.0/calls?next=/v1.0/flows/x', '/v1.0')).toBe(
      '/v1.0/calls',
    );
    expect(pathTemplate(`http://127.0.0.1:4010/v1.0/calls/${id}#/hangup`, '/v1.0')).toBe(
      '/v1.0/calls/{id}',
    );
    expect(pathTemplate('http://e.local:8080/v1.0/calls/?accesskey=k#f', '/v1.0')).toBe(
      '/v1.0/calls',
    );
    expect(pathTemplate('http://e.local?accesskey=/v1.0/calls', '/v1.0')).toBe('{other}');
    expect(pathTemplate('http://e.local', '')).toBe('/');
  });

  it('says {other} for a URL outside the base path', () => {
    expect(pathTemplate('http://e.local/elsewhere/calls', '/v1.0')).toBe('{other}');
  });
});

describe('observedFetch', () => {
  it('tells each exchange by method, path template and status, or error when none came', async () => {
    const { told, hooks } = recorder();
    const answering = observedFetch(
      async () => new Response('{}', { status: 404 }),
      'http://e.local/v1.0',
      hooks,
    );
    await answering('http://e.local/v1.0/calls/abc?accesskey=k', { method: 'delete' });
    const failing = observedFetch(
      async () => {
        throw new TypeError('fetch failed');
      },
      'http://e.local/v1.0/',
      hooks,
    );
    await expect(failing('http://e.local/v1.0/calls', { method: 'POST' })).rejects.toThrow(
      'fetch failed',
    );
    expect(told).toEqual([
      'upstream(DELETE, /v1.0/calls/{id}, 404)',
      'upstream(POST, /v1.0/calls, error)',
    ]);
  });
});

describe('observedStore', () => {
  it('tells each failed operation by name, still throwing, and passes the rest through', async () => {
    const { told, hooks } = recorder();
    const store = observedStore(createMemoryStore({ budgets: { idem: { maxKeys: 1 } } }), hooks);
    expect(await store.setIfAbsent('idem:a', '1', 60_000)).toBe(true);
    expect(await store.get('idem:a')).toBe('1');
    await expect(store.setIfAbsent('idem:b', '1', 60_000)).rejects.toBeInstanceOf(StoreFullError);
    expect(told).toEqual(['storeError(setIfAbsent)']);
    expect(store.stats?.()).toMatchObject({ 'keys.idem': 1 });
  });
});
