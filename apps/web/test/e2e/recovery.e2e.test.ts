// @vitest-environment node
/**
 * A dropped connection, in a real browser: the gateway restarts in the middle of a call placed
 * on a standalone emulator (so the call lives on meanwhile). The page says it is reconnecting,
 * disables the call's controls, resubscribes with backoff, and catches up on what happened.
 */
import { READY_TIMEOUT_MS, waitUntil } from '@voipbin-kit/process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Gateway,
  launchBrowser,
  noBrowser,
  openPage,
  screenshot,
  stagesShown,
  startEmulator,
  startGateway,
  UI_WAIT_MS,
} from './harness.ts';

describe.skipIf(noBrowser)('the example page when the gateway restarts mid-call', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let gateway: Gateway | undefined;
  let browser: Browser;

  /** The gateway in front of the standalone emulator, on `port` (the page's origin). */
  const gatewayOn = (port?: number) =>
    startGateway({
      ...(port === undefined ? {} : { port }),
      env: {
        VOIPBIN_BASE_URL: emulator.api,
        VOIPBIN_TOKEN: 'emulator-token',
        // Loopback only, in a test: no gateway auth in front of the server credential.
        GATEWAY_INSECURE_NO_AUTH: 'true',
      },
    });

  beforeAll(
    async () => {
      // Speed 0.5: the quickstart call rings at 2 s, is answered at 8 s and ends at ~23 s:
      // time to see it ring, stop the gateway (up to 3 s) and see Reconnecting… before the
      // answer, which the page then misses.
      emulator = await startEmulator(0.5);
      gateway = await gatewayOn();
      browser = await launchBrowser();
    },
    3 * READY_TIMEOUT_MS + 30_000,
  );
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await emulator?.stop();
  });

  it('says Reconnecting…, keeps Hang up, then shows what happened meanwhile, to the end', async () => {
    const first = gateway as Gateway;
    // While the gateway is down, the browser logs each refused reconnection attempt.
    const { page, problems } = await openPage(browser, `${first.base}/`, {
      expected: /ERR_CONNECTION_REFUSED|Failed to load resource/,
    });
    try {
      await page.getByRole('button', { name: 'Call', exact: true }).click();
      const region = page.getByRole('region', { name: '+821028286521 to +821021656521' });
      await region.locator('.entries .status', { hasText: 'Ringing' }).waitFor({
        timeout: UI_WAIT_MS,
      });
      const id = (await region.locator('.call-id code').textContent()) ?? '';

      await first.stop();
      gateway = undefined;
      await region.getByText('Reconnecting…').waitFor({ timeout: UI_WAIT_MS });
      const chip = page.locator('.topbar .chip');
      expect(await chip.textContent()).toBe('Reconnecting…');
      // A call can always be ended: Hang up stays (its failure would say why).
      expect(await page.getByRole('button', { name: 'Hang up' }).isDisabled()).toBe(false);
      const seenWhileDown = await stagesShown(region);
      await screenshot(page, 'reconnecting');

      // The call goes on without the gateway, to its end.
      await waitUntil(
        async () => {
          const response = await fetch(`${emulator.api}/calls/${id}?token=emulator-token`);
          return ((await response.json()) as { status: string }).status === 'hangup';
        },
        { what: 'the emulator', waitingFor: `call ${id} to end`, timeoutMs: UI_WAIT_MS },
      );
      gateway = await gatewayOn(first.port);

      // Back: callUpdated answers the current state first, and the page fills in the rest.
      await region.getByText(/^Ended: /).waitFor({ timeout: UI_WAIT_MS });
      expect(await stagesShown(region)).toEqual(['Dialing', 'Ringing', 'Answered', 'Ended']);
      // Answered and ended while the page could not listen: caught up, and connected again.
      expect(seenWhileDown).not.toContain('Answered');
      await expect.poll(() => chip.textContent(), { timeout: UI_WAIT_MS }).toBe('Connected');
      await screenshot(page, 'recovered');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);

  it("disables an answered call's controls while disconnected, and gives them back, the call still running", async () => {
    const first = gateway as Gateway;
    const { page, problems } = await openPage(browser, `${first.base}/`, {
      expected: /ERR_CONNECTION_REFUSED|Failed to load resource/,
    });
    try {
      // The emulator's number that answers and stays on the line until hung up.
      await page.getByLabel('To (destination number)').fill('+15005550005');
      await page.getByRole('button', { name: 'Call', exact: true }).click();
      const region = page.getByRole('region', { name: '+821028286521 to +15005550005' });
      await region.locator('.call-state').getByText('Answered').waitFor({ timeout: UI_WAIT_MS });
      const hold = page.getByRole('button', { name: 'Hold', exact: true });
      expect(await hold.getAttribute('aria-disabled')).toBe('false');

      await first.stop();
      gateway = undefined;
      await region.getByText('Reconnecting…').waitFor({ timeout: UI_WAIT_MS });
      expect(await hold.getAttribute('aria-disabled')).toBe('true');
      // Pressed anyway (Playwright's click waits for an enabled button: the event itself):
      // nothing happens.
      await hold.dispatchEvent('click');
      expect(await page.getByRole('button', { name: 'Resume', exact: true }).count()).toBe(0);

      gateway = await gatewayOn(first.port);
      await expect
        .poll(() => page.locator('.topbar .chip').textContent(), { timeout: UI_WAIT_MS })
        .toBe('Connected');
      expect(await hold.getAttribute('aria-disabled')).toBe('false');
      await hold.click();
      await page.getByRole('button', { name: 'Resume', exact: true }).waitFor({
        timeout: UI_WAIT_MS,
      });
      await page.getByRole('button', { name: 'Hang up' }).click();
      await region.getByText(/^Ended: /).waitFor({ timeout: UI_WAIT_MS });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);
});
