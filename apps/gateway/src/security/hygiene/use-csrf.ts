import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../error-codes.ts';

/** Any one of these headers shows that a browser request went through a CORS preflight. */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'graphql-require-preflight',
  'apollo-require-preflight',
  'x-api-key',
];

/**
 * Yoga's CSRF prevention: a request a browser would send without a CORS preflight (a GET, or a
 * POST with a form or text/plain body) must carry one of `CSRF_HEADERS`; refused with 403
 * `CSRF_HEADER_REQUIRED` and a message that says what to send.
 */
export function useCsrf(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse?.(payload);
      } catch {
        throw gatewayError(
          'CSRF_HEADER_REQUIRED',
          `This request could come from any web page (cross-site request forgery): send it as a POST with content-type: application/json, or add one of these headers: ${CSRF_HEADERS.join(', ')}.`,
          { http: { status: 403 } },
        );
      }
    },
  };
}
