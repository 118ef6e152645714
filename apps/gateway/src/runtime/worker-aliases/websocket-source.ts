/**
 * The Worker build's stand-in for the WebSocket event source (wrangler.toml `[alias]`): an
 * isolate holds no socket between requests, so the Worker entry refuses that source and uses
 * polling (or webhooks); this keeps the source and core's socket client out of its bundle.
 */
import type { EventSource } from '../../events/source.ts';

export function createWebSocketSource(): EventSource {
  throw new Error(
    'The websocket event source is not in the Worker build: an isolate holds no socket between requests (use poll or webhook)',
  );
}
