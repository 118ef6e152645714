import {
  VoipbinApiError,
  VoipbinNetworkError,
  VoipbinResponseError,
  VoipbinTimeoutError,
  VoipbinValidationError,
} from '@voipbin-kit/core';
import {
  type ASTNode,
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  Kind,
  type ValueNode,
  visit,
} from 'graphql';
import { type Plugin, maskError as yogaMaskError } from 'graphql-yoga';
import { type GatewayErrorCode, gatewayError } from './error-codes.ts';
import { graphqlPath } from './mapping.ts';
import { IdempotencyError, IdempotencyInProgressError } from './security/idempotency.ts';

/** `extensions.code` by VoIPBIN's error status. */
const CODES: Partial<Record<string, GatewayErrorCode>> = {
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  PERMISSION_DENIED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'CONFLICT',
  FAILED_PRECONDITION: 'CONFLICT',
  RESOURCE_EXHAUSTED: 'RATE_LIMITED',
  UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  INTERNAL: 'UPSTREAM_UNAVAILABLE',
};

/** `replayed: true` for the first outcome of an idempotency key, answered again (nothing sent). */
const replayedOf = (error: unknown): { replayed?: true } =>
  (error as { replayed?: unknown }).replayed === true ? { replayed: true } : {};

/**
 * A GraphQL error for what core threw, with `extensions.code`; anything else is rethrown as
 * it is and masked by Yoga. `input` is the VoIPBIN JSON sent, to name issue paths in
 * GraphQL's terms; `argument` is the GraphQL argument it came from.
 */
export function toGraphQLError(
  error: unknown,
  input?: { json: unknown; argument: string },
): unknown {
  if (error instanceof VoipbinValidationError) {
    const issues = error.issues.map((issue) => ({
      path: [input?.argument, input ? graphqlPath(issue.path, input.json) : issue.path]
        .filter(Boolean)
        .join('.'),
      message: issue.message,
    }));
    return gatewayError(
      'BAD_USER_INPUT',
      `Invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  if (error instanceof VoipbinApiError) {
    const code =
      CODES[error.status] ?? (error.httpStatus >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'BAD_REQUEST');
    return gatewayError(code, `VoIPBIN: ${error.upstreamMessage ?? error.message}`, {
      voipbin: {
        httpStatus: error.httpStatus,
        status: error.status,
        reason: error.reason,
        requestId: error.requestId,
      },
      // A proxy's 5xx to createCall: it may have reached VoIPBIN, and the call may be up.
      ...(error.outcomeUnknown ? { outcomeUnknown: true, ...replayedOf(error) } : {}),
    });
  }
  if (error instanceof VoipbinTimeoutError || error instanceof VoipbinNetworkError) {
    return gatewayError(
      error instanceof VoipbinTimeoutError ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
      error.message,
      { outcomeUnknown: error.outcomeUnknown, ...replayedOf(error) },
    );
  }
  if (error instanceof VoipbinResponseError) {
    // For createCall, VoIPBIN accepted the call (2xx): `outcomeUnknown` says not to send it again.
    return gatewayError(
      'UPSTREAM_UNAVAILABLE',
      'VoIPBIN answered with a body this gateway cannot read.',
      { httpStatus: error.httpStatus, outcomeUnknown: error.outcomeUnknown, ...replayedOf(error) },
    );
  }
  if (error instanceof IdempotencyError) {
    const retryAfterMs =
      error instanceof IdempotencyInProgressError ? { retryAfterMs: error.retryAfterMs } : {};
    return gatewayError(error.code, error.message, retryAfterMs);
  }
  return error;
}

/** A catch handler: VoIPBIN's 404 as `null`, for reads that answer null when there is none. */
export function notFoundAsNull(error: unknown): null {
  if (error instanceof VoipbinApiError && error.httpStatus === 404) return null;
  throw error;
}

/**
 * A log line for an error from core, without the words VoIPBIN or a validation put in its
 * message (an upstream message or an unreadable answer may quote a phone number): what was
 * asked, what came back, VoIPBIN's request id. Undefined for any other error.
 */
export function describeForLog(error: unknown): string | undefined {
  const e = error instanceof GraphQLError ? error.originalError : error;
  if (e instanceof VoipbinApiError) {
    return `${e.name}: VoIPBIN answered ${e.httpStatus} ${e.status} (${e.reason}) to ${e.request.method} ${e.request.path}; request id ${e.requestId ?? 'none'}`;
  }
  if (e instanceof VoipbinResponseError) {
    return `${e.name}: VoIPBIN answered ${e.request.method} ${e.request.path} with ${e.httpStatus} and a body that cannot be read (at ${e.issues.map((i) => i.path || '(root)').join(', ')})`;
  }
  if (e instanceof VoipbinValidationError) {
    return `${e.name}: invalid at ${e.issues.map((i) => i.path || '(root)').join(', ')}`;
  }
  return undefined;
}

/**
 * Whether `error` (as Yoga logs it: located, its original inside) is one the caller caused: an
 * idempotency refusal, an input core refused before sending it (a malformed id), or VoIPBIN
 * refusing the request (4xx). Upstream failures are not.
 */
export function isCallersMistake(error: unknown): boolean {
  const original = error instanceof GraphQLError ? error.originalError : error;
  return (
    original instanceof IdempotencyError ||
    original instanceof VoipbinValidationError ||
    (original instanceof VoipbinApiError && original.httpStatus < 500)
  );
}

/**
 * Yoga's `maskError`, the one place core's errors become GraphQL errors: a resolver throws what
 * core threw, and the answer carries its code (`toGraphQLError`) at the field where it happened.
 * A GraphQL error thrown on purpose passes as it is; anything else is masked as Yoga does
 * (`INTERNAL_SERVER_ERROR`, no message or stack of the original).
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const mapped = toGraphQLError(original);
  if (mapped === original || !(mapped instanceof GraphQLError)) {
    return yogaMaskError(error, message, isDev);
  }
  if (!(error instanceof GraphQLError)) return mapped;
  return new GraphQLError(mapped.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: mapped,
    extensions: mapped.extensions,
  });
}

/** Where each variable and input literal of a document sits, as a GraphQL input path. */
function inputPaths(document: DocumentNode) {
  const variables = new Map<string, string>();
  const nodes = new Map<ASTNode, string>();
  const walk = (value: ValueNode, path: string[]) => {
    nodes.set(value, path.join('.'));
    if (value.kind === Kind.VARIABLE) {
      if (!variables.has(value.name.value)) variables.set(value.name.value, path.join('.'));
    } else if (value.kind === Kind.LIST) {
      value.values.forEach((item, i) => {
        walk(item, [...path, String(i)]);
      });
    } else if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) {
        nodes.set(field, [...path, field.name.value].join('.'));
        walk(field.value, [...path, field.name.value]);
      }
    }
  };
  visit(document, {
    Field(field) {
      for (const argument of field.arguments ?? []) walk(argument.value, [argument.name.value]);
    },
  });
  return { variables, nodes };
}

/** The kinds of node an input literal error points at (a variable is a document error). */
const LITERAL_KINDS: ReadonlySet<string> = new Set([
  Kind.OBJECT,
  Kind.OBJECT_FIELD,
  Kind.LIST,
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
]);

/**
 * A refused value graphql's messages may keep quoting: a name (an enum value such as `ROBOT`) or
 * a short number (`250.5`), which say what was refused and cannot be a phone number (8 digits
 * or more) or a sentence.
 */
const PLAIN_VALUE = /^(?:"?[_A-Za-z][_0-9A-Za-z]*"?|-?\d{1,7}(?:\.\d{1,7})?)$/;

/**
 * graphql's message for a value it refused, without the value unless it is plain: graphql
 * quotes it (`String cannot represent a non string value: 821099998888`, `Value "..." does not
 * exist in "TalkGender" enum.`, `Expected value of type "AddressInput!", found "+8210...".`),
 * and it may be a phone number or a talk text. What is wrong stays, and the path says where.
 */
function withoutValue(message: string): string {
  const plain = (value: string) => PLAIN_VALUE.test(value);
  return message
    .replace(
      /^(.+? cannot represent [^:]*?value): ([\s\S]*)$/,
      (all, why: string, value: string) => (plain(value.replace(/\.$/, '')) ? all : `${why}.`),
    )
    .replace(
      /^(Expected value of type "[^"]*"), found ([\s\S]*)\.$/,
      (all, why: string, value: string) => (plain(value) ? all : `${why}.`),
    )
    .replace(
      /^Value ([\s\S]*) (does not exist in "[_A-Za-z][_0-9A-Za-z]*" enum\.)/,
      (all, value: string, why: string) => (plain(value) ? all : `Value ${why}`),
    );
}

/** A request error (nothing ran) for an input: BAD_USER_INPUT with its issue. */
function badUserInput(
  error: GraphQLError,
  issue: { path: string; message: string },
  message = withoutValue(error.message),
) {
  const http = error.extensions.http ?? {};
  return gatewayError(
    'BAD_USER_INPUT',
    message,
    {
      ...error.extensions,
      issues: [{ path: issue.path, message: withoutValue(issue.message) }],
      // 400, but 200 for application/json: a request error, as GraphQL-over-HTTP says.
      http: { ...http, status: 400, spec: true },
    },
    {
      nodes: error.nodes ?? null,
      source: error.source ?? null,
      positions: error.positions ?? null,
      originalError: error.originalError ?? null,
    },
  );
}

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/**
 * A variable that could not be coerced (graphql's `Variable "$input" got invalid value ... at
 * "input.actions[0]"; <why>`), as BAD_USER_INPUT at its place in the arguments
 * (`input.actions.0`); undefined for any other error. graphql's message quotes the value (the
 * whole input, phone numbers and talk texts with it): the answer says where and why only.
 */
function variableError(error: GraphQLError, variables: Map<string, string>) {
  const name = new RegExp(`^Variable "\\$(${NAME})"`).exec(error.message)?.[1];
  if (!name || / which cannot be used as an input type\.$/.test(error.message)) return undefined;
  // `... got invalid value <the value>[ at "input.actions[0]"]; <why>`, <why> being graphql's
  // own error (always its originalError): cut there, not inside the value. The other variable
  // errors (`must not be null`, `was not provided`) quote no value and have no <why>.
  const why = error.originalError?.message ?? '';
  const quoted = why !== '' && error.message.endsWith(`; ${why}`);
  const head = quoted ? error.message.slice(0, -why.length - 2) : '';
  const at = new RegExp(` at "${name}((?:\\.${NAME}|\\[\\d+\\])*)"$`).exec(head)?.[1] ?? '';
  const inside = at.match(new RegExp(`${NAME}|\\d+`, 'g')) ?? [];
  const path = [variables.get(name) ?? `$${name}`, ...inside].join('.');
  if (!quoted) return badUserInput(error, { path, message: error.message });
  const reason = withoutValue(why);
  const where = at && ` at "${name}${at}"`;
  return badUserInput(
    error,
    { path, message: reason },
    `Variable "$${name}" got invalid value${where}; ${reason}`,
  );
}

/** Errors of a result in which nothing ran (no `data`), rewritten; any other result as it is. */
function requestErrors(
  result: unknown,
  document: DocumentNode,
  rewrite: (error: GraphQLError, paths: ReturnType<typeof inputPaths>) => GraphQLError,
): ExecutionResult | undefined {
  const r = result as ExecutionResult;
  if (!r || typeof r !== 'object' || 'data' in r || !Array.isArray(r.errors)) return undefined;
  const paths = inputPaths(document);
  return { ...r, errors: r.errors.map((error) => rewrite(error, paths)) };
}

/**
 * Gives the errors of inputs GraphQL itself refuses (before any resolver) the code and issues
 * of the gateway's own input errors: `BAD_USER_INPUT` with `issues: [{ path, message }]`, the
 * path in the input's names (`input.actions.0`). That covers input literals of the wrong type,
 * a `@oneOf` input with two fields (validation), and variables that cannot be coerced (a
 * string for an object, null for a non-null, a missing variable). Other validation errors keep
 * `GRAPHQL_VALIDATION_FAILED`; a subscription (the schema has none) gets it too. HTTP status
 * as for validation errors: 200 for `application/json`, 400 for
 * `application/graphql-response+json`. No message quotes the value refused (`withoutValue`),
 * nor a syntax error the string or number it stopped at: either may be a phone number or a
 * talk text.
 */
export function inputErrors(): Plugin {
  return {
    onParse() {
      return ({ result }) => {
        // `Expected Name, found String "<the text>".`: the token's kind says enough.
        if (result instanceof GraphQLError) {
          result.message = result.message.replace(
            /\b(String|BlockString|Int|Float) "[\s\S]*"\.$/,
            '$1.',
          );
        }
      };
    },
    onValidate({ params }) {
      return ({ valid, result, setResult }) => {
        if (valid) return;
        let paths: ReturnType<typeof inputPaths> | undefined;
        setResult(
          result.map((error) => {
            const node = error.nodes?.[0];
            if (!node || !LITERAL_KINDS.has(node.kind)) return error;
            paths ??= inputPaths(params.documentAST);
            const path = paths.nodes.get(node);
            return path === undefined
              ? error
              : badUserInput(error, { path, message: error.message });
          }),
        );
      };
    },
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const rewritten = requestErrors(
            result,
            args.document,
            (error, paths) => variableError(error, paths.variables) ?? error,
          );
          if (rewritten) setResult(rewritten);
        },
      };
    },
    onSubscribe({ args }) {
      return {
        onSubscribeResult({ result, setResult }) {
          const rewritten = requestErrors(result, args.document, (error, paths) => {
            const input = variableError(error, paths.variables);
            if (input) return input;
            if (
              error.extensions.code ||
              !/^Schema is not configured to execute/.test(error.message)
            )
              return error;
            return gatewayError(
              'GRAPHQL_VALIDATION_FAILED',
              error.message,
              { ...error.extensions, http: { status: 400, spec: true } },
              { nodes: error.nodes ?? null },
            );
          });
          if (rewritten) setResult(rewritten);
        },
      };
    },
  };
}
