import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type GatewayErrorCode, gatewayError } from '../../error-codes.ts';
import type { HygieneLimits } from './limits.ts';

/** graphql-armor's callback: its message without the misleading "Syntax Error: ", with a code. */
function reportAs(code: GatewayErrorCode) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const clear = gatewayError(code, error.message.replace(/^Syntax Error: /, ''));
    if (!context) throw clear;
    context.reportError(clear);
  };
}

/**
 * graphql-armor's limits on a document, each refused as a validation error with its own code:
 * depth (`DEPTH_LIMIT_EXCEEDED`), aliases (`ALIAS_LIMIT_EXCEEDED`), directives
 * (`DIRECTIVE_LIMIT_EXCEEDED`) and cost (`COST_LIMIT_EXCEEDED`).
 */
export function useDocumentLimits(
  limits: Required<Pick<HygieneLimits, 'depth' | 'aliases' | 'directives' | 'cost'>>,
): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        maxDepthPlugin({
          n: limits.depth,
          propagateOnRejection: false,
          onReject: [reportAs('DEPTH_LIMIT_EXCEEDED')],
        }),
      );
      addPlugin(
        maxAliasesPlugin({
          n: limits.aliases,
          propagateOnRejection: false,
          onReject: [reportAs('ALIAS_LIMIT_EXCEEDED')],
        }),
      );
      addPlugin(
        maxDirectivesPlugin({
          n: limits.directives,
          propagateOnRejection: false,
          onReject: [reportAs('DIRECTIVE_LIMIT_EXCEEDED')],
        }),
      );
      addPlugin(
        costLimitPlugin({
          maxCost: limits.cost,
          propagateOnRejection: false,
          onReject: [reportAs('COST_LIMIT_EXCEEDED')],
        }),
      );
    },
  };
}
