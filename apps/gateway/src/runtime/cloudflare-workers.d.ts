// What worker.ts and the Durable Objects (src/durable/) use of the Workers runtime, typed here
// so the gateway needs no @cloudflare/workers-types.
// https://developers.cloudflare.com/workers/runtime-apis/context/
// https://developers.cloudflare.com/durable-objects/api/
declare module 'cloudflare:workers' {
  /** Extends the current request's lifetime until `promise` settles (as `ctx.waitUntil`). */
  export function waitUntil(promise: Promise<unknown>): void;

  /** A cursor over the rows of one SQL statement. */
  export interface SqlCursor<Row> {
    toArray(): Row[];
    one(): Row;
    readonly rowsWritten: number;
  }

  /** A SQLite-backed Durable Object's storage (the `new_sqlite_classes` of wrangler.toml). */
  export interface DurableObjectStorage {
    sql: {
      exec<Row extends Record<string, string | number | null>>(
        query: string,
        ...bindings: (string | number | null)[]
      ): SqlCursor<Row>;
    };
    getAlarm(): Promise<number | null>;
    setAlarm(scheduledTime: number): Promise<void>;
    deleteAlarm(): Promise<void>;
    /** Deletes every row and the alarm: the object then costs nothing until used again. */
    deleteAll(): Promise<void>;
  }

  /** A WebSocket an object accepted: its attachment stays with it while the object hibernates. */
  export interface HibernatableWebSocket extends WebSocket {
    serializeAttachment(value: unknown): void;
    deserializeAttachment(): unknown;
  }

  export interface DurableObjectState {
    readonly storage: DurableObjectStorage;
    /** A WebSocket the runtime holds while the object hibernates (the Hibernation API). */
    acceptWebSocket(socket: HibernatableWebSocket, tags?: string[]): void;
    getWebSockets(tag?: string): HibernatableWebSocket[];
    blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
  }

  /** The base class of a Durable Object whose public methods are called by RPC. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
