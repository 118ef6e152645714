import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAvailability, redisAvailabilityHere } from './redis-server.ts';

describe('whether the Redis store tests run (redisAvailability)', () => {
  it('runs them when redis-server is installed', () => {
    expect(redisAvailability({ binary: '/usr/bin/redis-server', required: false })).toEqual({
      run: true,
    });
    expect(redisAvailability({ binary: '/usr/bin/redis-server', required: true })).toEqual({
      run: true,
    });
  });

  it('runs them against GATEWAY_TEST_REDIS_URL without a binary', () => {
    expect(
      redisAvailability({ binary: undefined, url: 'redis://127.0.0.1:6379', required: false }),
    ).toEqual({ run: true });
  });

  it('skips them on a machine with only Node.js and npm, saying how to get Redis', () => {
    const decision = redisAvailability({ binary: undefined, required: false });
    expect(decision.run).toBe(false);
    const notice = decision.run ? '' : decision.notice;
    expect(notice).toMatch(/^SKIPPED: the Redis store tests/);
    expect(notice).toContain('apt-get install redis-server');
    expect(notice).toContain('VOIPBIN_KIT_REQUIRE_REDIS=1');
  });

  it('runs them, and so fails, without a binary when CI requires them', () => {
    expect(redisAvailability({ binary: undefined, required: true })).toEqual({ run: true });
  });
});

describe('redisAvailabilityHere: the PATH and the environment', () => {
  const empty = mkdtempSync(join(tmpdir(), 'gateway-no-redis-'));
  const withRedis = mkdtempSync(join(tmpdir(), 'gateway-redis-bin-'));
  writeFileSync(join(withRedis, 'redis-server'), '#!/bin/sh\n');
  chmodSync(join(withRedis, 'redis-server'), 0o755);
  afterAll(() => {
    rmSync(empty, { recursive: true, force: true });
    rmSync(withRedis, { recursive: true, force: true });
  });

  it('finds redis-server on the PATH', () => {
    expect(redisAvailabilityHere({ PATH: withRedis })).toEqual({ run: true });
  });

  it('skips without one, unless VOIPBIN_KIT_REQUIRE_REDIS=1 or GATEWAY_TEST_REDIS_URL', () => {
    expect(redisAvailabilityHere({ PATH: empty }).run).toBe(false);
    expect(redisAvailabilityHere({ PATH: empty, VOIPBIN_KIT_REQUIRE_REDIS: '1' }).run).toBe(true);
    expect(
      redisAvailabilityHere({ PATH: empty, GATEWAY_TEST_REDIS_URL: 'redis://127.0.0.1:6379' }).run,
    ).toBe(true);
  });
});
