import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/index.ts';

describe('the schema', () => {
  it('is committed as schema.graphql, up to date (run `pnpm schema:print` after a change)', async () => {
    await expect(printSchema(schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (
        type.name.startsWith('__') ||
        (isScalarType(type) &&
          !type.description &&
          ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
      )
        continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has the contract the frontends rely on', () => {
    const mutation = schema.getMutationType()?.getFields() ?? {};
    expect(String(mutation.createCall?.type)).toBe('CreateCallPayload!');
    expect(String(mutation.createCall?.args.find((a) => a.name === 'input')?.type)).toBe(
      'CreateCallInput!',
    );
    expect(String(mutation.createCall?.args.find((a) => a.name === 'idempotencyKey')?.type)).toBe(
      'String',
    );
    const actionInput = schema.getType('ActionInput');
    expect(isInputObjectType(actionInput) && actionInput.isOneOf).toBe(true);
    expect(Object.keys(isInputObjectType(actionInput) ? actionInput.getFields() : {})).toHaveLength(
      44,
    );
    const call = schema.getType('Call');
    expect(isObjectType(call) && String(call.getFields().status?.type)).toBe('CallStatus!');
  });
});
