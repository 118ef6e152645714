/**
 * The shared process helper: a start waits on its ready signal and says what it waited for when
 * it gives up; a stop, an exit, a signal or a SIGKILL of whoever started them leaves no process
 * of theirs alive, grandchildren included (checked in /proc, with bounded polling).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bounded,
  commandLine,
  descendantsOf,
  httpOk,
  leftovers,
  listProcesses,
  NotReadyError,
  OWNER_ENV,
  owner,
  runProcess,
  spawnProcess,
  startProcess,
  survivors,
  waitReady,
  waitUntil,
} from '../index.mjs';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const node = (name: string, env: Record<string, string> = {}) => ({
  command: process.execPath,
  args: [fixture(name)],
  env: { ...process.env, ...env },
  what: name,
});

/** The pids tree.mjs printed: its own and its child's. */
function treePids(output: string): number[] {
  const match = /tree (\d+): grandchild (\d+)/.exec(output);
  if (!match) throw new Error(`no tree line in:\n${output}`);
  return [Number(match[1]), Number(match[2])];
}

/** Waits (bounded) until none of `pids`, and none of the groups `pgids`, is alive. */
async function expectAllGone(which: { pids?: number[]; pgids?: number[] }) {
  await waitUntil(() => survivors(which).length === 0, {
    what: 'the processes started',
    waitingFor: 'all of them to have gone',
    timeoutMs: 30_000,
  }).catch(() => {
    throw new Error(`still alive:\n${survivors(which).join('\n')}`);
  });
  expect(survivors(which)).toEqual([]);
}

/**
 * A mark of its own for one test's processes (inherited by theirs), so that what is left of them
 * is found whatever they printed or did before a bound expired.
 */
function marked() {
  const mark = `${owner()}#${randomUUID()}`;
  return { env: { [OWNER_ENV]: mark }, left: () => leftovers(mark) };
}

/** Waits (bounded) until no process of a `marked()` run is alive. */
async function expectNoneLeft(left: () => { pid: number; command: string }[]) {
  await waitUntil(() => left().length === 0, {
    what: 'the processes started',
    waitingFor: 'none alive',
    timeoutMs: 30_000,
  }).catch(() => {});
  expect(left().map((p) => `${p.pid} ${p.command}`)).toEqual([]);
}

/** What tree.mjs has printed by the time a short bound expires: its line, or nothing yet. */
const TREE_OUTPUT = String.raw`(?:tree \d+: grandchild \d+\n|\(nothing\))`;

/**
 * Starts a fixture parent and waits for `line`; gives it, its descendants alive then, their
 * groups, and the servers among them (all but its watchdog, which ends after it).
 */
async function parentWith(name: string, line: RegExp, env: Record<string, string> = {}) {
  const parent = await startProcess({ ...node(name, env), ready: line });
  const pid = parent.pid as number;
  // The tree as it settles: a process just forked still shows its parent's command line, and
  // a watchdog may start a moment after the ready line. Two equal looks in a row, 5 s at most.
  let list = listProcesses();
  let seen = '';
  for (let look = 0; look < 50; look++) {
    const now = JSON.stringify(descendantsOf(pid, list).map((p) => [p, commandLine(p)]));
    if (now === seen) break;
    seen = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
    list = listProcesses();
  }
  const descendants = descendantsOf(pid, list);
  const pgids = [...new Set(list.filter((p) => descendants.includes(p.pid)).map((p) => p.pgid))];
  const servers = descendants.filter((p) => !commandLine(p).startsWith('/bin/sh -c trap'));
  return { parent, descendants, pgids, servers };
}

describe('startProcess', () => {
  it('resolves on its ready line, in a group of its own; stop() ends the group, grandchildren included', async () => {
    const tree = await startProcess({ ...node('tree.mjs'), ready: /^ready$/m });
    const [pid, grandchild] = treePids(tree.output());
    expect(pid).toBe(tree.pid);
    const inGroup = listProcesses().filter((p) => p.pgid === tree.pid);
    expect(inGroup.map((p) => p.pid).sort()).toEqual([pid, grandchild].sort());
    expect(await tree.stop()).toBe('SIGTERM');
    await expectAllGone({ pids: [pid as number, grandchild as number], pgids: [pid as number] });
  });

  it('gives up when the ready signal never comes, naming what it waited for, the command and the bound, and ends the group', async () => {
    const { env, left } = marked();
    const error = await startProcess({
      ...node('tree.mjs', { TREE_NEVER_READY: '1', ...env }),
      what: 'the tree',
      ready: /^ready$/m,
      timeoutMs: 300,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NotReadyError);
    expect((error as Error).message).toMatch(
      new RegExp(
        String.raw`^the tree not ready after 0\.3 s: waited for output matching \/\^ready\$\/m from \`.*node\S* \S*tree\.mjs\` \(pid \d+\); last output:\n${TREE_OUTPUT}$`,
      ),
    );
    await expectNoneLeft(left);
  });

  it('quotes in that message the last output the process printed', async () => {
    const tree = spawnProcess({ ...node('tree.mjs', { TREE_NEVER_READY: '1' }), what: 'the tree' });
    try {
      await waitReady(tree, /tree \d+: grandchild \d+\n/);
      const error = (await waitReady(tree, /^ready$/m, { timeoutMs: 300 }).catch(
        (thrown: unknown) => thrown,
      )) as Error;
      expect(error.message).toMatch(/; last output:\ntree \d+: grandchild \d+\n$/);
    } finally {
      await tree.stop();
    }
  });

  it('says so when the process exits before its ready signal, with its exit code', async () => {
    const error = (await startProcess({
      ...node('tree.mjs', { TREE_EXIT: '3' }),
      ready: /^ready$/m,
    }).catch((thrown: unknown) => thrown)) as Error;
    expect(error.message).toMatch(
      /^tree\.mjs exited \(3\) before output matching \/\^ready\$\/m from `.*tree\.mjs` \(pid \d+\); last output:\ntree \d+: grandchild \d+/,
    );
    // The child it left in its group is ended with it.
    const [pid, grandchild] = treePids(error.message);
    await expectAllGone({ pids: [grandchild as number], pgids: [pid as number] });
  });

  it('fails with the spawn error (ENOENT) for a command that does not exist', async () => {
    const error = (await startProcess({
      command: '/nonexistent/server',
      ready: /ready/,
    }).catch((thrown: unknown) => thrown)) as Error & { code?: string };
    expect(error.code).toBe('ENOENT');
    expect(error.message).toMatch(/^server failed to start \(spawn \/nonexistent\/server ENOENT\)/);
  });

  it('polls a ready check until it holds, and names it by its label when it never does', async () => {
    let calls = 0;
    const tree = await startProcess({ ...node('tree.mjs'), ready: () => ++calls >= 3, pollMs: 10 });
    expect(calls).toBe(3);
    await tree.stop();
    const error = (await startProcess({
      ...node('tree.mjs'),
      ready: httpOk('http://127.0.0.1:1/health', { attemptMs: 100 }),
      timeoutMs: 300,
    }).catch((thrown: unknown) => thrown)) as Error;
    expect(error.message).toMatch(
      /^tree\.mjs not ready after 0\.3 s: waited for GET http:\/\/127\.0\.0\.1:1\/health answering 200 from/,
    );
  });

  it('kills a process that ignores SIGTERM once the grace is over', async () => {
    const tree = await startProcess({
      ...node('tree.mjs', { TREE_STUBBORN: '1' }),
      ready: /^ready$/m,
    });
    const [pid, grandchild] = treePids(tree.output());
    expect(await tree.stop(200)).toBe('SIGKILL');
    await expectAllGone({ pids: [pid as number, grandchild as number], pgids: [pid as number] });
  });

  it('ends what is left of the group of a process that exited by itself', async () => {
    const tree = spawnProcess(node('tree.mjs', { TREE_EXIT: '0' }));
    expect((await tree.exited).code).toBe(0);
    const [pid, grandchild] = treePids(tree.output());
    await expectAllGone({ pids: [grandchild as number], pgids: [pid as number] });
  });

  it('marks what it starts with its owner, which leftovers() finds until it has gone', async () => {
    const tree = await startProcess({ ...node('tree.mjs'), ready: /^ready$/m });
    const [pid, grandchild] = treePids(tree.output());
    expect(
      leftovers(owner())
        .map((p) => p.pid)
        .filter((found) => found === pid || found === grandchild)
        .sort(),
    ).toEqual([pid, grandchild].sort());
    await tree.stop();
    await expectAllGone({ pgids: [pid as number] });
    expect(leftovers(owner()).filter((p) => p.pgid === pid)).toEqual([]);
  });
});

describe('a parent that started processes with the helper', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`sent ${signal} midway, ends them (grandchildren too) and then dies of ${signal}`, async () => {
      const { parent, descendants, pgids, servers } = await parentWith(
        'parent.mjs',
        /parent: started/,
      );
      expect(servers.map(commandLine)).toHaveLength(2); // tree.mjs and its child
      process.kill(parent.pid as number, signal);
      expect((await parent.exited).signal, parent.output()).toBe(signal);
      // Ended before the parent died, not after it by its watchdog.
      expect(survivors({ pids: servers })).toEqual([]);
      await expectAllGone({ pids: descendants, pgids });
    });
  }

  it('sent SIGTERM inside spawn, as its server has just been made, ends it and dies of SIGTERM', async () => {
    const { env, left } = marked();
    const parent = spawnProcess(node('signal-in-spawn.mjs', env));
    expect((await parent.exited).signal, parent.output()).toBe('SIGTERM');
    // Ended before the parent died: the signal was the registry's to handle, not a default death.
    expect(left().map((p) => p.command)).toEqual([]);
    await expectNoneLeft(left);
  });

  it('sent SIGTERM, ends as well what it starts during that teardown, and waits for it', async () => {
    const { env, left } = marked();
    const parent = await startProcess({
      ...node('one-after-another.mjs', env),
      ready: /first: ready/,
    });
    process.kill(parent.pid as number, 'SIGTERM');
    expect((await parent.exited).signal, parent.output()).toBe('SIGTERM');
    expect(left().map((p) => p.command)).toEqual([]);
    await expectNoneLeft(left);
  });

  it('killed with SIGKILL (no handler runs), still leaves nothing: its watchdog ends them', async () => {
    const { parent, descendants, pgids } = await parentWith('parent.mjs', /parent: started/);
    process.kill(parent.pid as number, 'SIGKILL');
    expect((await parent.exited).signal).toBe('SIGKILL');
    await expectAllGone({ pids: descendants, pgids });
  });

  it('whose wait expires (VOIPBIN_KIT_READY_TIMEOUT_MS set small) fails saying what it waited for, and leaves nothing', async () => {
    const { env, left } = marked();
    const parent = spawnProcess(
      node('parent.mjs', { TREE_NEVER_READY: '1', VOIPBIN_KIT_READY_TIMEOUT_MS: '500', ...env }),
    );
    expect((await parent.exited).code).toBe(1);
    expect(parent.stderr()).toMatch(
      new RegExp(
        String.raw`^tree not ready after 0\.5 s: waited for output matching \/\^ready\$\/m from \`.*tree\.mjs\` \(pid \d+\); last output:\n${TREE_OUTPUT}`,
      ),
    );
    await expectNoneLeft(left);
  });
});

describe('runInPlace (a launcher)', () => {
  it('passes SIGTERM on to what it runs and dies of the same signal, leaving nothing', async () => {
    const { parent, descendants, pgids, servers } = await parentWith('launcher.mjs', /^ready$/m);
    expect(servers.map(commandLine)).toHaveLength(2);
    process.kill(parent.pid as number, 'SIGTERM');
    expect((await parent.exited).signal, parent.output()).toBe('SIGTERM');
    expect(survivors({ pids: servers })).toEqual([]);
    await expectAllGone({ pids: descendants, pgids });
  });

  it('exits with the exit code of what it runs', async () => {
    const launcher = spawnProcess(node('launcher.mjs', { TREE_EXIT: '3' }));
    expect((await launcher.exited).code).toBe(3);
    await expectAllGone({ pids: treePids(launcher.output()) });
  });
});

describe('runProcess', () => {
  it('runs a command to its end: its code and its output', async () => {
    const result = await runProcess({
      command: process.execPath,
      args: ['-e', 'console.log("out"); console.error("err"); process.exit(2)'],
    });
    expect(result).toMatchObject({ code: 2, signal: null, stdout: 'out\n', stderr: 'err\n' });
  });

  it('stops a command still running after timeoutMs, and says so', async () => {
    const { env, left } = marked();
    const error = (await runProcess({ ...node('tree.mjs', env), timeoutMs: 300 }).catch(
      (thrown: unknown) => thrown,
    )) as Error;
    expect(error.message).toMatch(
      new RegExp(
        String.raw`^tree\.mjs did not finish within 0\.3 s: \`.*tree\.mjs\`; last output:\n${TREE_OUTPUT}`,
      ),
    );
    await expectNoneLeft(left);
  });
});

describe('waits', () => {
  it('waitUntil gives up after its bound, saying what it waited for', async () => {
    await expect(
      waitUntil(() => false, { what: 'the gateway', waitingFor: 'its socket', timeoutMs: 50 }),
    ).rejects.toThrow(/^the gateway not ready after 0\.05 s: waited for its socket; last output:/);
  });

  it('bounded() passes a promise through, or gives up after its bound', async () => {
    expect(
      await bounded(Promise.resolve(7), { what: 'x', waitingFor: 'y', timeoutMs: 1_000 }),
    ).toBe(7);
    await expect(
      bounded(new Promise(() => {}), { what: 'Miniflare', waitingFor: 'mf.ready', timeoutMs: 50 }),
    ).rejects.toThrow(/^Miniflare not ready after 0\.05 s: waited for mf\.ready/);
  });

  it('READY_TIMEOUT_MS is 3 minutes unless VOIPBIN_KIT_READY_TIMEOUT_MS says otherwise', async () => {
    const print = async (env: Record<string, string>) => {
      const { VOIPBIN_KIT_READY_TIMEOUT_MS: _, ...inherited } = process.env;
      const { stdout } = await runProcess({
        command: process.execPath,
        args: [
          '--input-type=module',
          '-e',
          `import { READY_TIMEOUT_MS } from ${JSON.stringify(new URL('../index.mjs', import.meta.url).href)}; console.log(READY_TIMEOUT_MS)`,
        ],
        env: { ...inherited, ...env },
      });
      return stdout.trim();
    };
    expect(await print({})).toBe('180000');
    expect(await print({ VOIPBIN_KIT_READY_TIMEOUT_MS: '2500' })).toBe('2500');
    expect(await print({ VOIPBIN_KIT_READY_TIMEOUT_MS: 'soon' })).toBe('180000');
  });
});
