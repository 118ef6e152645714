import type { GraphiQLOptions } from 'graphql-yoga';
import { type GraphiQLPageFactory, graphiqlPage } from '../graphiql-page.ts';

/**
 * GraphiQL's page with its assets inlined (@graphql-yoga/render-graphiql): no CDN, works offline.
 * For the Node, Bun and Deno entries; the Worker keeps Yoga's CDN page for its bundle budget.
 */
export async function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  // Imported on the first page asked for: its 9 MB of assets cost no start-up time nor memory to a
  // gateway that never serves GraphiQL (production).
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}

/**
 * The inlined page as the gateway serves it (`createGateway({ graphiql: localGraphiQL })`):
 * rendered and gzipped once, on the first request, then answered from memory with its ETag.
 */
export const localGraphiQL: GraphiQLPageFactory = (host) =>
  graphiqlPage({ ...host, render: renderLocalGraphiQL, compress: true });
