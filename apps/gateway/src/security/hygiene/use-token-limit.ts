import { type DocumentNode, GraphQLError, type ParseOptions, parse, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../error-codes.ts';

/** graphql's parser, with its token and comment limits, and a clear error past them. */
function limitedParse(tokens: number) {
  return (source: string | Source, options?: ParseOptions): DocumentNode => {
    try {
      return parse(source, { ...options, maxLexicalTokens: tokens, maxComments: tokens });
    } catch (error) {
      if (
        error instanceof GraphQLError &&
        /more th(?:an|at) \d+ (?:tokens|comments)/.test(error.message)
      ) {
        const what = error.message.includes('comments') ? 'comments' : 'tokens';
        throw gatewayError(
          'TOKEN_LIMIT_EXCEEDED',
          `The document has more than ${tokens} ${what} (the limit); send large inputs as variables.`,
          { http: { status: 400 } },
        );
      }
      throw error;
    }
  };
}

/**
 * Documents parsed with graphql's own limits: at most `tokens` lexical tokens, and as many
 * comments (`TOKEN_LIMIT_EXCEEDED` past them).
 */
export function useTokenLimit(tokens: number): Plugin {
  return { onParse: ({ setParseFn }) => setParseFn(limitedParse(tokens)) };
}
