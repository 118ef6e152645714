// @vitest-environment node
/**
 * The example page in a real browser: Playwright (playwright-core) driving Debian's Chromium
 * against the gateway's Node entry, as `pnpm start` runs it (the embedded emulator, sped up),
 * serving the built page at `/`. Skipped with a notice where no Chromium is installed, required
 * in CI (`VOIPBIN_KIT_REQUIRE_BROWSER=1`, set by .ci/run, which installs it).
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, READY_TIMEOUT_MS, startProcess } from '@voipbin-kit/process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The gateway's Node entry, as `pnpm start` runs it once everything is built.
const NODE_ENTRY = join(WEB, '..', 'gateway', 'dist', 'runtime', 'node.mjs');
/** Where the test run leaves its screenshot of the finished call. */
export const SCREENSHOTS = join(WEB, 'test-results');

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

const chromiumPath = findChromium();
const required = process.env.VOIPBIN_KIT_REQUIRE_BROWSER === '1';
const notice =
  'SKIPPED: the browser test of the example page, because no Chromium is installed (apt-get install chromium, or set CHROMIUM_PATH); CI (.ci/run) installs it and requires the test.';
if (!chromiumPath && !required) console.warn(`\n${notice}\n`);

/**
 * The Node entry on a free port, the embedded emulator at `speed` (a process group of its own,
 * never outliving the test); resolves once it prints its `upstream:` line, at most
 * READY_TIMEOUT_MS (minutes: a loaded machine starts slowly).
 */
async function startGateway(speed: number) {
  const port = await freePort();
  const gateway = await startProcess({
    command: process.execPath,
    args: [NODE_ENTRY],
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !key.startsWith('VOIPBIN_')),
      ),
      PORT: String(port),
      EMULATOR_SPEED: String(speed),
      NODE_ENV: 'development',
      GATEWAY_DENIED_PREFIXES: '+1900',
    },
    what: 'the gateway (Node entry)',
    ready: /upstream: .*\n/,
  });
  return {
    base: `http://127.0.0.1:${port}`,
    output: gateway.output,
    stop: async () => {
      await gateway.stop(3_000);
    },
  };
}

/**
 * How long the page may take to show what a step leads to: at speed 5 a call ends within 2.3 s,
 * but Chromium, the gateway and the other suites share 2 cores under `check`.
 */
const UI_WAIT_MS = 60_000;

describe.skipIf(!chromiumPath && !required)('the example page in Chromium', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  /** How many calls the emulator holds: the gateway without auth sees the whole account. */
  const callsPlaced = async () => {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ calls(first: 100) { nodes { id } } }' }),
    });
    const json = (await response.json()) as { data: { calls: { nodes: unknown[] } } };
    return json.data.calls.nodes.length;
  };

  beforeAll(
    async () => {
      if (!chromiumPath) throw new Error(notice.replace('SKIPPED', 'REQUIRED'));
      // Speed 5: the quickstart call rings at 200 ms, is answered at 800 ms and ends at ~2.3 s.
      gateway = await startGateway(5);
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--no-sandbox'],
        timeout: READY_TIMEOUT_MS,
      });
      mkdirSync(SCREENSHOTS, { recursive: true });
      // Two starts, each bounded by READY_TIMEOUT_MS: above both, so either fails with its message.
    },
    2 * READY_TIMEOUT_MS + 30_000,
  );
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${gateway.base}/`, { timeout: UI_WAIT_MS });
  }, UI_WAIT_MS + 30_000);
  afterEach(async () => {
    await page?.close();
    expect(problems).toEqual([]);
  });

  it('places the quickstart call and shows it live, DIALING to HANGUP', async () => {
    expect(gateway.output()).toMatch(/the example page on http:\/\/localhost:\d+\//);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const timeline = page.getByRole('region', { name: /^Call / });
    await timeline.getByText('Ended: NORMAL').waitFor({ timeout: UI_WAIT_MS });
    const statuses = await timeline.locator('.status').allInnerTexts();
    // Each status in order, never back (a new action repeats PROGRESSING; TERMINATING lasts
    // 40 ms at this speed and may be seen).
    const folded = statuses.filter((status, i) => status !== statuses[i - 1]);
    expect(folded.filter((status) => status !== 'TERMINATING')).toEqual([
      'DIALING',
      'RINGING',
      'PROGRESSING',
      'HANGUP',
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'finished-call.png'), fullPage: true });
  });

  it('shows a refused number next to its field, and places no call', async () => {
    const before = await callsPlaced();
    const destination = page.getByLabel('To (destination number)');
    await destination.fill('+19005550100');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expect
      .poll(() => destination.getAttribute('aria-invalid'), { timeout: UI_WAIT_MS })
      .toBe('true');
    // The gateway's FORBIDDEN, at input.destinations.0.target, shown by the field it names.
    const describedBy = (await destination.getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain('call-destination-error');
    expect(await page.locator('#call-destination-error').textContent()).toMatch(/\+1900/);
    expect(await callsPlaced()).toBe(before);
  });

  it('hangs up a call mid-way', async () => {
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const timeline = page.getByRole('region', { name: /^Call / });
    await timeline.locator('.status', { hasText: 'RINGING' }).waitFor({ timeout: UI_WAIT_MS });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await timeline.getByText(/^Ended: /).waitFor({ timeout: UI_WAIT_MS });
    // Hung up before it was answered: not the NORMAL end of a call that ran its course.
    expect(await timeline.getByText(/^Ended: /).textContent()).not.toBe('Ended: NORMAL');
    expect(await timeline.locator('.status').allInnerTexts()).toContain('HANGUP');
  });

  it('is usable by keyboard: Tab reaches the Call button and Enter places the call', async () => {
    await page.getByLabel('From (source number)').focus();
    for (let i = 0; i < 12; i++) {
      const name = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (name === 'Call') break;
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Call');
    await page.keyboard.press('Enter');
    await page
      .getByRole('region', { name: /^Call / })
      .locator('.status', { hasText: 'DIALING' })
      .waitFor({ timeout: UI_WAIT_MS });
  });
});

describe.skipIf(!chromiumPath && !required)('GraphiQL in Chromium', () => {
  // Every wait is bounded, generously: the machine may be busy with other suites.
  const WAIT = 60_000;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!chromiumPath) throw new Error(notice.replace('SKIPPED', 'REQUIRED'));
    // Speed 2: the quickstart call rings at 0.5 s, is answered at 2 s and ends at ~5.7 s.
    gateway = await startGateway(2);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it("runs `subscription { callEvents { id status } }` and shows a call's states as they come, to HANGUP", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    try {
      const subscription = 'subscription { callEvents { id status } }';
      // GraphiQL takes its query from the URL's `query` parameter.
      await page.goto(`${gateway.base}/graphql?query=${encodeURIComponent(subscription)}`, {
        timeout: WAIT,
      });
      // Monaco renders spaces as no-break spaces.
      const text = (raw: string) => raw.replace(/\u00a0/g, ' ');
      const editor = page.locator('.graphiql-query-editor .view-lines');
      await expect
        .poll(async () => text((await editor.textContent()) ?? ''), { timeout: WAIT })
        .toContain('callEvents');
      // Every text the result pane shows, as it changes (it shows the latest result only).
      await page.evaluate(() => {
        const pane = document.querySelector('.graphiql-response') as HTMLElement;
        const seen: string[] = [];
        (window as unknown as { seen: string[] }).seen = seen;
        new MutationObserver(() => seen.push(pane.textContent ?? '')).observe(pane, {
          subtree: true,
          childList: true,
          characterData: true,
        });
      });
      // The stream's headers come once the gateway listens: a call placed after is seen whole.
      const streaming = page.waitForResponse(
        (response) =>
          response.request().method() === 'POST' &&
          response.request().headers().accept === 'text/event-stream',
        { timeout: WAIT },
      );
      await page.getByRole('button', { name: /^Execute query/ }).click({ timeout: WAIT });
      const stream = await streaming;
      expect(stream.status()).toBe(200);
      expect(stream.headers()['content-type']).toMatch(/^text\/event-stream/);

      const placed = await fetch(`${gateway.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation { createCall(input: { source: { type: TEL, target: "+821028286521" } destinations: [{ type: TEL, target: "+821021656521" }] actions: [{ talk: { text: "Hello from GraphiQL" } }] }) { calls { id } } }',
        }),
        signal: AbortSignal.timeout(WAIT),
      });
      const json = (await placed.json()) as { data: { createCall: { calls: { id: string }[] } } };
      const id = json.data.createCall.calls[0]?.id as string;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const statusesOf = (texts: string[]) =>
        texts
          .map(text)
          .filter((t) => t.includes(id))
          .map((t) => /"status":\s*"([A-Z_]+)"/.exec(t)?.[1])
          .filter((status, i, all) => status !== undefined && status !== all[i - 1]);
      await page.waitForFunction(
        (callId) =>
          (window as unknown as { seen: string[] }).seen.some(
            (t) => t.includes(callId) && t.includes('HANGUP'),
          ),
        id,
        { timeout: WAIT },
      );
      const statuses = statusesOf(
        await page.evaluate(() => (window as unknown as { seen: string[] }).seen),
      );
      // In the order of the call's life, to HANGUP: how many GraphiQL painted depends on how
      // busy the machine is (it shows the latest result), at least one before HANGUP.
      const life = ['DIALING', 'RINGING', 'PROGRESSING', 'TERMINATING', 'HANGUP'];
      expect(statuses.at(-1), JSON.stringify(statuses)).toBe('HANGUP');
      expect(statuses.length, JSON.stringify(statuses)).toBeGreaterThanOrEqual(2);
      const order = statuses.map((status) => life.indexOf(status as string));
      expect(order, JSON.stringify(statuses)).not.toContain(-1);
      expect(order, JSON.stringify(statuses)).toEqual([...order].sort((a, b) => a - b));
      await page.screenshot({ path: join(SCREENSHOTS, 'graphiql-subscription.png') });
      console.log(`GraphiQL showed ${id}: ${statuses.join(' -> ')}`);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);
});
