/**
 * The one mapping between the gateway's GraphQL inputs and VoIPBIN's JSON: inputs to request
 * bodies, and core's issue paths back to the input's names. Pure functions over core's schemas;
 * it registers no GraphQL type, so errors, the guard and the schema all import it without a
 * circle.
 */
import {
  ACTION_TYPES,
  type Action,
  ActionSchema,
  type ActionType,
  type Address,
  AddressSchema,
  type CreateCallRequest,
  type CreateFlowRequest,
} from '@voipbin-kit/core';
import type * as v from 'valibot';

export type Schema = v.GenericSchema & {
  type: string;
  entries?: Record<string, Schema>;
  wrapped?: Schema;
  item?: Schema;
  options?: readonly unknown[];
  pipe?: readonly { type: string }[];
  getter?: (input: unknown) => Schema;
};

// snake_case -> camelCase, remembered: the names come from the schemas (a few hundred at most)
// and every ActionInput converts several of them per request.
const camelCase = new Map<string, string>();
export const camel = (name: string): string => {
  let out = camelCase.get(name);
  if (out === undefined) {
    out = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelCase.size < 1000) camelCase.set(name, out);
  }
  return out;
};
export const pascal = (name: string) => camel(name).replace(/^./, (c) => c.toUpperCase());

export function unwrap(schema: Schema): { schema: Schema; optional: boolean } {
  let optional = false;
  let s = schema;
  for (;;) {
    if (s.type === 'optional' || s.type === 'nullish') {
      optional = true;
      s = s.wrapped as Schema;
    } else if (s.type === 'lazy' && s.getter) s = s.getter(undefined);
    else return { schema: s, optional };
  }
}

export const optionOf = new Map(
  (
    ActionSchema.options as unknown as {
      entries: { type: { literal: ActionType }; option: Schema };
    }[]
  ).map((o) => [o.entries.type.literal, o.entries.option]),
);

/** Whether an action's options are open JSON (no schema of their own), passed as they are. */
export const isOpen = (type: ActionType) =>
  unwrap(optionOf.get(type) as Schema).schema.type === 'record';

// ---- GraphQL input -> VoIPBIN JSON ------------------------------------------------------

export interface AddressInputShape {
  type: string;
  target?: string | null;
  targetName?: string | null;
  name?: string | null;
  detail?: string | null;
}

/** GraphQL's address input as VoIPBIN's JSON (unset fields left out). */
export function toVoipbinAddress(input: AddressInputShape): Address {
  const out: Record<string, string> = { type: input.type };
  if (input.target != null) out.target = input.target;
  if (input.targetName != null) out.target_name = input.targetName;
  if (input.name != null) out.name = input.name;
  if (input.detail != null) out.detail = input.detail;
  return out as Address;
}

/** A GraphQL input's value as VoIPBIN's JSON, by the valibot schema it was generated from. */
export function toVoipbinValue(schema: Schema, value: unknown): unknown {
  if (value == null) return undefined;
  const s = unwrap(schema).schema;
  if (s === (AddressSchema as unknown)) return toVoipbinAddress(value as AddressInputShape);
  if (s === (ActionSchema as unknown))
    return toVoipbinAction(value as Record<string, Record<string, unknown> | null>);
  if (s.type === 'array')
    return (value as unknown[]).map((item) => toVoipbinValue(s.item as Schema, item));
  if ((s.type === 'strict_object' || s.type === 'object') && s.entries) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(s.entries)) {
      const converted = toVoipbinValue(entry, (value as Record<string, unknown>)[camel(key)]);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  return value;
}

/** The action type of each `ActionInput` field (`digitsReceive` -> `digits_receive`). */
const typeOfField = new Map<string, ActionType>(ACTION_TYPES.map((type) => [camel(type), type]));

/** One `ActionInput` (exactly one field set) as VoIPBIN's action JSON. */
export function toVoipbinAction(input: Record<string, Record<string, unknown> | null>): Action {
  const [field, fields] = Object.entries(input).find(([, value]) => value != null) ?? [];
  const type = typeOfField.get(field as string) as ActionType;
  const { id, nextId, ...rest } = fields ?? {};
  const action: Record<string, unknown> = { type };
  if (id != null) action.id = id;
  if (nextId != null) action.next_id = nextId;
  const option = isOpen(type) ? rest.option : toVoipbinValue(optionOf.get(type) as Schema, rest);
  if (
    option != null &&
    (Object.keys(option).length > 0 || !unwrap(optionOf.get(type) as Schema).optional)
  ) {
    action.option = option;
  }
  return action as Action;
}

/** `ActionInput`s as GraphQL hands them over. */
export type ActionInputShape = Record<string, Record<string, unknown> | null>;

export interface CreateCallInputShape {
  source: AddressInputShape;
  destinations: AddressInputShape[];
  actions?: ActionInputShape[] | null;
  flowId?: string | null;
  anonymous?: string | null;
  variables?: Record<string, unknown> | null;
}

/** The GraphQL input as VoIPBIN's `POST /calls` body. */
export function toCreateCallRequest(input: CreateCallInputShape): CreateCallRequest {
  const request: Record<string, unknown> = {
    source: toVoipbinAddress(input.source),
    destinations: input.destinations.map(toVoipbinAddress),
  };
  if (input.actions != null) request.actions = input.actions.map(toVoipbinAction);
  if (input.flowId != null) request.flow_id = input.flowId;
  if (input.anonymous != null) request.anonymous = input.anonymous;
  if (input.variables != null) request.variables = input.variables;
  return request as CreateCallRequest;
}

export interface CreateFlowInputShape {
  name: string;
  detail?: string | null;
  actions: ActionInputShape[];
  onCompleteFlowId?: string | number | null;
}

/** The GraphQL input as VoIPBIN's `POST /flows` body (`detail` empty when left out). */
export function toCreateFlowRequest(input: CreateFlowInputShape): CreateFlowRequest {
  return {
    name: input.name,
    detail: input.detail ?? '',
    actions: input.actions.map(toVoipbinAction),
    ...(input.onCompleteFlowId ? { on_complete_flow_id: String(input.onCompleteFlowId) } : {}),
  };
}

/**
 * A path of core's issues (`actions.0.option.digits`) in the GraphQL input's names
 * (`actions.0.digitsSend.digits`), using the VoIPBIN JSON the issue is about.
 */
export function graphqlPath(path: string, json: unknown): string {
  const out: string[] = [];
  let node: unknown = json;
  let key = '';
  let inActions = false;
  let raw = false;
  for (const segment of path.split('.').filter(Boolean)) {
    if (Array.isArray(node)) {
      out.push(segment);
      inActions = key === 'actions';
      node = node[Number(segment)];
      continue;
    }
    const object = (node ?? {}) as Record<string, unknown>;
    const type =
      inActions && typeof object.type === 'string' ? (object.type as ActionType) : undefined;
    inActions = false;
    if (type && ACTION_TYPES.includes(type)) {
      // An action's `type` and `option` become the one field of its ActionInput.
      out.push(camel(type));
      if (segment === 'option' && isOpen(type)) out.push('option');
      else if (segment !== 'option' && segment !== 'type') out.push(camel(segment));
      raw = segment === 'option' && isOpen(type);
    } else {
      out.push(raw ? segment : camel(segment));
      // Keys inside these are data, not field names.
      raw = segment === 'variables' || segment === 'target_ids';
    }
    key = segment;
    node = object[segment];
  }
  return out.join('.');
}
