/**
 * The canary check itself: a recorder that missed a canary would let every other file pass
 * silently. Each test plants a canary and takes its findings back out of the record, so this
 * file's own check (canary-setup.ts) still passes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CANARIES,
  canaryRecord,
  findCanaries,
  plantsCanary,
  recordResponse,
  recordText,
  settleRecords,
} from './canary.ts';

const [KEY] = CANARIES;

/** The findings of `plant`, taken out of the record again. */
async function plantAndTakeBack(plant: () => void | Promise<void>) {
  const record = canaryRecord();
  const before = { seen: record.seen, findings: record.findings.length };
  await plant();
  await settleRecords();
  const findings = record.findings.splice(before.findings);
  return { findings, seen: record.seen - before.seen };
}

afterEach(() => {
  // Whatever a failed test left behind must not fail the file a second time.
  expect(findCanaries().findings).toEqual([]);
});

describe('recordResponse', () => {
  it('finds a canary in a response body, masked, naming where it came from', async () => {
    const { findings, seen } = await plantAndTakeBack(() => {
      recordResponse(
        'a test response',
        new Response(`{"errors":[{"message":"bad key ${KEY} in the URL"}]}`, {
          headers: { 'content-type': 'application/json' },
        }),
      );
    });

    expect(seen).toBe(2);
    expect(findings).toEqual([
      {
        canary: 'canary #1',
        source: 'a test response (body)',
        excerpt: expect.stringContaining('bad key [canary] in the URL'),
      },
      // The common part, `s3cr3t`, is a canary of its own.
      expect.objectContaining({ canary: `canary #${CANARIES.length}` }),
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/CANARY|s3cr3t/);
  });

  it('finds a canary in a response header, and leaves the response readable', async () => {
    let response: Response | undefined;
    const { findings } = await plantAndTakeBack(() => {
      response = recordResponse(
        'a test response',
        new Response('ok', { headers: { 'x-upstream': `http://voipbin.test/?accesskey=${KEY}` } }),
      );
    });

    expect(findings.map((f) => [f.canary, f.source])).toEqual([
      ['canary #1', 'a test response (status and headers)'],
      [`canary #${CANARIES.length}`, 'a test response (status and headers)'],
    ]);
    expect(findings[0]?.excerpt).toContain('x-upstream: http://voipbin.test/?accesskey=[canary]');
    expect(await response?.text()).toBe('ok');
  });

  it('finds nothing in a clean response, yet counts it as seen', async () => {
    const { findings, seen } = await plantAndTakeBack(() => {
      recordResponse('a clean response', new Response('{"data":{}}'));
    });
    expect(findings).toEqual([]);
    expect(seen).toBe(2);
  });
});

describe('recordText', () => {
  it('finds every canary in a log line, masking each', async () => {
    const { findings } = await plantAndTakeBack(() => {
      recordText('console.error', `leaked ${CANARIES.slice(0, -1).join(' and ')}`);
    });
    expect(findings.map((f) => f.canary)).toEqual(
      CANARIES.map((_canary, index) => `canary #${index + 1}`),
    );
    for (const finding of findings) expect(finding.excerpt).not.toMatch(/CANARY|s3cr3t/);
  });

  it('is handed every console line by the setup file', async () => {
    const { findings, seen } = await plantAndTakeBack(() => {
      // A clean line: a planted canary would be printed, and the point is that none ever is.
      console.debug('canary.test: this line is recorded');
    });
    expect(seen).toBe(1);
    expect(findings).toEqual([]);
  });
});

describe('plantsCanary', () => {
  it('tells a file that plants a canary (it must record something) from one that does not', () => {
    expect(plantsCanary(`const KEY = '${KEY}';`)).toBe(true);
    expect(plantsCanary("const KEY = 'not-a-canary';")).toBe(false);
  });
});
