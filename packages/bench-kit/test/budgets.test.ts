/**
 * budgets.json is the one place the budgets' numbers live; the docs may state them too, and this
 * test fails when one states another (or no longer states it where it is looked for). A decision
 * record appends a dated section each time a budget moves: its last statement is the current one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { budgets } from '../index.mjs';

const root = new URL('../../../', import.meta.url);
/** A doc's text, its line breaks and runs of spaces as single spaces. */
const read = (path: string) => readFileSync(new URL(path, root), 'utf8').replace(/\s+/g, ' ');
/** The README's `### Budgets` section. */
const readmeBudgets = () => /### Budgets (.*?) ###/.exec(read('README.md'))?.[1] ?? '';

const { workerBundle, workerColdStart, coreBrowserBundle, webPage } = budgets;

interface Statement {
  /** Where (a path from the repository's root), and the text looked in. */
  doc: string;
  text: () => string;
  /** What states the figure: its first group. */
  pattern: RegExp;
  budget: number;
  /** Every statement found (default), or the last one (a decision record's latest section). */
  which?: 'every' | 'last';
}

const record = (doc: string) => ({ doc, text: () => read(doc) });
const STATEMENTS: Statement[] = [
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /guard ([\d.]+) KB/g,
    budget: workerBundle.guardKB,
  },
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /the ([\d.]+) KB goal/g,
    budget: workerBundle.goalKB,
  },
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /talk actions \(budget ([\d.]+) KB\)/g,
    budget: coreBrowserBundle.talkOnlyKB,
  },
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /all 44 actions \(budget ([\d.]+) KB/g,
    budget: coreBrowserBundle.allActionsKB,
  },
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /the page [\d.]+ KB \(budget ([\d.]+) KB/g,
    budget: webPage.budgetKB,
  },
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /\(budget ([\d.]+) ms/g,
    budget: workerColdStart.budgetMs,
  },
  {
    doc: 'README.md',
    text: readmeBudgets,
    pattern: /traced Worker's own limit of ([\d.]+) KB/g,
    budget: workerBundle.tracedGuardKB,
  },
  {
    ...record('docs/decisions/2026-12-07-tracing.md'),
    pattern: /traced Worker's own limit of ([\d.]+) KB/g,
    budget: workerBundle.tracedGuardKB,
    which: 'last',
  },
  {
    ...record(workerBundle.decision),
    pattern: /guard ([\d.]+) KB/g,
    budget: workerBundle.guardKB,
    which: 'last',
  },
  {
    ...record(workerBundle.decision),
    pattern: /\(budget ([\d.]+) ms\)/g,
    budget: workerColdStart.budgetMs,
    which: 'last',
  },
  {
    ...record(workerColdStart.decision),
    pattern: /median of 5 pairs: at most ([\d.]+) ms/g,
    budget: workerColdStart.budgetMs,
  },
  {
    ...record(coreBrowserBundle.decision),
    pattern: /## [\d-]+: budgets ([\d.]+) KB and [\d.]+ KB/g,
    budget: coreBrowserBundle.talkOnlyKB,
    which: 'last',
  },
  {
    ...record(coreBrowserBundle.decision),
    pattern: /## [\d-]+: budgets [\d.]+ KB and ([\d.]+) KB/g,
    budget: coreBrowserBundle.allActionsKB,
    which: 'last',
  },
  {
    ...record(webPage.decision),
    pattern: /JavaScript budget is ([\d.]+) KB gzip/g,
    budget: webPage.budgetKB,
  },
  {
    ...record('docs/PERFORMANCE.md'),
    pattern: /\| Worker bundle < ([\d.]+) KB gzip/g,
    budget: workerBundle.goalKB,
  },
];

describe('the docs state the budgets of budgets.json', () => {
  it.each(
    STATEMENTS.map((statement) => [`${statement.doc}: ${statement.pattern.source}`, statement]),
  )('%s', (_, { text, pattern, budget, which = 'every' }) => {
    const found = [...text().matchAll(pattern)].map((match) => Number(match[1]));
    expect(found, 'no longer stated there: update this test with the doc').not.toEqual([]);
    const judged = which === 'last' ? found.slice(-1) : found;
    expect(judged).toEqual(judged.map(() => budget));
  });

  it('names a decision record for each budget, and the record exists', () => {
    const entries = Object.values(budgets).filter((entry) => typeof entry === 'object');
    expect(entries).toHaveLength(5);
    for (const { decision } of entries)
      expect(() => readFileSync(new URL(decision, root)), decision).not.toThrow();
  });
});
