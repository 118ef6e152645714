/**
 * Traces on Node, Bun and Deno: OpenTelemetry's AsyncLocalStorage context manager, registered
 * once per process, keeps the operation's span active across its resolvers' async work, so
 * the store's and VoIPBIN's spans are its children.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createTracing, type Tracing, type TracingConfig, type TracingOptions } from './index.ts';

let registered = false;

export function startTracing(config: TracingConfig, options?: TracingOptions): Tracing {
  if (!registered) {
    registered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  return createTracing(config, options);
}
