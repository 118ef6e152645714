import type { Flow } from '@voipbin-kit/core';
import { type Context, loadEach, reveal } from '../context.ts';
import { gatewayError } from '../error-codes.ts';
import { notFoundAsNull } from '../errors.ts';

/**
 * calls: a page of the caller's calls, newest first: from its owner records, each read
 * through the request's loader (with `calls:admin` or pass-through, VoIPBIN's own list).
 */
export async function listCalls(
  ctx: Context,
  first: number | null | undefined,
  after: string | null | undefined,
) {
  if (first != null && (first < 1 || first > 100)) {
    throw gatewayError('BAD_USER_INPUT', '`first` must be from 1 to 100', {
      issues: [{ path: 'first', message: 'Expected 1 to 100' }],
    });
  }
  const size = first ?? 20;
  if (ctx.owner !== null) {
    const page = await ctx.security.ownership.page(ctx.owner, size, after);
    const calls = await loadEach(
      ctx,
      page.items.map((item) => item.id),
    );
    const edges = page.items.flatMap((item, i) => {
      const node = calls[i];
      return node ? [{ cursor: item.cursor, node }] : [];
    });
    return {
      edges,
      nodes: edges.map((edge) => edge.node),
      pageInfo: { hasNextPage: page.next !== null, endCursor: page.next },
    };
  }
  // VoIPBIN sets next_page_token on every page that is not empty (am calls.go), so a page that
  // ends the list exactly would promise one more, empty: ask one call more to know.
  const ask = Math.min(size + 1, 100);
  const page = await ctx.voipbin.calls.list(
    { page_size: ask, ...(after ? { page_token: after } : {}) },
    ctx.upstreamOptions,
  );
  const nodes = page.result.slice(0, size);
  const more = page.result.length > size || (ask === size && page.next_page_token !== null);
  const last = nodes.at(-1)?.tm_create;
  return {
    edges: nodes.map((node) => ({ cursor: pageToken(node.tm_create), node })),
    nodes,
    pageInfo: {
      hasNextPage: more,
      endCursor: !more ? null : ask === size ? page.next_page_token : pageToken(last),
    },
  };
}

/** VoIPBIN's page token of a call: its `tm_create` as `2006-01-02T15:04:05.000000Z`. */
function pageToken(created: string | null | undefined): string {
  if (!created) return '';
  const [, seconds, fraction = ''] = /^(.*?:\d{2})(?:\.(\d+))?Z$/.exec(created) ?? [];
  return seconds ? `${seconds}.${fraction.padEnd(6, '0').slice(0, 6)}Z` : created;
}

/** flow: a flow by id when it is the caller's, else null. */
export async function flowById(ctx: Context, id: string): Promise<Flow | null> {
  // Someone else's, or never made here: not even asked upstream.
  if (ctx.owner !== null && (await ctx.security.ownership.ownerOf('flow', id)) !== ctx.owner) {
    return null;
  }
  const flow = await ctx.voipbin.flows.get(id, ctx.upstreamOptions).catch(notFoundAsNull);
  if (flow) reveal(ctx, flow.id);
  return flow;
}
