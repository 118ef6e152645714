/**
 * The performance budgets (scripts/budgets.mjs), checked with every test run and so in CI:
 * the Worker bundle, core's browser bundle and the Worker's cold start on workerd.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const gatewayDir = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Budget {
  name: string;
  value: number;
  limit: number;
  over: boolean;
}

it('keeps the Worker bundle, the core browser bundle and the cold start within budget', async () => {
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    execFile(
      process.execPath,
      ['scripts/budgets.mjs', '--json'],
      { cwd: gatewayDir, timeout: 100_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BUDGETS '));
  expect(line, `budgets.mjs printed no result:\n${stdout}\n${stderr}`).toBeDefined();
  const { budgets } = JSON.parse((line as string).slice('BUDGETS '.length)) as {
    budgets: Budget[];
  };
  expect(budgets).toHaveLength(3);
  const report = stdout.replace(/^BUDGETS .*$/m, '');
  expect(
    budgets.filter((b) => b.over).map((b) => `${b.name}: ${b.value} > ${b.limit}`),
    report,
  ).toEqual([]);
  expect(code, report + stderr).toBe(0);
}, 120_000);
