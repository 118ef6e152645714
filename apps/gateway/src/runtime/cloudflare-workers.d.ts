// The one export of the Workers runtime module that worker.ts uses, typed here so the gateway
// needs no @cloudflare/workers-types. https://developers.cloudflare.com/workers/runtime-apis/context/
declare module 'cloudflare:workers' {
  /** Extends the current request's lifetime until `promise` settles (as `ctx.waitUntil`). */
  export function waitUntil(promise: Promise<unknown>): void;
}
