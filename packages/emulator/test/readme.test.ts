/**
 * The emulator's README says what its test numbers do; a reader dials them from there, so its
 * table must name exactly the numbers `TEST_NUMBERS` exports, each under its own name.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TEST_NUMBERS } from '../src/index.ts';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The rows of the table under `## Test numbers`: `[number, name]`, in order. */
function testNumberTable(markdown: string): [string, string][] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Test numbers\n'));
  if (!section) throw new Error('README.md has no "## Test numbers" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .flatMap(([, number, name]) => {
      const n = /^`(\+\d+)`$/.exec(number ?? '');
      const m = /^`(\w+)`$/.exec(name ?? '');
      return n && m ? [[n[1], m[1]] as [string, string]] : [];
    });
}

describe('the README', () => {
  it('lists every test number under its TEST_NUMBERS name, and no other', () => {
    const table = testNumberTable(README);
    expect(table).toEqual(Object.entries(TEST_NUMBERS).map(([name, number]) => [number, name]));
  });
});
