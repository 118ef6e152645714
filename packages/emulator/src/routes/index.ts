/**
 * The routes the emulator serves, matched before any credential is checked (am server/
 * no_route.go: an unknown route, or a known path with a method it does not serve, is 404
 * `ROUTE_NOT_FOUND`). The event WebSocket's routes are in sockets.ts.
 */
import { createCalls, deleteCall, getCall, listCalls } from './calls.ts';
import type { Handler, RouteParams } from './context.ts';
import { CONTROL_ROUTES } from './control.ts';
import { createFlow, deleteFlow, getFlow, listFlows, updateFlow } from './flows.ts';

export type { RouteContext } from './context.ts';

/** `[method, path, handler]`, `{id}` standing for a path segment. */
const ROUTES: [string, string, Handler][] = [
  ['POST', '/v1.0/calls', createCalls],
  ['GET', '/v1.0/calls', listCalls],
  ['GET', '/v1.0/calls/{id}', getCall],
  ['DELETE', '/v1.0/calls/{id}', deleteCall],
  ...CONTROL_ROUTES.map(
    ([method, path, handler]) =>
      [method, `/v1.0/calls/{id}/${path}`, handler] as [string, string, Handler],
  ),
  ['POST', '/v1.0/flows', createFlow],
  ['GET', '/v1.0/flows', listFlows],
  ['GET', '/v1.0/flows/{id}', getFlow],
  ['PUT', '/v1.0/flows/{id}', updateFlow],
  ['DELETE', '/v1.0/flows/{id}', deleteFlow],
];

const TABLE = ROUTES.map(([method, path, handler]) => ({
  method,
  segments: path.split('/'),
  handler,
}));

/** The handler of a request and its path parameters, or undefined for no route. */
export function match(
  method: string,
  pathname: string,
): { handler: Handler; params: RouteParams } | undefined {
  const segments = pathname.replace(/\/+$/, '').split('/');
  for (const route of TABLE) {
    if (route.method !== method || route.segments.length !== segments.length) continue;
    let id = '';
    const same = route.segments.every((part, i) => {
      const segment = segments[i] as string;
      if (part === '{id}') {
        id = decodeSegment(segment);
        return segment !== '';
      }
      return part === segment;
    });
    if (same) return { handler: route.handler, params: { id } };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
