// What /proc says about the processes alive now (Linux): who is whose child, in which group,
// started by whom. Everywhere else the lists are empty and `groupAlive` asks the kernel only.
import { readdirSync, readFileSync } from 'node:fs';

const LINUX = process.platform === 'linux';

/** The variable every process started here carries: the directory of whoever started it. */
export const OWNER_ENV = 'VOIPBIN_KIT_PROCESS_OWNER';

/** Who starts processes from here: an inherited owner, else this directory (a package's, in vitest). */
export const owner = () => process.env[OWNER_ENV] || process.cwd();

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
};

/**
 * Every process alive, zombies left out (dead, only not yet reaped): pid, parent, group.
 * @returns {{ pid: number, ppid: number, pgid: number }[]}
 */
export function listProcesses() {
  if (!LINUX) return [];
  const list = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // After the command's parentheses: state, ppid, pgrp (fields 3 to 5).
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') continue;
    list.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid) });
  }
  return list;
}

/** A process's command line, its arguments joined by spaces ('' once it is gone). */
export const commandLine = (pid) =>
  (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();

/** The environment a process was started with (not what it set since), as `NAME=value` strings. */
export const environment = (pid) => (read(`/proc/${pid}/environ`) ?? '').split('\0');

/** The pids of `pid`'s children, their children, and so on, alive now. */
export function descendantsOf(pid, list = listProcesses()) {
  const found = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const p of list)
      if (p.ppid === parent) {
        found.push(p.pid);
        frontier.push(p.pid);
      }
  }
  return found;
}

/** This process and its ancestors, up to init. */
export function lineage(pid = process.pid, list = listProcesses()) {
  const byPid = new Map(list.map((p) => [p.pid, p]));
  const found = new Set();
  for (let at = byPid.get(pid); at && !found.has(at.pid); at = byPid.get(at.ppid))
    found.add(at.pid);
  found.add(pid);
  return found;
}

/** Whether a process of group `pgid` is alive (zombies do not count on Linux). */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if (error.code === 'ESRCH') return false;
  }
  return !LINUX || listProcesses().some((p) => p.pgid === pgid);
}

/**
 * Of `pids` and of the groups `pgids`, the processes still alive, as `pid command line`.
 * @param {{ pids?: number[], pgids?: number[] }} which
 */
export function survivors({ pids = [], pgids = [] }) {
  return listProcesses()
    .filter((p) => pids.includes(p.pid) || pgids.includes(p.pgid))
    .map((p) => `${p.pid} ${commandLine(p.pid)}`);
}

/**
 * The processes alive that were started on behalf of `dir` (they carry `OWNER_ENV=dir`, or
 * `dir#<anything>` for one run a test follows; set by `spawnProcess`, inherited by theirs), but
 * this process and its ancestors.
 */
export function leftovers(dir) {
  const list = listProcesses();
  const own = lineage(process.pid, list);
  const mark = `${OWNER_ENV}=${dir}`;
  const marked = (entry) => entry === mark || entry.startsWith(`${mark}#`);
  return list
    .filter((p) => !own.has(p.pid) && environment(p.pid).some(marked))
    .map((p) => ({ pid: p.pid, pgid: p.pgid, command: commandLine(p.pid) }));
}
