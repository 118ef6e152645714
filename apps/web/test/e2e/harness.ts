/**
 * What the browser tests of the example page share: Debian's Chromium, the gateway's Node entry
 * (as `pnpm start` runs it, serving the built page at `/`), a standalone emulator, a page that
 * records every console error, GraphQL against the gateway, and where screenshots go.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, READY_TIMEOUT_MS, startProcess } from '@voipbin-kit/process';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The gateway's Node entry, as `pnpm start` runs it once everything is built.
const NODE_ENTRY = join(WEB, '..', 'gateway', 'dist', 'runtime', 'node.mjs');
const EMULATOR_BIN = join(WEB, '..', '..', 'packages', 'emulator', 'dist', 'bin.mjs');
/** Where the test run leaves its screenshots, one per state of the page. */
export const SCREENSHOTS = join(WEB, 'test-results');

/**
 * How long the page may take to show what a step leads to: the emulator is sped up, but
 * Chromium, the gateway and the other suites share 2 cores under `check`.
 */
export const UI_WAIT_MS = 60_000;

/** Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH. */
function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const path of candidates) {
    if (!path) continue;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // the next one
    }
  }
  return undefined;
}

export const chromiumPath = findChromium();
const required = process.env.VOIPBIN_KIT_REQUIRE_BROWSER === '1';
const notice =
  'SKIPPED: the browser tests of the example page, because no Chromium is installed (apt-get install chromium, or set CHROMIUM_PATH); CI (.ci/run) installs it and requires the tests.';
/** Whether to skip: no Chromium here, and CI does not require it. */
export const noBrowser = !chromiumPath && !required;
if (noBrowser) console.warn(`\n${notice}\n`);

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error(notice.replace('SKIPPED', 'REQUIRED'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox'],
    timeout: READY_TIMEOUT_MS,
  });
}

/** This process's environment without VoIPBIN's variables: the gateway gets only what is set. */
const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VOIPBIN_')));

export interface Gateway {
  base: string;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * The Node entry on `port` (a free one by default) in a process group of its own, never
 * outliving the test; resolves once it prints its `upstream:` line, at most READY_TIMEOUT_MS.
 * Without `env.VOIPBIN_BASE_URL` it runs the embedded emulator at `speed`.
 */
export async function startGateway(options: {
  speed?: number;
  port?: number;
  env?: Record<string, string>;
}): Promise<Gateway> {
  const port = options.port ?? (await freePort());
  const gateway = await startProcess({
    command: process.execPath,
    args: [NODE_ENTRY],
    env: {
      ...cleanEnv(),
      PORT: String(port),
      EMULATOR_SPEED: String(options.speed ?? 5),
      NODE_ENV: 'development',
      ...options.env,
    },
    what: 'the gateway (Node entry)',
    ready: /upstream: .*\n/,
  });
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    output: gateway.output,
    stop: async () => {
      await gateway.stop(3_000);
    },
  };
}

/** A standalone emulator (its own process: a call outlives a gateway restart) at `speed`. */
export async function startEmulator(speed: number) {
  const port = await freePort();
  const emulator = await startProcess({
    command: process.execPath,
    args: [EMULATOR_BIN, '--port', String(port), '--speed', String(speed)],
    env: cleanEnv(),
    what: 'the emulator',
    ready: /listening on .*\n/,
  });
  return {
    api: `http://127.0.0.1:${port}/v1.0`,
    stop: async () => {
      await emulator.stop(3_000);
    },
  };
}

/** A GraphQL request to the gateway, as a script would send it (no auth: the whole account). */
export async function graphql<T>(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(UI_WAIT_MS),
  });
  const json = (await response.json()) as { data?: T; errors?: unknown[] };
  if (json.errors) throw new Error(`GraphQL errors: ${JSON.stringify(json.errors)}`);
  return json.data as T;
}

export interface OpenPage {
  page: Page;
  /** Console errors and page errors seen so far (`expected` ones left out). */
  problems: string[];
}

/**
 * A new page at `url`, recording console and page errors; `expected` leaves out the console
 * errors a test provokes on purpose (a request refused while the gateway is down).
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: {
    viewport?: { width: number; height: number };
    colorScheme?: 'light' | 'dark';
    expected?: RegExp;
  } = {},
): Promise<OpenPage> {
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    // The call id's Copy button writes to the clipboard; the tests read it back.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (options.expected?.test(message.text())) return;
    problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url, { timeout: UI_WAIT_MS });
  return { page, problems };
}

/**
 * The stages a call's timeline shows, in order, Ending left out: the emulator's TERMINATING
 * lasts 40 ms at speed 5, and the page may or may not have seen it.
 */
export const stagesShown = async (call: Locator): Promise<string[]> =>
  (await call.locator('.entries .status').allInnerTexts()).filter((stage) => stage !== 'Ending');

/** Saves a screenshot of `page` as test-results/<name>.png. */
export const screenshot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
