/**
 * The codes of src/error-codes.ts are the ones the README's error table lists, row for row
 * (with the same HTTP status), and each is one something answers: the gateway's sources or
 * Yoga's. That a code in src is one of them is `tsc`'s to check (`gatewayError` takes only them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  type ErrorCodeMeaning,
  GATEWAY_ERROR_CODES,
  gatewayError,
} from '../src/error-codes.ts';

const README = resolve(import.meta.dirname, '../../../README.md');
const SRC = resolve(import.meta.dirname, '../src');

/** The rows of the README's error table (the one headed `| Code | HTTP |`): code -> status. */
function tableCodes(markdown: string): Map<string, number | undefined> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^\|\s*Code\s*\|\s*HTTP\s*\|/.test(line));
  if (start === -1) throw new Error('The README has no error table (| Code | HTTP | ...)');
  const rows = new Map<string, number | undefined>();
  // After the header and its |---| line, up to the first line that is not a row.
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [code = '', status = ''] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    const name = /^`([A-Z_]+)`$/.exec(code)?.[1];
    if (!name) throw new Error(`Not a code in the error table: ${line}`);
    if (rows.has(name)) throw new Error(`Listed twice in the error table: ${name}`);
    rows.set(name, status === '' ? undefined : Number(status));
  }
  return rows;
}

const LISTED: Partial<Record<string, ErrorCodeMeaning>> = ERROR_CODES;

/** What the README's table and the module disagree on: codes missing, extra, or another status. */
function mismatches(table: Map<string, number | undefined>) {
  return {
    missing: GATEWAY_ERROR_CODES.filter((code) => !table.has(code)),
    extra: [...table.keys()].filter((code) => !LISTED[code]),
    status: [...table].filter(([code, status]) => LISTED[code] && LISTED[code].status !== status),
  };
}

const NONE = { missing: [], extra: [], status: [] };

/** Every file under `dir` whose name ends with one of `extensions`. */
function files(dir: string, extensions: string[]): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => extensions.some((ext) => file.endsWith(ext)))
    .map((file) => join(dir, file));
}

describe('error codes', () => {
  it('are listed in the README table, exactly, each with its status', () => {
    const table = tableCodes(readFileSync(README, 'utf8'));
    expect(table.size).toBeGreaterThan(30);
    expect(mismatches(table)).toEqual(NONE);
  });

  it('finds a row missing, one extra and a wrong status (the check itself)', () => {
    const table = new Map<string, number | undefined>(
      GATEWAY_ERROR_CODES.map((code) => [code, LISTED[code]?.status]),
    );
    expect(mismatches(table)).toEqual(NONE);
    table.delete('STREAM_NOT_FOUND');
    table.set('NOT_A_CODE', undefined);
    table.set('TOO_MANY_STREAMS', 503);
    expect(mismatches(table)).toEqual({
      missing: ['STREAM_NOT_FOUND'],
      extra: ['NOT_A_CODE'],
      status: [['TOO_MANY_STREAMS', 503]],
    });
    expect(() => tableCodes('| Code | HTTP |\n| - | - |\n| `A` | |\n| `A` | |\n')).toThrow(
      'Listed twice',
    );
    expect(() => tableCodes('| Code | HTTP |\n| - | - |\n| A | |\n')).toThrow('Not a code');
  });

  it('gatewayError answers its code first, over any code of the extensions it is given', () => {
    // A rewritten error's extensions (errors.ts spreads the original's), code included.
    const original = { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } as const;
    const error = gatewayError('BAD_USER_INPUT', 'Invalid', { ...original, issues: [] });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', http: { status: 400 }, issues: [] });
    expect(Object.keys(error.extensions)[0]).toBe('code');
  });

  it('are each answered by something: the gateway or Yoga', () => {
    const yoga = dirname(createRequire(import.meta.url).resolve('graphql-yoga/package.json'));
    const sources = [
      ...files(SRC, ['.ts'])
        .filter((file) => !file.endsWith('.test.ts') && !file.endsWith('error-codes.ts'))
        .map((file) => readFileSync(file, 'utf8')),
      ...files(join(yoga, 'esm'), ['.js']).map((file) => readFileSync(file, 'utf8')),
    ];
    const unanswered = GATEWAY_ERROR_CODES.filter(
      (code) => !sources.some((source) => source.includes(`'${code}'`)),
    );
    expect(unanswered).toEqual([]);
  });
});
