// Processes that never outlive whoever started them. Each runs in a process group of its own
// (`detached`), so that ending it ends its children too; a registry ends every group still alive
// when this process exits or is sent SIGINT, SIGTERM or SIGHUP (which it forwards: a group of its
// own no longer gets the terminal's Ctrl-C). It listens before a process is spawned, and a
// signal's teardown waits for those started meanwhile too. A small `sh` watchdog, told each group
// over a pipe, ends them when this process dies without a word (SIGKILL, as vitest's pool does to
// a worker that does not stop within 500 ms).
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { groupAlive, OWNER_ENV, owner } from './proc.mjs';
import { NotReadyError, READY_TIMEOUT_MS, seconds, tail } from './wait.mjs';

const POSIX = process.platform !== 'win32';
/** SIGTERM to SIGKILL, by default, when a process is stopped. */
export const STOP_GRACE_MS = 5_000;
/** SIGTERM to SIGKILL when this process is interrupted or dies (vitest allows a worker 500 ms). */
const INTERRUPT_GRACE_MS = 3_000;
/** How often a stop looks whether the group has gone. */
const POLL_MS = 25;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or nothing after `ms`, whichever comes first; the timer is cleared either way. */
function within(promise, ms) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// ---- the watchdog ---------------------------------------------------------------------------

// Reads `+<target>` / `-<target>` lines (a target is what `kill` takes: `-<pgid>` for a group);
// at end of input (this process gone, however) ends the targets left: TERM, then KILL after the
// grace ($1 s). Deaf to the signals that would otherwise take it down with a terminal's group.
const WATCHDOG = `trap '' INT TERM HUP
grace=$1
targets=' '
while read -r line; do
  id=\${line#?}
  case $line in
    +*) targets="$targets$id " ;;
    -*) case $targets in *" $id "*) targets="\${targets%% $id *} \${targets#* $id }" ;; esac ;;
  esac
done
set -- $targets
[ $# -eq 0 ] && exit 0
for id; do kill -TERM $id 2>/dev/null; done
i=0
while [ $i -lt $((grace * 10)) ]; do
  alive=
  for id; do kill -0 $id 2>/dev/null && alive=1; done
  [ -z "$alive" ] && exit 0
  sleep 0.1
  i=$((i + 1))
done
for id; do kill -KILL $id 2>/dev/null; done`;

let watchdog;

/** Starts the watchdog (once; it never keeps this process alive). */
function startWatchdog() {
  if (!POSIX || watchdog) return;
  watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', String(INTERRUPT_GRACE_MS / 1000)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    // Unmarked: it ends with this process, and is never a test's leftover.
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== OWNER_ENV)),
  });
  watchdog.on('error', () => {}); // no sh: the registry alone, then
  watchdog.stdin.on('error', () => {});
  watchdog.unref();
  watchdog.stdin.unref();
}

/** Tells the watchdog a line. */
function tellWatchdog(line) {
  if (!POSIX) return;
  startWatchdog();
  watchdog.stdin.write(`${line}\n`);
}

// ---- the registry ---------------------------------------------------------------------------

/** The groups (or, for adopted processes, pids) alive: kill target -> { kill, stop }. */
const live = new Map();
let installed = false;
/** The signal being handled (its teardown under way), once one has come. */
let interrupted;

/**
 * Listens for the signals, and starts the watchdog, before a process is spawned: a signal that
 * lands while it starts (spawned, not yet registered) is then the registry's to handle. Without
 * a listener it would be the default death, leaving the new process to nobody.
 */
function arm() {
  startWatchdog();
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Stops listening once nothing is registered. */
function disarm() {
  if (live.size > 0 || !installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function register(target, entry) {
  arm();
  live.set(target, entry);
  tellWatchdog(`+${target}`);
  // Started while a signal's teardown is under way: it is sent the signal, and waited for, too.
  if (interrupted) entry.kill(interrupted);
}

function unregister(target) {
  if (!live.delete(target)) return;
  tellWatchdog(`-${target}`);
  disarm();
}

// Exiting: no time to wait, so SIGTERM now and the watchdog's SIGKILL after the grace.
function onExit() {
  for (const entry of live.values()) entry.kill(watchdog?.pid ? 'SIGTERM' : 'SIGKILL');
}

function onSignal(signal) {
  for (const entry of live.values()) entry.kill(signal);
  // Another listener (the program's own) decides what follows; else the default: die of it.
  if (process.listenerCount(signal) > 1) return;
  if (interrupted) return dieOf(signal); // a second Ctrl-C: no more waiting
  interrupted = signal;
  void endAll().then(() => dieOf(signal));
}

/**
 * Waits until every process registered has gone (each given the grace), and those the program
 * starts meanwhile too (`register` sends them the signal): the program goes on running during
 * the grace, and may start one (the next case of a benchmark, when the one before failed).
 */
async function endAll() {
  const waited = new Set();
  for (;;) {
    const pending = [...live.values()].filter((entry) => !waited.has(entry));
    if (pending.length === 0) return;
    for (const entry of pending) waited.add(entry);
    await Promise.all(pending.map((entry) => entry.stop(INTERRUPT_GRACE_MS, null)));
  }
}

/** Dies of `signal` (its default action), SIGKILL to whatever is still registered first. */
function dieOf(signal) {
  for (const [target, entry] of live) {
    entry.kill('SIGKILL');
    unregister(target);
  }
  disarm();
  process.kill(process.pid, signal);
}

/**
 * Ends `pid` (a process started by someone else, e.g. Miniflare's workerd) with this process,
 * as the registry ends its own groups. Returns the function that forgets it again.
 */
export function adopt(pid) {
  const kill = (signal) => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  };
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  register(pid, {
    kill,
    async stop(graceMs = STOP_GRACE_MS, signal = 'SIGTERM') {
      if (signal) kill(signal);
      for (const end = performance.now() + graceMs; alive() && performance.now() < end; )
        await sleep(POLL_MS);
      kill('SIGKILL');
      unregister(pid);
    },
  });
  return () => unregister(pid);
}

// ---- starting -------------------------------------------------------------------------------

/** `node /path/x.mjs --port 0`, as an error message names a command. */
const commandLine = (command, args) =>
  [command, ...args].map((word) => (/[\s'"]/.test(word) ? JSON.stringify(word) : word)).join(' ');

/** A text that keeps its last `limit` characters. */
function keeper(limit) {
  let text = '';
  return {
    add(chunk) {
      text += chunk;
      if (text.length > limit) text = text.slice(-limit);
    },
    text: () => text,
  };
}

/**
 * Spawns `command` in a process group of its own, registered until the group has gone. Output
 * is kept (`output()`, and `stdout()`, `stderr()`); the group is ended with the process (when
 * it exits by itself, whatever of its group is left is stopped) and with this one.
 * @param {import('./index.d.mts').SpawnOptions} options
 * @returns {import('./index.d.mts').Spawned}
 */
export function spawnProcess({
  command,
  args = [],
  env = process.env,
  cwd,
  what = basename(command),
  stdio = 'pipe',
  ipc = false,
  outputLimit = 1 << 20,
  onOutput,
}) {
  arm();
  let child;
  try {
    child = spawn(command, args, {
      cwd,
      // The caller's own mark, when it gives one (a test following one run), else ours.
      env: { ...env, [OWNER_ENV]: env[OWNER_ENV] || owner() },
      stdio: [
        'ignore',
        stdio === 'inherit' ? 'inherit' : 'pipe',
        stdio === 'inherit' ? 'inherit' : 'pipe',
        ...(ipc ? ['ipc'] : []),
      ],
      detached: POSIX,
    });
  } catch (error) {
    disarm();
    throw error;
  }
  const all = keeper(outputLimit);
  const streams = { stdout: keeper(outputLimit), stderr: keeper(outputLimit) };
  const listeners = new Set();
  for (const name of ['stdout', 'stderr']) {
    child[name]?.on('data', (chunk) => {
      const text = String(chunk);
      all.add(text);
      streams[name].add(text);
      onOutput?.(text, name);
      for (const listener of listeners) listener();
    });
  }
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null, error?: Error }>} */
  const ended = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  // 'exit' may come before the last output: the pipes' end too (bounded: a child of its may
  // hold them open until its group is stopped, which the exit sets off).
  const exited = ended.then(async (exit) => {
    await within(closed, 10_000);
    return exit;
  });
  const target = POSIX ? -child.pid : child.pid;
  const kill = (signal) => {
    if (child.pid === undefined) return;
    try {
      if (POSIX) process.kill(target, signal);
      else child.kill(signal);
    } catch {
      // the group has gone
    }
  };
  let leaderGone = false;
  void ended.then(() => {
    leaderGone = true;
  });
  const gone = () => child.pid === undefined || (POSIX ? !groupAlive(child.pid) : leaderGone);
  let stopping;
  const stop = (graceMs = STOP_GRACE_MS, signal = 'SIGTERM') => {
    stopping ??= (async () => {
      if (graceMs <= 0) kill('SIGKILL');
      else if (signal) kill(signal);
      for (const end = performance.now() + graceMs; !gone() && performance.now() < end; )
        await sleep(POLL_MS);
      if (!gone()) kill('SIGKILL');
      // SIGKILL is not refused: the exit follows at once.
      await within(ended, 5_000);
      unregister(target);
    })();
    return stopping.then(() => exited).then(({ code, signal: by }) => code ?? by);
  };
  if (child.pid !== undefined) {
    register(target, { kill, stop });
    // Left by a process that exited by itself, its group's others are ended too.
    void ended.then(() => stop());
  } else disarm();
  const line = commandLine(command, args);
  return {
    child,
    pid: child.pid,
    what,
    command: line,
    output: all.text,
    stdout: streams.stdout.text,
    stderr: streams.stderr.text,
    exited,
    signal: kill,
    stop,
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** How a ready signal reads in an error message. */
function describeSignal(ready) {
  if (ready instanceof RegExp) return `output matching ${ready}`;
  return ready.label ?? (ready.name ? `${ready.name}()` : 'its ready check');
}

/**
 * Waits until `started` shows `ready` (a RegExp tried on its output as it comes, or a check
 * polled every `pollMs`); rejects when it exits first or after `timeoutMs`, saying what it
 * waited for, from which command, how long, and the last output.
 */
export function waitReady(started, ready, { timeoutMs = READY_TIMEOUT_MS, pollMs = 50 } = {}) {
  const waitingFor = describeSignal(ready);
  const from = ` from \`${started.command}\` (pid ${started.pid})`;
  const check = ready instanceof RegExp ? () => ready.test(started.output()) : ready;
  return new Promise((resolve, reject) => {
    let busy = false;
    let done = false;
    const finish = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      off();
      if (error) reject(error);
      else resolve();
    };
    const attempt = async () => {
      if (busy || done) return;
      busy = true;
      try {
        if (await check(started.output())) finish();
      } catch {
        // not yet
      } finally {
        busy = false;
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          new NotReadyError({
            what: started.what,
            waitingFor,
            timeoutMs,
            from,
            output: started.output(),
          }),
        ),
      timeoutMs,
    );
    const poll = ready instanceof RegExp ? undefined : setInterval(attempt, pollMs);
    const off = started.onData(attempt);
    void started.exited.then(({ code, signal, error }) => {
      if (done) return;
      const how = error ? `failed to start (${error.message})` : `exited (${code ?? signal})`;
      finish(
        Object.assign(
          new Error(
            `${started.what} ${how} before ${waitingFor}${from}; last output:\n${tail(started.output())}`,
          ),
          { code: error?.code },
        ),
      );
    });
    void attempt();
  });
}

/**
 * `spawnProcess`, then waits for its ready signal (`waitReady`); when that fails, the process
 * group is stopped before the error is thrown. Without `ready`, resolves once spawned.
 * @param {import('./index.d.mts').StartOptions} options
 */
export async function startProcess({ ready, timeoutMs = READY_TIMEOUT_MS, pollMs, ...options }) {
  const started = spawnProcess(options);
  if (!ready) return started;
  try {
    await waitReady(started, ready, { timeoutMs, pollMs });
  } catch (error) {
    await started.stop(1_000);
    throw error;
  }
  return started;
}

/**
 * Runs a command to its end in a group of its own (ended with this process too), at most
 * `timeoutMs` (then stopped, and a rejection): its exit code or signal and its output.
 * @param {import('./index.d.mts').RunOptions} options
 */
export async function runProcess({ timeoutMs = Number.POSITIVE_INFINITY, ...options }) {
  const started = spawnProcess(options);
  let timer;
  const expired = new Promise((resolve) => {
    if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve('expired'), timeoutMs);
  });
  const result = await Promise.race([started.exited, expired]);
  clearTimeout(timer);
  if (result === 'expired') {
    await started.stop(1_000);
    throw new Error(
      `${started.what} did not finish within ${seconds(timeoutMs)}: \`${started.command}\`; last output:\n${tail(started.output())}`,
    );
  }
  if (result.error)
    throw Object.assign(new Error(`${started.what} failed to start: ${result.error.message}`), {
      code: result.error.code,
    });
  await started.stop(); // whatever it left in its group
  return {
    code: result.code,
    signal: result.signal,
    stdout: started.stdout(),
    stderr: started.stderr(),
    output: started.output(),
  };
}

/**
 * Runs a command as if in this process's place, for a launcher script: its stdio, the signals
 * sent here passed on to it, and this process ending as it ends (its code, or its signal).
 */
export function runInPlace({ command, args = [], env, cwd }) {
  const started = spawnProcess({ command, args, env, cwd, stdio: 'inherit' });
  // A listener of ours: the registry then passes the signal on and leaves the exit to the child.
  const passOn = () => {};
  for (const signal of SIGNALS) process.on(signal, passOn);
  void started.exited.then(({ code, signal, error }) => {
    for (const name of SIGNALS) process.off(name, passOn);
    if (error) {
      console.error(`${started.what}: ${error.message}`);
      process.exit(1);
    }
    if (signal) {
      // Ends the same way: the default action of that signal, once nothing else listens.
      void started.stop().then(() => dieOf(signal));
      return;
    }
    void started.stop().then(() => process.exit(code ?? 1));
  });
  return started;
}
