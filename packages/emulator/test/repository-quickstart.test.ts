/**
 * The repository's Quick start (README.md at the root), as a reader on a fresh machine runs it:
 * its two commands are the ones CI runs, and `scripts/quickstart.mjs` (the core-only quick start)
 * follows its call to the end. Here, not at the root, because the script imports the BUILT core
 * and emulator: turbo runs this package's tests after its build, which comes after core's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READY_TIMEOUT_MS, runProcess } from '@voipbin-kit/process';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The `sh` code blocks of README.md's `## Quick start` section, one command each. */
function quickStartCommands(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Quick start\n'));
  if (!section) throw new Error('README.md has no "## Quick start" section');
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map(([, body]) => (body ?? '').trim());
}

describe("the README's Quick start", () => {
  const commands = quickStartCommands(read('README.md'));

  it('gives two commands: install and start the gateway, install and run every check', () => {
    expect(commands).toEqual([
      'npx -y pnpm@12.21.0 install && npx -y pnpm@12.21.0 start',
      'npx -y pnpm@12.21.0 install && npx -y pnpm@12.21.0 check',
    ]);
  });

  it('has CI (.ci/run) run its check command verbatim', () => {
    const check = commands[1] as string;
    expect(read('.ci/run').split('\n')).toContain(check);
  });

  it(
    'node scripts/quickstart.mjs places the call and follows it to its end: "ended: normal"',
    async () => {
      const { code, stdout, output } = await runProcess({
        command: process.execPath,
        args: ['scripts/quickstart.mjs'],
        cwd: ROOT,
        timeoutMs: READY_TIMEOUT_MS,
      });
      expect(code, output).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^placed, normalised by @voipbin-kit\/core/);
      expect(lines.at(-2)).toMatch(/^\+\s*\d+ s\s+hangup\b/);
      expect(lines.at(-1)).toMatch(
        /^ended: normal \(by local\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
      );
    },
    READY_TIMEOUT_MS + 10_000,
  );
});
