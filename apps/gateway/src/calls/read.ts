import type { Flow } from '@voipbin-kit/core';
import { GraphQLError } from 'graphql';
import { type Context, loadEach, reveal } from '../context.ts';
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
    throw new GraphQLError('`first` must be from 1 to 100', {
      extensions: {
        code: 'BAD_USER_INPUT',
        issues: [{ path: 'first', message: 'Expected 1 to 100' }],
      },
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
  const page = await ctx.voipbin.calls.list({
    page_size: size,
    ...(after ? { page_token: after } : {}),
  });
  return {
    edges: page.result.map((node) => ({ cursor: node.tm_create ?? '', node })),
    nodes: page.result,
    pageInfo: { hasNextPage: page.next_page_token !== null, endCursor: page.next_page_token },
  };
}

/** flow: a flow by id when it is the caller's, else null. */
export async function flowById(ctx: Context, id: string): Promise<Flow | null> {
  // Someone else's, or never made here: not even asked upstream.
  if (ctx.owner !== null && (await ctx.security.ownership.ownerOf('flow', id)) !== ctx.owner) {
    return null;
  }
  const flow = await ctx.voipbin.flows.get(id).catch(notFoundAsNull);
  if (flow) reveal(ctx, flow.id);
  return flow;
}
