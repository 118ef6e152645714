import { describe, expect, it } from 'vitest';
import { RecentKeys } from './recent-keys.ts';

describe('RecentKeys', () => {
  it('says whether a key came before', () => {
    const recent = new RecentKeys(3);
    expect(recent.seen('a')).toBe(false);
    expect(recent.seen('a')).toBe(true);
    expect(recent.seen('b')).toBe(false);
  });

  it('stays at its capacity: 10,000 distinct keys leave the last ones only', () => {
    const recent = new RecentKeys(500);
    for (let i = 0; i < 10_000; i++) recent.seen(`key ${i}`);
    expect(recent.size).toBe(500);
    expect(recent.seen('key 9999')).toBe(true);
    expect(recent.seen('key 9500')).toBe(true);
    expect(recent.seen('key 9499')).toBe(false);
    expect(recent.size).toBe(500);
  });

  it('forgets the least recently seen first: a repeat counts as recent', () => {
    const recent = new RecentKeys(2);
    recent.seen('a');
    recent.seen('b');
    recent.seen('a'); // a is recent again, b is the oldest
    recent.seen('c'); // b goes
    expect(recent.seen('a')).toBe(true);
    expect(recent.seen('b')).toBe(false);
  });
});
