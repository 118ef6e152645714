// The benchmark's request bodies for case D (the Mesh gateway), read from mutation.graphql.
//   body:        the quickstart's call with a realistic selection (ids, status, source/target, ...)
//   bodyMinimal: the same call selecting only the calls' `id status` (the counterpart of B2)
import { readFileSync } from 'node:fs';

export const query = readFileSync(new URL('./mutation.graphql', import.meta.url), 'utf8')
  .replace(/^#.*\n/gm, '')
  .trim();

export const queryMinimal = query.replace(
  /\{\s*\.\.\. on post_calls_200_response[\s\S]*$/,
  '{ ... on post_calls_200_response { calls { id status } } ... on ErrorResponse { error { status reason message } } }\n}',
);

export const variables = {
  text: 'Hello. This is voipbin test. The voipbin provides ready to go CPaaS service. Thank you, bye.',
};

export const body = JSON.stringify({ query, variables });
export const bodyMinimal = JSON.stringify({ query: queryMinimal, variables });
