/**
 * Request bodies decoded as VoIPBIN's Go handlers do (gin `BindJSON` into the generated
 * `openapi_server` structs, am server/calls.go): unknown fields are ignored, missing ones and
 * `null` are zero values, keys match case-insensitively (an exact match first), and a value of
 * the wrong JSON type fails the whole body (400 `INVALID_JSON_BODY`). Nothing else is checked
 * here: what VoIPBIN checks later (variables, action types, destinations) the routes check.
 */
import type { Address } from '@voipbin-kit/core';
import { errors } from './errors.ts';
import { parseJson } from './http.ts';

type Obj = Record<string, unknown>;

/** The JSON text of a body; `lenient` also takes trailing commas. Empty is an error (Go's EOF). */
export function parseBody(text: string, lenient: boolean): { value: unknown; relaxed: boolean } {
  if (text.trim() === '') throw errors.invalidJsonBody();
  const parsed = parseJson(text, lenient);
  if (!parsed.ok) throw errors.invalidJsonBody();
  return { value: parsed.value, relaxed: parsed.relaxed };
}

/** A struct: an object, or `null` (left as zero values). */
function struct(value: unknown): Obj {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw errors.invalidJsonBody();
  return value as Obj;
}

/** encoding/json's field match: the exact key, else one equal but for case. */
function field(object: Obj, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

function string(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw errors.invalidJsonBody();
  return value;
}

/** A Go `int`: a JSON number without a fraction. */
function int(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw errors.invalidJsonBody();
  return value;
}

function list<T>(value: unknown, item: (v: unknown) => T): T[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw errors.invalidJsonBody();
  return value.map(item);
}

/** `map[string]interface{}`: any object. */
function anyMap(value: unknown): Obj | undefined {
  if (value === null || value === undefined) return undefined;
  return struct(value);
}

/** `map[string]string` */
function stringMap(value: unknown): Record<string, string> {
  const object = struct(value);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, string(v)]));
}

/** `CommonAddress` */
export function address(value: unknown): Address {
  const o = struct(value);
  const out: Record<string, string> = {};
  for (const name of ['type', 'target', 'target_name', 'name', 'detail']) {
    const v = string(field(o, name));
    if (v) out[name] = v;
  }
  return out as unknown as Address;
}

/** `FlowManagerAction`: `id`, `next_id`, `type`, `option`. */
export interface DecodedAction {
  id: string;
  next_id: string;
  type: string;
  option?: Obj;
}

function action(value: unknown): DecodedAction {
  const o = struct(value);
  const option = anyMap(field(o, 'option'));
  return {
    id: string(field(o, 'id')),
    next_id: string(field(o, 'next_id')),
    type: string(field(o, 'type')),
    ...(option ? { option } : {}),
  };
}

/** `PostCallsJSONBody` */
export interface CallRequest {
  source: Address;
  destinations: Address[];
  actions: DecodedAction[];
  flowId: string;
  anonymous: string;
  variables: Record<string, string>;
}

export function callRequest(value: unknown): CallRequest {
  const o = struct(value);
  return {
    source: address(field(o, 'source')),
    destinations: list(field(o, 'destinations'), address),
    actions: list(field(o, 'actions'), action),
    flowId: string(field(o, 'flow_id')),
    anonymous: string(field(o, 'anonymous')),
    variables: stringMap(field(o, 'variables')),
  };
}

/** `PostCallsIdTalkJSONBody` */
export function talkRequest(value: unknown) {
  const o = struct(value);
  return {
    text: string(field(o, 'text')),
    language: string(field(o, 'language')),
    provider: string(field(o, 'provider')),
    voice_id: string(field(o, 'voice_id')),
  };
}

/** `PostCallsIdMuteJSONBody`, `DeleteCallsIdMuteJSONBody` */
export function muteRequest(value: unknown) {
  return { direction: string(field(struct(value), 'direction')) };
}

/** `PostCallsIdRecordingStartJSONBody` */
export function recordingStartRequest(value: unknown) {
  const o = struct(value);
  return {
    format: string(field(o, 'format')),
    end_of_silence: int(field(o, 'end_of_silence')),
    end_of_key: string(field(o, 'end_of_key')),
    duration: int(field(o, 'duration')),
    on_end_flow_id: string(field(o, 'on_end_flow_id')),
  };
}

/**
 * gofrs/uuid `FromStringOrNil`: the canonical form, in braces, with `urn:uuid:`, or 32 hex
 * digits; any case. The id in its canonical lowercase form, or undefined when it does not parse
 * or is the nil UUID (am answers both with 400 `INVALID_ID`).
 */
export function uuidOf(text: string): string | undefined {
  let s = text;
  if (/^urn:uuid:/i.test(s)) s = s.slice(9);
  else if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  let hex: string;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) {
    hex = s.replaceAll('-', '');
  } else if (/^[0-9a-f]{32}$/i.test(s) && s === text) {
    hex = s;
  } else return undefined;
  hex = hex.toLowerCase();
  if (/^0+$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `PostFlowsJSONBody`, `PutFlowsIdJSONBody`: `name`, `detail`, `actions`, `on_complete_flow_id`. */
export function flowRequest(value: unknown) {
  const o = struct(value);
  return {
    name: string(field(o, 'name')),
    detail: string(field(o, 'detail')),
    actions: list(field(o, 'actions'), action),
    onCompleteFlowId: string(field(o, 'on_complete_flow_id')),
  };
}
