import { DurableObject } from 'cloudflare:workers';

/** A value SQLite hands back or takes. */
type SqlValue = string | number | null;

/**
 * A SQLite-backed Durable Object whose tables (`schema`) come with its first write and go with
 * `forget()`: an object only ever read, or whose data has all gone, holds nothing and costs
 * nothing. The base of `GatewayStore` and `CallEvents`.
 */
export abstract class SqlObject<Env = unknown> extends DurableObject<Env> {
  #tables = false;

  /** The `CREATE TABLE IF NOT EXISTS` statements of the object's tables. */
  protected abstract get schema(): string;

  /** Whether anything was ever written here (without creating the tables to find out). */
  protected exists(): boolean {
    if (this.#tables) return true;
    this.#tables =
      this.ctx.storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1")
        .toArray().length > 0;
    return this.#tables;
  }

  /** Runs one statement (or several), creating the tables first if need be. */
  protected exec<T extends Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]) {
    if (!this.#tables) {
      this.ctx.storage.sql.exec(this.schema);
      this.#tables = true;
    }
    return this.ctx.storage.sql.exec<T>(query, ...bindings);
  }

  /** The rows of one query. */
  protected rows<T extends Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): T[] {
    return this.exec<T>(query, ...bindings).toArray();
  }

  /** Deletes everything (tables, alarm): the object then holds nothing, and costs nothing. */
  protected async forget(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.#tables = false;
  }
}
