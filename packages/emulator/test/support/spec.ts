/**
 * VoIPBIN's OpenAPI spec (the call and flow part) as a JSON-schema validator: answers of the
 * emulator are checked against the response schema the spec gives for that operation and
 * HTTP status. The spec is read from the repo's reference/ (a copy of the team's ../shared).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const SPEC_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../reference/voipbin-calls-openapi.yaml',
);

type Json = Record<string, unknown>;
interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema: Json }>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface Spec {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; responses: Record<string, ResponseObject> };
}

export const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;

// Where the spec lags the Go code, the Go structs win (VOIPBIN-FACTS.md, "Sources"); each
// exception below names its struct. fm models/action/action.go `Action`: `type` is `omitempty`,
// so the action VoIPBIN shows before the first runs (`IDStart`, type "") has no `type` at all;
// `tm_execute` has no `omitempty`, so an action not run yet has `"tm_execute": null`.
export const GO_STRUCT_EXCEPTIONS = [
  'FlowManagerAction.type: omitempty (fm models/action/action.go)',
  'FlowManagerAction.tm_execute: a *time.Time without omitempty, null until run (same file)',
  'FlowManagerFlow.tm_update, tm_delete: *time.Time without omitempty, null until set (fm models/flow/webhook.go)',
] as const;
{
  const action = spec.components.schemas.FlowManagerAction as {
    required?: string[];
    properties: Record<string, Json>;
  };
  action.required = (action.required ?? []).filter((name) => name !== 'type');
  action.properties.tm_execute = { ...action.properties.tm_execute, nullable: true };
  const actionType = spec.components.schemas.FlowManagerActionType as { enum: string[] };
  if (!actionType.enum.includes('')) actionType.enum.unshift('');
  const flow = spec.components.schemas.FlowManagerFlow as { properties: Record<string, Json> };
  for (const name of ['tm_update', 'tm_delete']) {
    flow.properties[name] = { ...flow.properties[name], nullable: true };
  }
}

/** The path prefix of every operation (`/v1.0`), from the spec's server URL. */
export const BASE_PATH = new URL(spec.servers[0]?.url ?? 'https://x/v1.0').pathname;

const SCHEMA_REF = '#/components/schemas/';
const ROOT_ID = 'voipbin-openapi';

/**
 * An OpenAPI 3.0 schema object as JSON Schema (draft-07):
 * - `$ref` into `#/components/schemas` points at this module's definitions; keys beside a
 *   `$ref` are ignored, as OpenAPI 3.0 says (the spec puts `description`/`example` there);
 * - `nullable: true` also admits `null`;
 * - annotations Ajv does not know (`example`, `x-*`) are dropped.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, ...rest } = schema as Json;
  if (typeof rest.$ref === 'string') {
    const ref = { $ref: rest.$ref.replace(SCHEMA_REF, `${ROOT_ID}#/definitions/`) };
    return nullable === true ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'example' || key.startsWith('x-')) continue;
    // Maps of names to schemas: their keys are names, not keywords.
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as Json).map(([k, s]) => [k, toJsonSchema(s)]))
        : toJsonSchema(value);
  }
  if (nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined && out.enum === undefined) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);
ajv.addSchema({
  $id: ROOT_ID,
  definitions: Object.fromEntries(
    Object.entries(spec.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]),
  ),
});

const compiled = new Map<string, ValidateFunction>();

/** The spec's path template for a concrete path: `/v1.0/calls/5c4b.../hangup` -> `/calls/{id}/hangup`. */
export function templateOf(concretePath: string): string | undefined {
  const rest = concretePath.startsWith(BASE_PATH)
    ? concretePath.slice(BASE_PATH.length)
    : concretePath;
  const parts = rest.replace(/\/+$/, '').split('/');
  return Object.keys(spec.paths).find((template) => {
    const t = template.split('/');
    return t.length === parts.length && t.every((p, i) => p.startsWith('{') || p === parts[i]);
  });
}

/** Whether the spec has the operation `method pathTemplate` at all. */
export function hasOperation(method: string, pathTemplate: string): boolean {
  return spec.paths[pathTemplate]?.[method.toLowerCase()] !== undefined;
}

/** Whether the spec documents an answer with `status` for this operation. */
export function documents(method: string, pathTemplate: string, status: number): boolean {
  return spec.paths[pathTemplate]?.[method.toLowerCase()]?.responses[String(status)] !== undefined;
}

/** Whether the spec documents the answer `status` to this operation with no content at all. */
export function documentsNoBody(method: string, pathTemplate: string, status: number): boolean {
  const response = spec.paths[pathTemplate]?.[method.toLowerCase()]?.responses[String(status)];
  return response !== undefined && !response.$ref && response.content === undefined;
}

/** The validator of the answer `status` to `method pathTemplate`, as the spec gives it. */
export function responseValidator(
  method: string,
  pathTemplate: string,
  status: number,
): ValidateFunction {
  const key = `${method.toUpperCase()} ${pathTemplate} ${status}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const operation = spec.paths[pathTemplate]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the spec has no operation ${method} ${pathTemplate}`);
  let response = operation.responses[String(status)];
  if (!response) {
    const documented = Object.keys(operation.responses).join(', ');
    throw new Error(
      `the spec documents no ${status} answer to ${method} ${pathTemplate} (only ${documented})`,
    );
  }
  if (response.$ref) {
    response = spec.components.responses[response.$ref.replace('#/components/responses/', '')];
  }
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the spec gives no JSON body for ${key}`);
  const validate = ajv.compile(toJsonSchema(schema) as Json);
  compiled.set(key, validate);
  return validate;
}

/** The validator of one component schema, e.g. `ErrorResponse`. */
export function componentValidator(name: string): ValidateFunction {
  const validate = ajv.getSchema(`${ROOT_ID}#/definitions/${name}`);
  if (!validate) throw new Error(`the spec has no component ${name}`);
  return validate;
}

/** Ajv's errors, one a line, with the offending value. */
export function describeErrors(errors: ErrorObject[] | null | undefined, body: unknown): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath || '(body)';
      const value = valueAt(body, e.instancePath);
      return `${at} ${e.message ?? ''} ${JSON.stringify(e.params)} (got ${JSON.stringify(value)})`;
    })
    .join('\n');
}

/** The problems of `body` as the answer `status` to `method pathTemplate`; empty if it conforms. */
export function conformanceErrors(
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
): string[] {
  const validate = responseValidator(method, pathTemplate, status);
  if (validate(body)) return [];
  return describeErrors(validate.errors, body).split('\n');
}

/**
 * Fails unless `body` conforms to the response schema the spec gives for this operation and
 * status; the message lists Ajv's errors.
 */
export function expectConforms(
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
): void {
  const errors = conformanceErrors(method, pathTemplate, status, body);
  if (errors.length > 0) {
    throw new Error(
      `${method.toUpperCase()} ${pathTemplate} ${status}: the body does not conform to the spec:\n${errors.join('\n')}`,
    );
  }
}

/**
 * Answers the emulator gives where the spec documents no answer with that status for that
 * operation, as `METHOD /template status`. Their bodies must still be VoIPBIN's
 * `ErrorResponse`. Each is listed with why; this is the one list.
 */
export const UNDOCUMENTED: Record<string, string> = {
  // VOIPBIN-FACTS: NOT_FOUND (404) is one of VoIPBIN's error statuses; the spec's POST /calls
  // lists only 400/401/402/500/503, yet a flow_id naming no flow is not found.
  'POST /calls 404': 'flow_id names no flow',
  'POST /calls 403': "flow_id names another customer's flow",
  'POST /calls 429': 'more calls in progress than allowed (RESOURCE_EXHAUSTED)',
  // am servicehandler/flow.go `FlowCreate`: on_complete_flow_id is read with `flowGet`.
  'POST /flows 404': 'on_complete_flow_id names no flow, or a deleted one',
  'POST /flows 403': "on_complete_flow_id names another customer's flow",
  'GET /calls 400': 'an invalid page_size or page_token',
  'GET /flows 400': 'an invalid page_size or page_token',
  // am servicehandler/call.go `callGet`: a deleted call is `ErrStateInvalid` (409 STATE_INVALID).
  'GET /calls/{id} 409': 'a deleted call (am callGet)',
  'DELETE /calls/{id} 409': 'a deleted call (am callGet)',
  'POST /calls/{id}/hangup 409': 'a deleted call (am callGet)',
};

/**
 * Operations VoIPBIN's Go code serves that the spec does not have (am server/calls.go
 * `PostCallsIdMoh`, `DeleteCallsIdMoh`, `PostCallsIdSilence`, `DeleteCallsIdSilence`): each
 * answers 200 with an empty body (`c.Status(http.StatusOK)`), or VoIPBIN's error body.
 */
export const GO_ONLY_OPERATIONS = [
  'POST /calls/{id}/moh',
  'DELETE /calls/{id}/moh',
  'POST /calls/{id}/silence',
  'DELETE /calls/{id}/silence',
] as const;

function goOnlyOperation(method: string, path: string): boolean {
  const rest = path.startsWith(BASE_PATH) ? path.slice(BASE_PATH.length) : path;
  return GO_ONLY_OPERATIONS.some((operation) => {
    const [m, template] = operation.split(' ') as [string, string];
    const t = template.split('/');
    const parts = rest.replace(/\/+$/, '').split('/');
    return (
      m === method &&
      t.length === parts.length &&
      t.every((p, i) => p.startsWith('{') || p === parts[i])
    );
  });
}

/**
 * The problems of one answer to `method path` (a concrete path, e.g. `/v1.0/calls/<id>`); empty
 * if the spec allows it:
 * - a status the spec documents for the operation: the body must match its schema;
 * - an error on a route the spec does not have, or one listed in `UNDOCUMENTED`: the body must
 *   be VoIPBIN's `ErrorResponse`;
 * - any other status is a problem.
 */
export function answerProblems(
  method: string,
  path: string,
  status: number,
  text: string,
): string[] {
  const where = `${method} ${path} -> ${status}`;
  if (goOnlyOperation(method, path) && status === 200) {
    return text === '' ? [] : [`${where}: VoIPBIN answers no body, got ${text.slice(0, 80)}`];
  }
  const template = templateOf(path);
  // An answer the spec documents without content (talk, hold, mute: "200" and a description
  // only) must come with an empty body.
  if (template && documentsNoBody(method, template, status)) {
    return text === '' ? [] : [`${where}: the spec documents no body, got ${text.slice(0, 80)}`];
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`${where}: not JSON: ${text.slice(0, 80)}`];
  }
  if (template && documents(method, template, status)) {
    return conformanceErrors(method, template, status, body).map((error) => `${where}: ${error}`);
  }
  if (
    status >= 400 &&
    (!template ||
      !hasOperation(method, template) ||
      UNDOCUMENTED[`${method} ${template} ${status}`])
  ) {
    return errorResponseProblems(where, body);
  }
  return [`${where}: the spec documents no such answer`];
}

/** The problems of `body` as VoIPBIN's error body, `ErrorResponse`. */
export function errorResponseProblems(where: string, body: unknown): string[] {
  const validate = componentValidator('ErrorResponse');
  return validate(body) ? [] : [`${where}: ${describeErrors(validate.errors, body)}`];
}

function valueAt(body: unknown, pointer: string): unknown {
  let value = body;
  for (const part of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}
