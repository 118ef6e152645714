/**
 * VoIPBIN's Go source is the truth for actions: `action.go` lists the types, `option_registry.go`
 * names each type's option struct, `option.go` holds the structs (their json tags are the option
 * fields) and `common.go` the values of the option enums. These files, copied unchanged in
 * reference/voipbin-2bf22fa/, are parsed here and every core schema is held against them: the
 * same types, the same option keys (with the documented exceptions only) and values of the same
 * kind. The spec (spec.test.ts) lags this code; where they disagree, this test is the one that
 * decides.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AddressSchema } from '../address.ts';
import { ACTION_TYPES, ActionSchema } from './all.ts';

const GO = new URL(
  '../../../../reference/voipbin-2bf22fa/bin-flow-manager/models/action/',
  import.meta.url,
);
const read = (file: string) => readFileSync(new URL(file, GO), 'utf8');

/**
 * Option fields core accepts though the Go struct has none of that name, each with its reason.
 * Nothing else may differ.
 */
const EXCEPTIONS: Record<string, Record<string, string>> = {
  talk: {
    gender:
      'VoIPBIN no longer reads it, but the 2023 quickstart (reference/quickstart-call.rst) sends it and must keep working verbatim',
  },
};

/**
 * Structs of other VoIPBIN packages that option.go uses, written out from the same commit
 * (bin-email-manager/models/email/main.go), so their fields are held against core's too.
 */
const FOREIGN_STRUCTS: Record<string, GoField[]> = {
  'ememail.Attachment': [
    { name: 'ReferenceType', type: 'ememail.AttachmentReferenceType', json: 'reference_type' },
    { name: 'ReferenceID', type: 'uuid.UUID', json: 'reference_id' },
  ],
};

/**
 * The values of Go string enums defined outside this package (same commit):
 * bin-ai-manager/models/aicall/main.go, bin-ai-manager/models/summary/main.go,
 * bin-email-manager/models/email/main.go. Those of this package are read from common.go.
 */
const FOREIGN_ENUMS: Record<string, string[]> = {
  'amaicall.AssistanceType': ['ai', 'team'],
  'amsummary.ReferenceType': ['', 'call', 'conference', 'transcribe', 'recording'],
  'ememail.AttachmentReferenceType': ['', 'recording'],
};

// ---- parsing the Go source -------------------------------------------------------------------

interface GoField {
  name: string;
  type: string;
  json: string;
}

/** `const ( TypeTalk Type = "talk" ... )` -> { TypeTalk: 'talk' }. */
function typeConstants(source: string): Map<string, string> {
  return new Map(
    [...source.matchAll(/^\s*(Type\w+)\s+Type\s*=\s*"([^"]*)"/gm)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]),
  );
}

/** The names listed in `var TypeListAll []Type = []Type{ ... }`. */
function typeListAll(source: string): string[] {
  const body = /var TypeListAll \[\]Type = \[\]Type\{([^}]*)\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/(Type\w+)/g)].map((m) => m[1] as string);
}

/** `OptionStructByType`: type constant -> struct name, or null for `struct{}{}`. */
function optionStructByType(source: string): Map<string, string | null> {
  const body = /var OptionStructByType = map\[Type\]any\{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return new Map(
    [...body.matchAll(/^\s*(Type\w+):\s*(?:(Option\w+)\{\}|struct\{\}\{\})/gm)].map((m) => [
      m[1] as string,
      m[2] ?? null,
    ]),
  );
}

/** Every `type OptionX struct { ... }` with its fields' Go types and json names. */
function structs(source: string): Map<string, GoField[]> {
  const out = new Map<string, GoField[]>();
  for (const m of source.matchAll(/^type (Option\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields: GoField[] = [];
    for (const line of (m[2] as string).split('\n')) {
      const field = /^\s*(\w+)\s+(\S+)\s+`[^`]*json:"([^",]*)[^`]*`/.exec(line);
      if (field && field[3] !== '-') {
        fields.push({
          name: field[1] as string,
          type: field[2] as string,
          json: field[3] as string,
        });
      }
    }
    out.set(m[1] as string, fields);
  }
  return out;
}

/** `type X string` and its `X = "value"` constants, as in common.go. */
function stringEnums(source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of source.matchAll(/^type (\w+) string$/gm)) out.set(m[1] as string, []);
  for (const m of source.matchAll(/^\s*\w+\s+(\w+)\s*=\s*"([^"]*)"/gm)) {
    out.get(m[1] as string)?.push(m[2] as string);
  }
  return out;
}

const actionGo = read('action.go');
const constants = typeConstants(actionGo);
const listAll = typeListAll(actionGo);
const registry = optionStructByType(read('option_registry.go'));
const goStructs = structs(read('option.go'));
const enums = new Map([...stringEnums(read('common.go')), ...Object.entries(FOREIGN_ENUMS)]);

/** The kind of a Go type, as JSON carries it: `int` is an integer, `[]T` an array of T's kind. */
type Kind = string;
function goKind(type: string): Kind {
  if (type.startsWith('*')) return goKind(type.slice(1));
  if (type.startsWith('[]')) return `array<${goKind(type.slice(2))}>`;
  const map = /^map\[string\](.+)$/.exec(type);
  if (map) return `record<${goKind(map[1] as string)}>`;
  if (type === 'string' || enums.has(type)) return 'string';
  if (/^u?int(8|16|32|64)?$/.test(type)) return 'integer';
  if (/^float(32|64)$/.test(type)) return 'number';
  if (type === 'bool') return 'boolean';
  if (type === 'uuid.UUID') return 'uuid';
  if (type === 'commonaddress.Address') return 'address';
  if (type === 'Action') return 'action';
  if (FOREIGN_STRUCTS[type] || goStructs.has(type)) return 'object';
  throw new Error(`no kind for the Go type ${type}: add it to goKind`);
}

// ---- reading core's schemas ------------------------------------------------------------------

interface Introspected {
  type: string;
  entries?: Record<string, Introspected>;
  wrapped?: Introspected;
  item?: Introspected;
  value?: Introspected;
  options?: unknown[];
  pipe?: Introspected[];
  getter?: (input: unknown) => Introspected;
}
const unwrap = (schema: Introspected): Introspected =>
  schema.wrapped && ['optional', 'nullable', 'nullish'].includes(schema.type)
    ? unwrap(schema.wrapped)
    : schema;
/** Whether a piped schema has the action `type` (also inside a piped schema it starts from). */
const piped = (schema: Introspected, type: string): boolean =>
  schema.pipe?.some((a) => a.type === type || (a !== schema && piped(a, type))) ?? false;

function coreKind(schema: Introspected): Kind {
  const s = unwrap(schema);
  if (s === (AddressSchema as unknown)) return 'address';
  switch (s.type) {
    case 'string':
      return piped(s, 'uuid') ? 'uuid' : 'string';
    case 'picklist':
      return s.options?.every((o) => typeof o === 'string') ? 'string' : 'picklist';
    case 'number':
      return piped(s, 'integer') ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `array<${coreKind(s.item as Introspected)}>`;
    case 'record':
      return `record<${coreKind(s.value as Introspected)}>`;
    case 'strict_object':
    case 'object':
      return 'object';
    case 'lazy':
      // Only `call.actions` nests a schema lazily: any action, checked by its type.
      return 'action';
    default:
      return s.type;
  }
}

/** The option schema ActionSchema uses for `type`. */
function optionSchemaOf(type: string): Introspected {
  const member = (ActionSchema.options as unknown as { entries: Record<string, Introspected> }[])
    .map((option) => option.entries)
    .find((entries) => (entries.type as unknown as { literal: string }).literal === type);
  if (!member?.option) throw new Error(`ActionSchema has no ${type} action`);
  return unwrap(member.option);
}

// ---- the Go side, by action type ---------------------------------------------------------------

/**
 * Types that action.go defines but leaves out of `TypeListAll` (and so of `OptionStructByType`):
 * VoIPBIN's `ValidateActions` refuses them in a request (400 `INVALID_ACTION_TYPE`), but its own
 * services put them in flows (queue-manager's wait loop is an `empty` step), so answers carry
 * them. Their option struct is found by name, `Type<X>` -> `Option<X>`.
 */
const NOT_IN_TYPE_LIST_ALL = ['TypeEmpty'];

/** Every action type action.go defines (`Type<X> Type = "..."`), with its option struct's fields. */
const goActions = [...constants].map(([name, type]) => {
  const byName = NOT_IN_TYPE_LIST_ALL.includes(name) ? `Option${name.slice(4)}` : undefined;
  if (!byName && !registry.has(name)) {
    throw new Error(`option_registry.go maps no option struct for ${name}`);
  }
  const struct = byName ?? registry.get(name) ?? null;
  const fields = struct === null ? [] : goStructs.get(struct);
  if (!fields) throw new Error(`option_registry.go names ${struct}, which option.go lacks`);
  return { type, struct: struct ?? 'struct{}{}', fields };
});
const goFieldsOf = (type: string) => goActions.find((a) => a.type === type)?.fields ?? [];

/** Compares an object schema of core with a Go struct's fields: keys, then kinds, recursively. */
function compare(core: Introspected, fields: GoField[], where: string, exceptions = {}) {
  const keys = Object.keys(core.entries ?? {}).filter((key) => !(key in exceptions));
  expect(keys.sort(), `${where}: the option keys are the Go json tags`).toEqual(
    fields.map((f) => f.json).sort(),
  );
  for (const field of fields) {
    const entry = core.entries?.[field.json];
    if (!entry) continue;
    const kind = goKind(field.type);
    expect(coreKind(entry), `${where}.${field.json}: Go ${field.type}`).toBe(kind);
    // A struct nested in the option (directly or in a list): its fields too.
    const element = field.type.replace(/^(\*|\[\])+/, '');
    const nested = FOREIGN_STRUCTS[element] ?? goStructs.get(element);
    if (nested) {
      let inner = unwrap(entry);
      while (inner.type === 'array') inner = unwrap(inner.item as Introspected);
      compare(inner, nested, `${where}.${field.json}`);
    }
    // A Go string enum: core's picklist takes each of its values and no other. `""` may be
    // either way: it is Go's zero value, the same to VoIPBIN as leaving the field out.
    const values = enums.get(element);
    const s = unwrap(entry);
    if (values?.length && s.type === 'picklist') {
      const known = values.filter((value) => value !== '');
      const extra = (s.options as string[]).filter((o) => o !== '' && !values.includes(o));
      expect(extra, `${where}.${field.json}: values Go's ${element} lacks`).toEqual([]);
      expect(
        known.filter((value) => !s.options?.includes(value)),
        `${where}.${field.json}: values of Go's ${element} core refuses`,
      ).toEqual([]);
    }
  }
}

// ---- the tests ---------------------------------------------------------------------------------

describe("core's actions are VoIPBIN's Go action types and option structs", () => {
  it('reads the Go source', () => {
    expect(constants.size).toBe(44);
    expect(goStructs.size).toBeGreaterThan(40);
    expect(goFieldsOf('talk').map((f) => f.json)).toContain('voice_id');
    expect(enums.get('OptionTalkDigitsHandle')).toEqual(['', 'next']);
  });

  it('ACTION_TYPES is the set of action types action.go defines', () => {
    expect([...ACTION_TYPES].sort()).toEqual(goActions.map((a) => a.type).sort());
    expect(ACTION_TYPES).toHaveLength(new Set(ACTION_TYPES).size);
  });

  it('TypeListAll, which VoIPBIN checks requests against, has all of them but `empty`', () => {
    expect([...constants.keys()].filter((name) => !listAll.includes(name))).toEqual(
      NOT_IN_TYPE_LIST_ALL,
    );
    expect(listAll.filter((name) => !constants.has(name))).toEqual([]);
  });

  it('every type of TypeListAll has an entry in option_registry.go, and every option struct a type', () => {
    expect([...registry.keys()].sort()).toEqual([...listAll].sort());
    const used = new Set(goActions.map((a) => a.struct));
    expect([...goStructs.keys()].filter((name) => !used.has(name))).toEqual([]);
  });

  it('the documented exceptions are fields core has and Go does not', () => {
    for (const [type, fields] of Object.entries(EXCEPTIONS)) {
      for (const field of Object.keys(fields)) {
        expect(Object.keys(optionSchemaOf(type).entries ?? {}), type).toContain(field);
        expect(
          goFieldsOf(type).map((f) => f.json),
          type,
        ).not.toContain(field);
      }
    }
  });

  it.each(goActions.map((a) => [a.type, a.struct] as const))(
    'the %s option has the json fields of %s, of the same kinds',
    (type, _struct) => {
      const core = optionSchemaOf(type);
      expect(['strict_object'], `${type}: an unknown option key is refused`).toContain(core.type);
      compare(core, goFieldsOf(type), type, EXCEPTIONS[type]);
    },
  );
});
