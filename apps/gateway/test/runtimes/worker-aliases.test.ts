/**
 * The Worker build's stand-ins (wrangler.toml `[alias]`): the LRU behaves as lru-cache does for
 * Yoga's caches (`new LRUCache({ max, ttl })`, `get`, `set`), and the landing page is a string.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LRUCache } from '../../src/runtime/worker-aliases/lru-cache.ts';
import { createWebSocketSource } from '../../src/runtime/worker-aliases/websocket-source.ts';
import landingPage from '../../src/runtime/worker-aliases/yoga-landing-page.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the Worker's LRU (lru-cache's stand-in)", () => {
  it('evicts the least recently used entry beyond max, as lru-cache does', () => {
    // The expected values are lru-cache 10's answers to the same script.
    const cache = new LRUCache<string, number>({ max: 3, ttl: 60_000 });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4); // evicts b, the least recently used
    expect(cache.get('b')).toBeUndefined();
    cache.set('a', 10).set('e', 5); // a is refreshed; c goes
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('a')).toBe(10);
    expect(cache.get('d')).toBe(4);
    expect(cache.get('e')).toBe(5);
    expect(cache.size).toBe(3);
  });

  it('never returns an entry older than ttl', () => {
    let now = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const cache = new LRUCache<string, string>({ max: 10, ttl: 100 });
    cache.set('doc', 'parsed');
    now += 100;
    expect(cache.get('doc')).toBe('parsed');
    now += 1;
    expect(cache.has('doc')).toBe(false);
    expect(cache.get('doc')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new LRUCache({ max: 0 })).toThrow(TypeError);
  });
});

describe("the Worker's landing page (never served: landingPage is false)", () => {
  it('is a short HTML page with the placeholders Yoga fills in', () => {
    expect(landingPage).toContain('__GRAPHIQL_LINK__');
    expect(landingPage.length).toBeLessThan(300);
  });
});

describe("the Worker's WebSocket event source (never built: the Worker polls)", () => {
  it('says why it is not there', () => {
    expect(() => createWebSocketSource()).toThrow(/not in the Worker build.*use poll or webhook/);
  });
});
