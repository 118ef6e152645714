// @vitest-environment node
/**
 * GraphiQL, as the gateway serves it at `/graphql`, in a real browser (Playwright driving
 * Debian's Chromium): it runs a subscription over SSE and shows each state as it comes.
 */
import { READY_TIMEOUT_MS } from '@voipbin-kit/process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, launchBrowser, noBrowser, screenshot, startGateway } from './harness.ts';

describe.skipIf(noBrowser)('GraphiQL in Chromium', () => {
  // Every wait is bounded, generously: the machine may be busy with other suites.
  const WAIT = 60_000;
  let gateway: Gateway;
  let browser: Browser;

  beforeAll(
    async () => {
      // Speed 2: the quickstart call rings at 0.5 s, is answered at 2 s and ends at ~5.7 s.
      gateway = await startGateway({ speed: 2 });
      browser = await launchBrowser();
    },
    2 * READY_TIMEOUT_MS + 30_000,
  );
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
      await screenshot(page, 'graphiql-subscription');
      console.log(`GraphiQL showed ${id}: ${statuses.join(' -> ')}`);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);
});
