import type { Plugin } from 'graphql-yoga';
import { errorBody, gatewayError } from '../../error-codes.ts';

/** The media types Yoga answers a GraphQL request in (its result processors), UTF-8 only. */
const ANSWERED_MEDIA_TYPES = [
  'application/graphql-response+json',
  'application/json',
  'text/event-stream',
  'multipart/mixed',
];

/** Whether Yoga finds a result processor for `accept`, matching as Yoga does (wildcards, charset). */
function acceptable(accept: string | null): boolean {
  return (accept || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .some((entry) => {
      const [type = '', ...params] = entry.split(';');
      const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
      if (charset !== 'charset=utf-8') return false;
      const [pre, suf] = type.split('/');
      return ANSWERED_MEDIA_TYPES.some((answered) => {
        const [answeredPre, answeredSuf] = answered.split('/');
        return (pre === '*' || pre === answeredPre) && (suf === '*' || suf === answeredSuf);
      });
    });
}

/** Refuses a body with a Content-Encoding: Yoga would read gzip bytes as they are (415). */
export function refuseContentEncoding(request: Request): void {
  const encoding = request.headers.get('content-encoding');
  if (encoding !== null && !/^\s*(identity)?\s*$/i.test(encoding)) {
    throw gatewayError(
      'UNSUPPORTED_CONTENT_ENCODING',
      'This gateway reads request bodies as they are sent: a Content-Encoding (gzip, br, deflate...) is not accepted; send the body uncompressed, without the header.',
      { http: { status: 415 } },
    );
  }
}

/**
 * Refuses, before parsing, a request Yoga would answer blind or misread: an `Accept` that allows
 * none of the media types Yoga answers in (Yoga would run the operation, a mutation too, then
 * answer an empty 406): 406 `NOT_ACCEPTABLE` with a JSON body that says so; a body with a
 * `Content-Encoding`: 415 `UNSUPPORTED_CONTENT_ENCODING`.
 */
export function useRequestFormat(): Plugin {
  return {
    onRequestParse({ request, endResponse, fetchAPI }) {
      if (!acceptable(request.headers.get('accept'))) {
        // Not through Yoga's result processors: none of them may answer this request.
        endResponse(
          new fetchAPI.Response(
            errorBody(
              'NOT_ACCEPTABLE',
              `The Accept header allows none of the media types this gateway answers in (${ANSWERED_MEDIA_TYPES.join(', ')}, in UTF-8); nothing was run.`,
            ),
            {
              status: 406,
              headers: {
                'content-type': 'application/json; charset=utf-8',
                accept: ANSWERED_MEDIA_TYPES.join(', '),
              },
            },
          ),
        );
        return;
      }
      refuseContentEncoding(request);
    },
  };
}
