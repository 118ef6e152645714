/**
 * The gateway's `Store` on Cloudflare: a SQLite-backed Durable Object, one object a key
 * (`store.ts` routes each key by name), so that every operation runs inside the one object
 * that holds its key, one at a time: atomic, strongly consistent, shared by every isolate.
 * Why one object a key: docs/decisions/2026-12-07-durable-objects-on-workers.md.
 *
 * Each method runs its SQL synchronously (the storage API is synchronous on SQLite), so no
 * other request interleaves with it. Expired rows read as absent; the object's alarm, set to
 * its earliest expiry, deletes them, and deletes everything (the alarm too) once nothing is
 * left: an object whose keys have all expired costs nothing.
 */
import type { IndexEntry, TakeResult } from '../security/store.ts';
import { SqlObject } from './sql-object.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entry (
  key TEXT PRIMARY KEY,
  value TEXT,
  tokens REAL,
  updated_at INTEGER,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS member (
  key TEXT NOT NULL,
  member TEXT NOT NULL,
  score INTEGER NOT NULL,
  PRIMARY KEY (key, member)
);
CREATE INDEX IF NOT EXISTS member_by_score ON member (key, score);
CREATE TABLE IF NOT EXISTS idx (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
`;

export class GatewayStore extends SqlObject {
  protected get schema() {
    return SCHEMA;
  }

  /** The live row of `key` (an expired one reads as absent; the alarm deletes it). */
  private live(key: string, now: number) {
    const [row] = this.rows<{ value: string | null; tokens: number | null; updated_at: number }>(
      'SELECT value, tokens, updated_at FROM entry WHERE key = ? AND expires_at > ?',
      key,
      now,
    );
    return row;
  }

  /** Makes sure the alarm rings no later than `at`, to delete what expires then. */
  private async expireBy(at: number): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at);
  }

  async take(key: string, perMinute: number, burst: number): Promise<TakeResult> {
    const now = Date.now();
    const perMs = perMinute / 60_000;
    const row = this.live(key, now);
    let tokens = burst;
    if (row && row.tokens !== null) {
      tokens = Math.min(burst, row.tokens + Math.max(0, now - row.updated_at) * perMs);
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    // Once full again, the bucket is as good as absent.
    const expiresAt = now + Math.max(1, Math.ceil((burst - tokens) / perMs));
    this.exec(
      'INSERT OR REPLACE INTO entry (key, value, tokens, updated_at, expires_at) VALUES (?, NULL, ?, ?, ?)',
      key,
      tokens,
      now,
      expiresAt,
    );
    await this.expireBy(expiresAt);
    return {
      allowed,
      retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / perMs),
      remaining: Math.floor(tokens),
    };
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    if (this.live(key, now)) return false;
    await this.write(key, value, now + ttlMs);
    return true;
  }

  async get(key: string): Promise<string | null> {
    // A key nobody wrote creates no tables: the object stays empty and free.
    if (!this.exists()) return null;
    const row = this.live(key, Date.now());
    return typeof row?.value === 'string' ? row.value : null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.write(key, value, Date.now() + ttlMs);
  }

  async delete(key: string): Promise<void> {
    if (!this.exists()) return;
    this.exec('DELETE FROM entry WHERE key = ?', key);
  }

  async indexAdd(key: string, members: string[], ttlMs: number, max: number): Promise<void> {
    const now = Date.now();
    this.dropIndexIfExpired(key, now);
    const [top] = this.rows<{ score: number | null }>(
      'SELECT MAX(score) AS score FROM member WHERE key = ?',
      key,
    );
    let last = top?.score ?? -1;
    for (const member of members) {
      const known = this.rows('SELECT 1 FROM member WHERE key = ? AND member = ?', key, member);
      if (known.length > 0) continue;
      last = Math.max(now, last + 1);
      this.exec('INSERT INTO member (key, member, score) VALUES (?, ?, ?)', key, member, last);
    }
    // Keeps the newest `max`.
    this.exec(
      'DELETE FROM member WHERE key = ? AND score NOT IN (SELECT score FROM member WHERE key = ? ORDER BY score DESC LIMIT ?)',
      key,
      key,
      max,
    );
    const expiresAt = now + ttlMs;
    this.exec('INSERT OR REPLACE INTO idx (key, expires_at) VALUES (?, ?)', key, expiresAt);
    await this.expireBy(expiresAt);
  }

  async indexPage(key: string, limit: number, before?: number): Promise<IndexEntry[]> {
    if (!this.exists()) return [];
    if (this.dropIndexIfExpired(key, Date.now())) return [];
    return this.rows<{ member: string; score: number }>(
      'SELECT member, score FROM member WHERE key = ? AND score < ? ORDER BY score DESC LIMIT ?',
      key,
      before ?? Number.MAX_SAFE_INTEGER,
      limit,
    ).map(({ member, score }) => ({ member, score }));
  }

  /** Deletes what has expired; once nothing is left, everything (the object is then free). */
  async alarm(): Promise<void> {
    const now = Date.now();
    this.exec('DELETE FROM entry WHERE expires_at <= ?', now);
    for (const { key } of this.rows<{ key: string }>(
      'SELECT key FROM idx WHERE expires_at <= ?',
      now,
    )) {
      this.dropIndexIfExpired(key, now);
    }
    const [next] = this.rows<{ at: number | null }>(
      'SELECT MIN(at) AS at FROM (SELECT MIN(expires_at) AS at FROM entry UNION ALL SELECT MIN(expires_at) FROM idx)',
    );
    if (typeof next?.at === 'number') await this.ctx.storage.setAlarm(next.at);
    else await this.forget();
  }

  private async write(key: string, value: string, expiresAt: number): Promise<void> {
    this.exec(
      'INSERT OR REPLACE INTO entry (key, value, tokens, updated_at, expires_at) VALUES (?, ?, NULL, NULL, ?)',
      key,
      value,
      expiresAt,
    );
    await this.expireBy(expiresAt);
  }

  /** True when the index `key` had expired (it is then deleted, members and all). */
  private dropIndexIfExpired(key: string, now: number): boolean {
    const [index] = this.rows<{ expires_at: number }>(
      'SELECT expires_at FROM idx WHERE key = ?',
      key,
    );
    if (!index || index.expires_at > now) return false;
    this.exec('DELETE FROM member WHERE key = ?', key);
    this.exec('DELETE FROM idx WHERE key = ?', key);
    return true;
  }
}
