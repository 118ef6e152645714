import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';

/**
 * Production's schema privacy: no introspection (`__schema`, `__type`: a validation error), and
 * no "Did you mean" suggestions, which would leak the schema field by field.
 */
export function useProduction(): Plugin<Record<string, unknown>> {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useDisableIntrospection());
      addPlugin(blockFieldSuggestionsPlugin({ mask: '' }));
    },
  };
}
