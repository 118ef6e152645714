// @vitest-environment node
/**
 * The example page in a real browser: Playwright (playwright-core) driving Debian's Chromium
 * against the gateway's Node entry, as `pnpm start` runs it (the embedded emulator, sped up),
 * serving the built page at `/`. Skipped with a notice where no Chromium is installed, required
 * in CI (`VOIPBIN_KIT_REQUIRE_BROWSER=1`, set by .ci/run, which installs it).
 */
import { READY_TIMEOUT_MS, waitUntil } from '@voipbin-kit/process';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Gateway,
  graphql,
  launchBrowser,
  noBrowser,
  type OpenPage,
  openPage,
  screenshot,
  stagesShown,
  startGateway,
  UI_WAIT_MS,
} from './harness.ts';

/** The emulator's number that answers and stays on the line until hung up. */
const ENDLESS = '+15005550005';
/** The emulator's number that rings and is never answered. */
const NO_ANSWER = '+15005550002';
/** A number this gateway's policy refuses (only +82 and the emulator's +1500 are allowed). */
const REFUSED = '+19005550100';
const QUICKSTART_TITLE = '+821028286521 to +821021656521';

describe.skipIf(noBrowser)('the example page in Chromium', () => {
  let gateway: Gateway;
  let browser: Browser;
  let opened: OpenPage[] = [];

  /** The calls the emulator holds: the gateway without auth sees the whole account. */
  const callsPlaced = async () =>
    (
      await graphql<{ calls: { nodes: { id: string }[] } }>(
        gateway.base,
        '{ calls(first: 100) { nodes { id } } }',
      )
    ).calls.nodes.length;

  /** A call as VoIPBIN (the emulator) shows it now, read through the gateway. */
  const callNow = async (id: string) =>
    (
      await graphql<{
        call: { status: string; muteDirection: string | null; recordingIds: string[] };
      }>(gateway.base, 'query ($id: ID!) { call(id: $id) { status muteDirection recordingIds } }', {
        id,
      })
    ).call;

  const open = async (options: Parameters<typeof openPage>[2] = {}) => {
    const one = await openPage(browser, `${gateway.base}/`, options);
    opened.push(one);
    return one.page;
  };

  /** The call on screen: the region its heading (the numbers) names. */
  const callRegion = (page: Page, title = QUICKSTART_TITLE) =>
    page.getByRole('region', { name: title });

  /** Places a call to `destination` from the form; answers the call's region and id. */
  const place = async (page: Page, destination?: string) => {
    if (destination) await page.getByLabel('To (destination number)').fill(destination);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const region = callRegion(
      page,
      destination ? `+821028286521 to ${destination}` : QUICKSTART_TITLE,
    );
    await region.waitFor({ timeout: UI_WAIT_MS });
    const id = (await region.locator('.call-id code').textContent()) ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    return { region, id };
  };

  const waitForText = (where: Locator, text: string | RegExp) =>
    where.getByText(text).first().waitFor({ timeout: UI_WAIT_MS });

  beforeAll(
    async () => {
      // Speed 5: the quickstart call rings at 200 ms, is answered at 800 ms and ends at ~2.3 s.
      gateway = await startGateway({
        speed: 5,
        env: {
          GATEWAY_ALLOWED_PREFIXES: '+82,+1500',
          // Each control takes a token of the caller's rate limit (burst 10 by default): the
          // control test alone presses 20.
          GATEWAY_RATE_LIMIT_PER_MINUTE: '600',
          GATEWAY_RATE_LIMIT_BURST: '100',
        },
      });
      browser = await launchBrowser();
      // Two starts, each bounded by READY_TIMEOUT_MS: above both, so either fails with its message.
    },
    2 * READY_TIMEOUT_MS + 30_000,
  );
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });
  afterEach(async () => {
    const problems = opened.flatMap((one) => one.problems);
    await Promise.all(opened.map((one) => one.page.close()));
    opened = [];
    // A test that failed mid-call leaves no call running: the next test's page would find it
    // and, one call at a time, offer no Call button.
    const { calls } = await graphql<{ calls: { nodes: { id: string; status: string }[] } }>(
      gateway.base,
      '{ calls(first: 100) { nodes { id status } } }',
    );
    for (const call of calls.nodes.filter((c) => c.status !== 'HANGUP')) {
      await graphql(gateway.base, 'mutation ($id: ID!) { hangupCall(id: $id) { id } }', {
        id: call.id,
      });
    }
    // Until each has ended: one still ending would be a running call to the next page.
    await waitUntil(
      async () =>
        (
          await graphql<{ calls: { nodes: { status: string }[] } }>(
            gateway.base,
            '{ calls(first: 100) { nodes { status } } }',
          )
        ).calls.nodes.every((call) => call.status === 'HANGUP'),
      { what: 'the emulator', waitingFor: 'every call to end', timeoutMs: UI_WAIT_MS },
    );
    expect(problems).toEqual([]);
  });

  it('places the quickstart call, one at a time, and shows it live in words to its end', async () => {
    expect(gateway.output()).toMatch(/the example page on http:\/\/localhost:\d+\//);
    const page = await open();
    // Settled: the recent calls loaded, the quickstart's input checked.
    await page.getByText('Loading recent calls…').waitFor({ state: 'hidden', timeout: UI_WAIT_MS });
    await page.getByText('Checking…').waitFor({ state: 'hidden', timeout: UI_WAIT_MS });
    await screenshot(page, 'form');
    const { region } = await place(page);
    // Focus moved to the call.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), { timeout: UI_WAIT_MS })
      .toBe('call-title');
    // The id is secondary text, with a button that copies it.
    const id = (await region.locator('.call-id code').textContent()) ?? '';
    await region.getByRole('button', { name: 'Copy id' }).click();
    await waitForText(region, 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id);
    await waitForText(region, /^Ended: /);
    // Each stage in order, in words.
    expect(await stagesShown(region)).toEqual(['Dialing', 'Ringing', 'Answered', 'Ended']);
    // The talk plays while answered: no other row says so (the Answered row does when the page
    // saw that state live; one caught up from the call's times has no action to show).
    const rows = await region.locator('.entries li').allInnerTexts();
    for (const row of rows.filter((r) => r.includes('playing talk'))) {
      expect(row).toMatch(/^Answered/);
    }
    expect(await region.getByText(/^Ended: /).textContent()).toBe('Ended: hung up by this side');
    // Over: Call is back for the next one.
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor({ timeout: UI_WAIT_MS });
    await screenshot(page, 'finished-call', true);
  });

  it('shows a policy refusal by its field as the user types, before Call, and places nothing', async () => {
    const before = await callsPlaced();
    const page = await open();
    const destination = page.getByLabel('To (destination number)');
    await destination.fill(REFUSED);
    // validateCall answers the gateway's FORBIDDEN at input.destinations.0.target.
    await expect
      .poll(() => destination.getAttribute('aria-invalid'), { timeout: UI_WAIT_MS })
      .toBe('true');
    expect((await destination.getAttribute('aria-describedby'))?.split(' ')).toContain(
      'call-destination-error',
    );
    expect(await page.locator('#call-destination-error').textContent()).toMatch(/allowed/i);
    await screenshot(page, 'validation');
    // Pressed anyway: createCall answers the same refusal, and still no call.
    const answered = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        (response.request().postData() ?? '').includes('mutation CreateCall'),
      { timeout: UI_WAIT_MS },
    );
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const refusal = (await (await answered).json()) as {
      errors?: { extensions?: { code?: string } }[];
    };
    expect(refusal.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await page.locator('#call-destination-error').textContent()).toMatch(/allowed/i);
    expect(await callsPlaced()).toBe(before);
    // Fixed: the error goes once the gateway agrees.
    await destination.fill('+821021656521');
    await expect
      .poll(() => destination.getAttribute('aria-invalid'), { timeout: UI_WAIT_MS })
      .toBe('false');
  });

  it('hangs up a call before it is answered', async () => {
    const page = await open();
    // Rings until VoIPBIN's 60 s dial timeout (12 s at this speed): hung up while ringing.
    const { region, id } = await place(page, NO_ANSWER);
    await region.locator('.entries .status', { hasText: 'Ringing' }).waitFor({
      timeout: UI_WAIT_MS,
    });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForText(region, 'Ended: canceled before it was answered');
    expect((await callNow(id)).status).toBe('HANGUP');
  });

  it('keeps a call and its controls in view on a 390x844 phone', async () => {
    const page = await open({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    // The dark scheme's colours (styles.css), not the light ones.
    expect(
      await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor),
    ).toBe('rgb(13, 17, 23)');
    const { region, id } = await place(page, ENDLESS);
    await waitForText(region.locator('.call-state'), 'Answered');
    const controls = page.getByRole('region', { name: 'Call controls' });
    await controls.waitFor({ timeout: UI_WAIT_MS });
    const inView = async (locator: Locator) => {
      const box = await locator.boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= 844 && box.x + box.width <= 390;
    };
    expect(await inView(page.getByRole('button', { name: 'Hang up' }))).toBe(true);
    expect(await inView(controls)).toBe(true);
    // Nothing wider than the phone: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await screenshot(page, 'phone-call');
    // Down to 360 px: still no sideways scrolling, Hang up still in view.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    const box = await page.getByRole('button', { name: 'Hang up' }).boundingBox();
    expect(box && box.y + box.height <= 740 && box.x + box.width <= 360).toBe(true);
    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForText(region, /^Ended: /);
    expect((await callNow(id)).status).toBe('HANGUP');
  });

  it('is usable by keyboard alone, from load to hang-up', async () => {
    const page = await open();
    /** Tabs until the focused element's accessible text matches, at most `max` times. */
    const tabTo = async (name: RegExp, max = 30) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const text = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          const label = el?.id ? document.querySelector(`label[for="${el.id}"]`) : null;
          return (label?.textContent ?? el?.textContent ?? '').trim();
        });
        if (name.test(text)) return;
      }
      throw new Error(`Tab never reached ${name}`);
    };
    // Call is enabled once Recent calls has said no call runs (a disabled button takes no Tab).
    await expect
      .poll(() => page.getByRole('button', { name: 'Call', exact: true }).isEnabled(), {
        timeout: UI_WAIT_MS,
      })
      .toBe(true);
    await tabTo(/^To \(destination number\)$/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(ENDLESS);
    await tabTo(/^Call$/);
    await page.keyboard.press('Enter');
    const region = callRegion(page, `+821028286521 to ${ENDLESS}`);
    await region.waitFor({ timeout: UI_WAIT_MS });
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), { timeout: UI_WAIT_MS })
      .toBe('call-title');
    // Answered: the controls by keyboard too (Space presses a button).
    await waitForText(region.locator('.call-state'), 'Answered');
    await tabTo(/^Hold$/);
    await page.keyboard.press('Space');
    await page
      .getByRole('button', { name: 'Resume', exact: true })
      .waitFor({ timeout: UI_WAIT_MS });
    // The focus stayed on it while its request ran.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Resume');
    await tabTo(/^Text to say into the call$/);
    await page.keyboard.type('Said by keyboard.');
    await page.keyboard.press('Enter');
    const say = page.getByLabel('Text to say into the call');
    await expect.poll(() => say.inputValue(), { timeout: UI_WAIT_MS }).toBe('');
    // Hang up comes before the controls: back to it.
    let onHangUp = false;
    for (let i = 0; i < 30 && !onHangUp; i++) {
      await page.keyboard.press('Shift+Tab');
      onHangUp =
        (await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Hang up';
    }
    expect(onHangUp, 'Shift+Tab reached Hang up').toBe(true);
    await page.keyboard.press('Enter');
    await waitForText(region, /^Ended: /);
  });

  it('runs each in-call control, and the call changes as the emulator shows it', async () => {
    const page = await open();
    const { region, id } = await place(page, ENDLESS);
    // One live call at a time: while it runs there is no Call button to place another.
    expect(await page.getByRole('button', { name: 'Call', exact: true }).count()).toBe(0);
    await waitForText(region.locator('.call-state'), 'Answered');
    const controls = page.getByRole('region', { name: 'Call controls' });
    const button = (name: string) => controls.getByRole('button', { name, exact: true });
    const noErrors = async () =>
      expect((await controls.locator('.control-error').allInnerTexts()).join('')).toBe('');

    // Hold, music on hold and silence act on the channel (VoIPBIN's call shows none of
    // them): each turns on once the gateway answers, its label saying how to turn it off.
    for (const [on, off] of [
      ['Hold', 'Resume'],
      ['Music on hold', 'Stop music on hold'],
      ['Silence', 'Stop silence'],
    ] as const) {
      await button(on).click();
      await button(off).waitFor({ timeout: UI_WAIT_MS });
      await noErrors();
      await button(off).click();
      await button(on).waitFor({ timeout: UI_WAIT_MS });
    }

    // Mute one way: the call's mute_direction, as the emulator has it.
    await controls.getByLabel('Their voice').check();
    await button('Mute').click();
    await waitForText(controls, 'Their voice is muted.');
    expect((await callNow(id)).muteDirection).toBe('IN');
    await button('Unmute').click();
    await waitForText(controls, 'Not muted.');
    expect((await callNow(id)).muteDirection).toBeNull();
    await controls.getByLabel('Both ways').check();
    await button('Mute').click();
    await waitForText(controls, 'Muted both ways.');
    expect((await callNow(id)).muteDirection).toBe('BOTH');
    await button('Unmute').click();
    await waitForText(controls, 'Not muted.');

    // Say something: sent, the field cleared for the next.
    const say = controls.getByLabel('Text to say into the call');
    await say.fill('One more thing.');
    await button('Say').click();
    await expect.poll(() => say.inputValue(), { timeout: UI_WAIT_MS }).toBe('');
    await noErrors();

    // Record, then stop: the call's recording ids.
    await button('Record').click();
    await waitForText(controls, '1 recording');
    await button('Stop recording').waitFor({ timeout: UI_WAIT_MS });
    const recording = await callNow(id);
    expect(recording.recordingIds).toHaveLength(1);
    expect(await controls.locator('.mono').textContent()).toBe(recording.recordingIds[0]);
    await screenshot(page, 'in-call');
    await button('Stop recording').click();
    await button('Record').waitFor({ timeout: UI_WAIT_MS });
    expect((await callNow(id)).recordingIds).toHaveLength(1);
    await noErrors();

    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForText(region, 'Ended: hung up by this side');
    // Over: no control is left to press.
    expect(await controls.count()).toBe(0);
  });

  it('lists earlier calls with their status, live, and reopens one when selected', async () => {
    const page = await open();
    const recent = page.getByRole('list', { name: 'Recent calls' });
    // An ended call and a live one.
    const ended = await place(page);
    await waitForText(ended.region, /^Ended: /);
    const live = await place(page, ENDLESS);
    await waitForText(live.region.locator('.call-state'), 'Answered');
    const row = (number: string) =>
      recent.getByRole('listitem').filter({ hasText: number }).first();
    await waitForText(row(ENDLESS), 'Answered');
    await waitForText(row('+821021656521'), 'Ended');
    await screenshot(page, 'recent-calls');

    // Selecting the ended one shows its timeline; with the other still running, no Call.
    await row('+821021656521').getByRole('button').click();
    const reopened = callRegion(page);
    await waitForText(reopened, /^Ended: /);
    expect(await reopened.locator('.call-id code').textContent()).toBe(ended.id);
    const showRunning = page.getByRole('button', { name: 'Show the running call' });
    await showRunning.waitFor({ timeout: UI_WAIT_MS });
    expect(await page.getByRole('button', { name: 'Call', exact: true }).count()).toBe(0);

    // Back to the live one: its controls, and it can be ended from here; then Call is back.
    await showRunning.click();
    await page.getByRole('region', { name: 'Call controls' }).waitFor({ timeout: UI_WAIT_MS });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await waitForText(row(ENDLESS), 'Ended');
    expect((await callNow(live.id)).status).toBe('HANGUP');
    await page.getByRole('button', { name: 'Call', exact: true }).waitFor({ timeout: UI_WAIT_MS });
  });
});
