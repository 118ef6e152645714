#!/usr/bin/env node
/**
 * Regenerates the README's screenshots of the example page: runs its browser test (which saves
 * a screenshot of each state in apps/web/test-results/), then copies two of them into
 * docs/screenshots/: the form, and a call in progress with its controls. Needs the built page
 * and gateway (the root `screenshots` script builds them) and a Chromium (CHROMIUM_PATH, or
 * Debian's).
 *
 *   npx -y pnpm@12.21.0 screenshots
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@voipbin-kit/process';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = join(WEB, '..', '..', 'docs', 'screenshots');
const README_SHOTS = ['form', 'in-call'];

const run = await runProcess({
  command: process.execPath,
  args: [join(WEB, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/e2e/page.e2e.test.ts'],
  cwd: WEB,
  env: { ...process.env, VOIPBIN_KIT_REQUIRE_BROWSER: '1' },
  stdio: 'inherit',
});
if (run.code !== 0) {
  console.error('screenshots: the browser test failed; docs/screenshots/ is unchanged.');
  process.exit(run.code ?? 1);
}
mkdirSync(DOCS, { recursive: true });
for (const name of README_SHOTS) {
  copyFileSync(join(WEB, 'test-results', `${name}.png`), join(DOCS, `${name}.png`));
  console.log(`screenshots: docs/screenshots/${name}.png`);
}
