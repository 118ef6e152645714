/**
 * VoIPBIN's OpenAPI spec (the call and flow part) is the source of truth: every example it
 * gives must parse with the matching schema, and every enum and field list in the code must
 * equal the spec's, so the code cannot drift from it unnoticed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ACTION_TYPES,
  ActionSchema,
  type ActionType,
  ADDRESS_TYPES,
  AddressSchema,
  AnonymousSchema,
  CALL_DIRECTIONS,
  CALL_STATUSES,
  CALL_TYPES,
  CallSchema,
  CreateCallRequestSchema,
  CreateFlowRequestSchema,
  check,
  ERROR_STATUS_CODES,
  ErrorResponseSchema,
  FLOW_TYPES,
  FlowSchema,
  GROUPCALL_STATUSES,
  GroupcallSchema,
  HANGUP_BY,
  HANGUP_REASONS,
  MUTE_DIRECTIONS,
  ResponseActionSchema,
  ResponseAddressSchema,
} from '../src/index.ts';

// The repo's reference/: VoIPBIN's spec, as the team keeps it in ../shared.
const SPEC_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../reference/voipbin-calls-openapi.yaml',
);

/** The part of an OpenAPI 3.0 schema object this test reads. */
interface OpenApiSchema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  'x-enum-varnames'?: string[];
  example?: unknown;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
}
interface Operation {
  requestBody?: { content: { 'application/json': { schema: OpenApiSchema } } };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: OpenApiSchema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, OpenApiSchema>;
    responses: Record<string, { content?: Record<string, { schema: OpenApiSchema }> }>;
  };
}

const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
const schemas = spec.components.schemas;

function component(name: string): OpenApiSchema {
  const schema = schemas[name];
  if (!schema) throw new Error(`the spec has no component ${name}`);
  return schema;
}
const refName = (ref: string) => ref.replace('#/components/schemas/', '');
const resolve = (schema: OpenApiSchema): OpenApiSchema =>
  schema.$ref ? resolve(component(refName(schema.$ref))) : schema;
const enumOf = (schema: OpenApiSchema) => resolve(schema).enum;
const propertiesOf = (name: string) => component(name).properties ?? {};

/**
 * An example value for `schema`, built from the spec's own `example`s: a property's example wins
 * over the schema it refers to; objects, arrays and allOf are built from their parts; an enum
 * without an example takes its first value. A required property the spec gives no example for
 * gets the empty value of its type (ErrorBody.message); other such properties are left out.
 * `use` replaces a component wherever it is referred to.
 */
function exampleOf(schema: OpenApiSchema, use: Record<string, unknown> = {}): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return name in use ? use[name] : exampleOf(component(name), use);
  }
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part, use)));
  }
  if (schema.items) {
    const item = exampleOf(schema.items, use);
    return item === undefined ? undefined : [item];
  }
  if (schema.properties) {
    const example: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(schema.properties)) {
      let value = exampleOf(property, use);
      if (value === undefined && schema.required?.includes(name)) value = emptyOf(property);
      if (value !== undefined) example[name] = value;
    }
    return example;
  }
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'object') return {};
  return undefined;
}

function emptyOf(schema: OpenApiSchema): unknown {
  const type = resolve(schema).type;
  return type === 'string' ? '' : type === 'array' ? [] : type === 'object' ? {} : undefined;
}

function objectExample(schema: OpenApiSchema, use?: Record<string, unknown>) {
  const example = exampleOf(schema, use);
  if (typeof example !== 'object' || example === null) throw new Error('expected an object');
  return example as Record<string, unknown>;
}

function parsed<T extends v.GenericSchema>(schema: T, input: unknown) {
  const result = check(schema, input);
  if (!result.success) {
    throw new Error(`${JSON.stringify(input)} does not parse: ${JSON.stringify(result.issues)}`);
  }
  return result.output;
}

/** The action type of a `FlowManagerActionOption<Suffix>`, by FlowManagerActionType's varnames. */
function actionTypeOf(optionSchemaName: string): string | undefined {
  const types = component('FlowManagerActionType');
  const suffix = optionSchemaName.replace(/^FlowManagerActionOption/, '');
  const index = types['x-enum-varnames']?.indexOf(`FlowManagerActionType${suffix}`) ?? -1;
  return index < 0 ? undefined : (types.enum?.[index] as string);
}

const optionSchemaNames = Object.keys(schemas).filter((name) =>
  name.startsWith('FlowManagerActionOption'),
);

/**
 * Where VoIPBIN's Go code (reference/voipbin-2bf22fa/, checked by
 * src/actions/option-go.test.ts) and this spec disagree, the code wins. These are the
 * differences, each field either only in the spec (`specOnly`: the code no longer reads it, so
 * core refuses it, but for talk's `gender`) or only in the code (`codeOnly`).
 */
const GO_WINS: Record<string, { specOnly: string[]; codeOnly: string[]; kept?: string[] }> = {
  // `gender` is not read any more, but kept: the 2023 quickstart sends it.
  talk: { specOnly: ['gender'], codeOnly: ['provider', 'voice_id'], kept: ['gender'] },
  external_media_start: {
    specOnly: ['direction'],
    codeOnly: ['direction_listen', 'direction_speak'],
  },
};
/** The action types of the code that the spec does not list yet. */
const NOT_IN_SPEC = ['ai_task', 'block', 'case_create', 'empty'];

/** The spec's example of an option, without the fields the code no longer reads. */
function optionExample(name: string): unknown {
  const example = objectExample(component(name), inRequests) as Record<string, unknown>;
  const gone = GO_WINS[actionTypeOf(name) as string];
  for (const field of gone?.specOnly ?? []) {
    if (!gone?.kept?.includes(field)) delete example[field];
  }
  return example;
}

/** In requests, a flow step is a talk action built from the talk option's example. */
const talkAction = {
  type: 'talk',
  option: objectExample(component('FlowManagerActionOptionTalk')),
};
const inRequests = { FlowManagerAction: talkAction };

/** The JSON body schema of a response, following `components/responses` references. */
function responseSchema(operation: Operation, status: string): OpenApiSchema | undefined {
  const response = operation.responses[status];
  const named = response?.$ref
    ? spec.components.responses[response.$ref.replace('#/components/responses/', '')]
    : response;
  return named?.content?.['application/json']?.schema;
}

// --- Reading the code's schemas -------------------------------------------------------------

/** The part of a valibot schema this test reads; a piped schema keeps its first schema's keys. */
interface Introspected {
  type: string;
  entries?: Record<string, Introspected>;
  wrapped?: Introspected;
  item?: Introspected;
  options?: unknown[];
}
const introspect = (schema: unknown) => schema as Introspected;
const unwrap = (schema: Introspected): Introspected =>
  schema.wrapped && ['optional', 'nullable', 'nullish'].includes(schema.type)
    ? unwrap(schema.wrapped)
    : schema;
const keysOf = (schema: unknown) => Object.keys(introspect(schema).entries ?? {}).sort();
const sorted = (values: readonly unknown[] | undefined) => [...(values ?? [])].map(String).sort();

/** The option schema ActionSchema uses for `type`. */
function optionSchemaOf(type: string): Introspected {
  const member = introspect(ActionSchema).options?.find(
    (option) =>
      (option as { entries: { type: { literal: string } } }).entries.type.literal === type,
  );
  const option = introspect(member).entries?.option;
  if (!option) throw new Error(`ActionSchema has no ${type} action`);
  return unwrap(option);
}

/**
 * Checks a code object schema against a spec object schema: the same fields, and for each field
 * with an enum in the spec, a picklist of the same values. Recurses into lists of objects.
 */
function expectSameObject(code: Introspected, specSchema: OpenApiSchema, where: string) {
  const properties = resolve(specSchema).properties ?? {};
  expect(Object.keys(code.entries ?? {}).sort(), `${where}: fields`).toEqual(
    Object.keys(properties).sort(),
  );
  for (const [name, property] of Object.entries(properties)) {
    const entry = unwrap(code.entries?.[name] ?? { type: 'missing' });
    const values = enumOf(property);
    if (values) {
      expect(entry.type, `${where}.${name}`).toBe('picklist');
      expect(sorted(entry.options), `${where}.${name}: values`).toEqual(sorted(values));
    }
    const items = resolve(property).items;
    if (items && resolve(items).properties && !items.$ref?.endsWith('/CommonAddress')) {
      if (!items.$ref?.endsWith('/FlowManagerAction') && entry.item) {
        expectSameObject(unwrap(entry.item), items, `${where}.${name}[]`);
      }
    }
  }
}

// --- The tests ------------------------------------------------------------------------------

describe('every request and response example in voipbin-calls-openapi.yaml parses', () => {
  it('reads the spec', () => {
    expect(spec.paths['/calls']?.post).toBeDefined();
    expect(optionSchemaNames.length).toBeGreaterThan(30);
  });

  it('parses the CallManagerCall example with CallSchema, normalised', () => {
    const example = objectExample(component('CallManagerCall'));
    const call = parsed(CallSchema, example);
    expect(call).toMatchObject({
      id: '550e8400-e29b-41d4-a716-446655440000',
      status: 'progressing',
      source: { type: 'tel', target: '+14155551234', target_name: 'John Smith' },
      action: { type: 'talk', option: {}, tm_execute: '2026-01-15T09:30:00.000000Z' },
      chained_call_ids: ['550e8400-e29b-41d4-a716-446655440000'],
      metadata: { rtp_debug: true },
      tm_create: '2026-01-15T09:30:00.000000Z',
    });
    // Every field the spec gives an example for comes through with a value.
    for (const field of Object.keys(example)) expect(call, field).toHaveProperty(field);
  });

  it('parses the CallManagerGroupcall example with GroupcallSchema', () => {
    const groupcall = parsed(GroupcallSchema, objectExample(component('CallManagerGroupcall')));
    expect(groupcall).toMatchObject({
      status: 'progressing',
      ring_method: 'ring_all',
      answer_method: 'hangup_others',
      call_ids: ['550e8400-e29b-41d4-a716-446655440000'],
      destinations: [{ type: 'tel', target: '+14155551234' }],
      dial_index: 0,
    });
  });

  it('parses the FlowManagerFlow example with FlowSchema', () => {
    const flow = parsed(FlowSchema, objectExample(component('FlowManagerFlow')));
    expect(flow).toMatchObject({
      type: 'flow',
      name: 'Inbound Call Handler',
      direct_hash: 'direct.a1b2c3d4e5f6',
      actions: [{ id: '550e8400-e29b-41d4-a716-446655440000', type: 'talk' }],
    });
  });

  it('parses the ErrorResponse example with ErrorResponseSchema', () => {
    const body = parsed(ErrorResponseSchema, objectExample(component('ErrorResponse')));
    expect(body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      reason: 'CALL_NOT_FOUND',
      request_id: 'req_ABCDEF0123456789',
    });
  });

  it('parses the POST /calls answer: { calls, groupcalls }', () => {
    const post = spec.paths['/calls']?.post;
    if (!post) throw new Error('no POST /calls');
    const schema = responseSchema(post, '200');
    if (!schema) throw new Error('no POST /calls 200 body');
    const example = objectExample(schema);
    expect(Object.keys(example).sort()).toEqual(['calls', 'groupcalls']);
    const answer = parsed(
      v.strictObject({ calls: v.array(CallSchema), groupcalls: v.array(GroupcallSchema) }),
      example,
    );
    expect(answer.calls).toHaveLength(1);
    expect(answer.groupcalls).toHaveLength(1);
  });

  /** The schema that reads each JSON answer of the spec, by `METHOD path status`. */
  const page = (item: v.GenericSchema) =>
    v.object({ result: v.array(item), next_page_token: v.optional(v.string()) });
  const readers: Record<string, v.GenericSchema> = {
    'GET /calls 200': page(CallSchema),
    'POST /calls 200': v.object({
      calls: v.array(CallSchema),
      groupcalls: v.array(GroupcallSchema),
    }),
    'GET /calls/{id} 200': CallSchema,
    'DELETE /calls/{id} 200': CallSchema,
    'POST /calls/{id}/hangup 200': CallSchema,
    'POST /calls/{id}/recording_start 200': CallSchema,
    'POST /calls/{id}/recording_stop 200': CallSchema,
    'GET /flows 200': page(FlowSchema),
    'POST /flows 200': FlowSchema,
    'GET /flows/{id} 200': FlowSchema,
    'PUT /flows/{id} 200': FlowSchema,
    'DELETE /flows/{id} 200': FlowSchema,
  };
  const answers = Object.entries(spec.paths).flatMap(([route, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      Object.keys(operation.responses).flatMap((status) => {
        const schema = responseSchema(operation, status);
        return schema ? [[`${method.toUpperCase()} ${route} ${status}`, schema] as const] : [];
      }),
    ),
  );

  it('knows how to read every JSON answer of the spec', () => {
    const unread = answers
      .map(([name]) => name)
      .filter((name) => !(name in readers) && !/ [45]\d\d$/.test(name));
    expect(unread).toEqual([]);
  });

  it.each(answers)('parses the example answer of %s', (name, schema) => {
    const reader = readers[name] ?? (/ [45]\d\d$/.test(name) ? ErrorResponseSchema : undefined);
    if (!reader) throw new Error(`no schema reads ${name}`);
    parsed(reader, exampleOf(schema));
  });

  it('parses the POST /calls request example with CreateCallRequestSchema', () => {
    const schema = spec.paths['/calls']?.post?.requestBody?.content['application/json'].schema;
    if (!schema) throw new Error('no POST /calls body');
    const example = objectExample(schema, inRequests);
    expect(example).toMatchObject({
      source: exampleOf(component('CommonAddress')),
      destinations: [exampleOf(component('CommonAddress'))],
      actions: [talkAction],
      flow_id: 'f1a2b3c4-d5e6-7890-1234-567890abcdef',
      anonymous: 'auto',
      variables: { campaign_id: 'summer-2026', customer_name: 'Jane Doe' },
    });
    expect(parsed(CreateCallRequestSchema, example)).toEqual(example);
  });

  it.each(['post /flows', 'put /flows/{id}'])('parses the %s request example', (name) => {
    const [method = '', route = ''] = name.split(' ');
    const schema = spec.paths[route]?.[method]?.requestBody?.content['application/json'].schema;
    if (!schema) throw new Error(`no ${name} body`);
    const example = objectExample(schema, inRequests);
    expect(parsed(CreateFlowRequestSchema, example)).toEqual(example);
  });

  it('names an action type for every FlowManagerActionOption schema', () => {
    const unnamed = optionSchemaNames.filter((name) => !actionTypeOf(name));
    expect(unnamed).toEqual([]);
  });

  it('gives no option schema for these types, whose options the Go code defines instead', () => {
    const withSchema = new Set(optionSchemaNames.map(actionTypeOf));
    expect(ACTION_TYPES.filter((type) => !withSchema.has(type))).toEqual([
      'ai_task',
      'block',
      'case_create',
      'condition_call_digits',
      'condition_call_status',
      'condition_datetime',
      'condition_variable',
      'empty',
      'mute',
      'stop',
    ]);
    for (const type of ACTION_TYPES) expect(optionSchemaOf(type).type, type).toBe('strict_object');
  });

  it.each(optionSchemaNames)('parses the %s example with ActionSchema', (name) => {
    const type = actionTypeOf(name) as ActionType;
    const action = {
      id: '550e8400-e29b-41d4-a716-446655440000',
      type,
      option: optionExample(name),
    };
    expect(parsed(ActionSchema, action)).toEqual(action);
    // The same step, as VoIPBIN answers it, reads back with its option.
    expect(parsed(ResponseActionSchema, action)).toMatchObject({ type, option: action.option });
  });
});

describe('the code equals the spec', () => {
  it("ACTION_TYPES is FlowManagerActionType, in order, and the Go code's newer types", () => {
    expect(ACTION_TYPES.filter((type) => !NOT_IN_SPEC.includes(type))).toEqual(
      component('FlowManagerActionType').enum,
    );
    expect(
      NOT_IN_SPEC.filter((type) => !(ACTION_TYPES as readonly string[]).includes(type)),
    ).toEqual([]);
  });

  it.each(Object.entries(GO_WINS))(
    'the %s option differs from the spec only where Go wins',
    (type, diff) => {
      const name = optionSchemaNames.find((n) => actionTypeOf(n) === type) as string;
      const spec = Object.keys(propertiesOf(name));
      const code = Object.keys(optionSchemaOf(type).entries ?? {});
      expect(spec.filter((f) => !code.includes(f)).sort()).toEqual(
        diff.specOnly.filter((f) => !diff.kept?.includes(f)).sort(),
      );
      expect(code.filter((f) => !spec.includes(f)).sort()).toEqual(diff.codeOnly.sort());
    },
  );

  it.each([
    ['ADDRESS_TYPES', ADDRESS_TYPES, enumOf(propertiesOf('CommonAddress').type ?? {})],
    ['CALL_STATUSES', CALL_STATUSES, component('CallManagerCallStatus').enum],
    ['CALL_TYPES', CALL_TYPES, component('CallManagerCallType').enum],
    ['CALL_DIRECTIONS', CALL_DIRECTIONS, component('CallManagerCallDirection').enum],
    ['MUTE_DIRECTIONS', MUTE_DIRECTIONS, component('CallManagerCallMuteDirection').enum],
    ['HANGUP_BY', HANGUP_BY, component('CallManagerCallHangupBy').enum],
    ['HANGUP_REASONS', HANGUP_REASONS, component('CallManagerCallHangupReason').enum],
    ['GROUPCALL_STATUSES', GROUPCALL_STATUSES, component('CallManagerGroupcallStatus').enum],
    ['FLOW_TYPES', FLOW_TYPES, component('FlowManagerFlowType').enum],
    [
      'ERROR_STATUS_CODES',
      Object.keys(ERROR_STATUS_CODES),
      enumOf(propertiesOf('ErrorBody').status ?? {}),
    ],
    [
      'AnonymousSchema',
      AnonymousSchema.options,
      enumOf(propertiesOf('FlowManagerActionOptionCall').anonymous ?? {}),
    ],
  ])('%s holds the values of the spec enum (its "" is read as null)', (_, code, specEnum) => {
    expect(specEnum).toBeDefined();
    expect(sorted(code)).toEqual(sorted(specEnum?.filter((value) => value !== '')));
  });

  it('the POST /calls anonymous enum is the one of the call and connect actions', () => {
    const body = spec.paths['/calls']?.post?.requestBody?.content['application/json'].schema;
    expect(sorted(body?.properties?.anonymous?.enum)).toEqual(sorted(AnonymousSchema.options));
    expect(sorted(propertiesOf('FlowManagerActionOptionConnect').anonymous?.enum)).toEqual(
      sorted(AnonymousSchema.options),
    );
  });

  it('ADDRESS_TYPES keeps the order of CommonAddress.type', () => {
    expect(ADDRESS_TYPES).toEqual(
      enumOf(propertiesOf('CommonAddress').type ?? {})?.filter((value) => value !== ''),
    );
  });

  it.each([
    ['CallSchema', 'CallManagerCall', CallSchema],
    ['GroupcallSchema', 'CallManagerGroupcall', GroupcallSchema],
    ['FlowSchema', 'FlowManagerFlow', FlowSchema],
    ['ResponseAddressSchema', 'CommonAddress', ResponseAddressSchema],
    ['ResponseActionSchema', 'FlowManagerAction', ResponseActionSchema],
  ])('%s reads every field of %s, and no other', (_, name, schema) => {
    expect(keysOf(schema)).toEqual(Object.keys(propertiesOf(name)).sort());
  });

  it('ErrorResponseSchema reads every field of ErrorBody', () => {
    expect(keysOf(introspect(ErrorResponseSchema).entries?.error)).toEqual(
      Object.keys(propertiesOf('ErrorBody')).sort(),
    );
  });

  it('an address of every type takes the fields of CommonAddress', () => {
    const members = introspect(AddressSchema).options as Introspected[];
    expect(members).toHaveLength(ADDRESS_TYPES.length);
    for (const member of members) {
      expect(keysOf(member)).toEqual(Object.keys(propertiesOf('CommonAddress')).sort());
    }
  });

  it('a request action takes the fields of FlowManagerAction but tm_execute, which VoIPBIN sets', () => {
    const fields = Object.keys(propertiesOf('FlowManagerAction')).filter((f) => f !== 'tm_execute');
    for (const member of introspect(ActionSchema).options as Introspected[]) {
      expect(keysOf(member)).toEqual(fields.sort());
    }
  });

  it('CreateCallRequestSchema takes the fields of the POST /calls body', () => {
    const body = spec.paths['/calls']?.post?.requestBody?.content['application/json'].schema;
    expect(keysOf(CreateCallRequestSchema)).toEqual(Object.keys(body?.properties ?? {}).sort());
  });

  it('CreateFlowRequestSchema takes the fields of the POST /flows body, with its required ones', () => {
    const body = spec.paths['/flows']?.post?.requestBody?.content['application/json'].schema;
    expect(keysOf(CreateFlowRequestSchema)).toEqual(Object.keys(body?.properties ?? {}).sort());
    const required = Object.entries(introspect(CreateFlowRequestSchema).entries ?? {})
      .filter(([, entry]) => entry.type !== 'optional')
      .map(([name]) => name);
    expect(required.sort()).toEqual(sorted(body?.required));
  });

  it.each(optionSchemaNames)('the option of %s has its fields and enums', (name) => {
    const type = actionTypeOf(name) as ActionType;
    const diff = GO_WINS[type];
    const code = optionSchemaOf(type);
    const spec = resolve(component(name));
    // The fields where the Go code wins are compared in the test above; the rest must agree.
    const drop = (keys: string[]) => (entries: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(entries).filter(([key]) => !keys.includes(key)));
    expectSameObject(
      {
        ...code,
        entries: drop([...(diff?.codeOnly ?? []), ...(diff?.kept ?? [])])(
          code.entries ?? {},
        ) as Record<string, Introspected>,
      },
      {
        ...spec,
        properties: drop(diff?.specOnly ?? [])(spec.properties ?? {}) as Record<
          string,
          OpenApiSchema
        >,
      },
      type,
    );
  });

  it('the digits_send limits are the spec ones', () => {
    const digits = propertiesOf('FlowManagerActionOptionDigitsSend');
    expect(digits.digits).toMatchObject({ maxLength: 100, pattern: '^[0-9ABCD#*]*$' });
    expect(digits.duration).toMatchObject({ minimum: 100, maximum: 1000 });
    expect(digits.interval).toMatchObject({ minimum: 0, maximum: 5000 });
    const send = (option: object) => check(ActionSchema, { type: 'digits_send', option }).success;
    expect(send({ digits: '0123456789ABCD#*' })).toBe(true);
    expect(send({ digits: '1'.repeat(100), duration: 100, interval: 0 })).toBe(true);
    expect(send({ digits: '1'.repeat(101) })).toBe(false);
    expect(send({ digits: '1', duration: 1000, interval: 5000 })).toBe(true);
    expect(send({ digits: '1', duration: 99 })).toBe(false);
    expect(send({ digits: '1', duration: 1001 })).toBe(false);
    expect(send({ digits: '1', interval: 5001 })).toBe(false);
  });
});
