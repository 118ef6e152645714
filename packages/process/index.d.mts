import type { ChildProcess } from 'node:child_process';

// ---- ports -------------------------------------------------------------------------------------

/** A TCP port free now on 127.0.0.1 (the OS picks it; a server may still take it before you). */
export declare function freePort(): Promise<number>;

// ---- waits -------------------------------------------------------------------------------------

/** The variable that overrides `READY_TIMEOUT_MS` (milliseconds). */
export declare const READY_TIMEOUT_ENV: 'VOIPBIN_KIT_READY_TIMEOUT_MS';
/** How long a wait for a server's ready signal may take: 3 minutes, or `VOIPBIN_KIT_READY_TIMEOUT_MS`. */
export declare const READY_TIMEOUT_MS: number;
/** `1.5 s`: a bound as an error message gives it. */
export declare function seconds(ms: number): string;
/** The last `max` characters of `text` (default 4,000), or `(nothing)`. */
export declare function tail(text: string, max?: number): string;

/** The error of a wait that gave up: what, for what, how long, and the last output. */
export declare class NotReadyError extends Error {
  constructor(options: {
    what: string;
    waitingFor: string;
    timeoutMs: number;
    from?: string;
    output?: string;
  });
  what: string;
  waitingFor: string;
  timeoutMs: number;
  output: string;
}

export interface WaitOptions {
  /** Who is waited for: `mesh`, `the emulator`. */
  what: string;
  /** For what, as the error says it: `GET …/health answering 200`. */
  waitingFor: string;
  /** Default `READY_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/** Polls `check` until true (a throw is "not yet"); a `NotReadyError` after `timeoutMs`. */
export declare function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: WaitOptions & { pollMs?: number; output?: () => string },
): Promise<void>;
/** `promise`, or a `NotReadyError` after `timeoutMs`. */
export declare function bounded<T>(promise: Promise<T>, options: WaitOptions): Promise<T>;

/** A ready check polled until it returns true; `label` is how an error names it. */
export type ReadyCheck = ((output: string) => boolean | Promise<boolean>) & { label?: string };
/** A RegExp tried on the output as it comes, or a check polled. */
export type ReadySignal = RegExp | ReadyCheck;
/** The check that `GET url` answers 200 (each attempt bounded by `attemptMs`, default 2 s). */
export declare function httpOk(url: string, options?: { attemptMs?: number }): ReadyCheck;

// ---- processes ---------------------------------------------------------------------------------

/** SIGTERM to SIGKILL, by default, when a process is stopped: 5 s. */
export declare const STOP_GRACE_MS: number;

export interface SpawnOptions {
  command: string;
  args?: string[];
  /**
   * The whole environment (default `process.env`); `VOIPBIN_KIT_PROCESS_OWNER` is added unless
   * it sets one.
   */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How errors name it (default: the command's file name). */
  what?: string;
  /** `pipe` (default: kept, see `output`) or `inherit` (this process's stdout and stderr). */
  stdio?: 'pipe' | 'inherit';
  /** An IPC channel as well (`child.send`, `child.on('message')`). */
  ipc?: boolean;
  /** Characters of output kept (the last ones; default 1 MiB). */
  outputLimit?: number;
  /** Each chunk of output as it comes. */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when it could not be spawned (ENOENT…). */
  error?: Error;
}

export interface Spawned {
  child: ChildProcess;
  /** Its pid, also its process group's id (undefined when it could not be spawned). */
  pid: number | undefined;
  what: string;
  /** The command line, as errors quote it. */
  command: string;
  /** Everything it printed so far, stdout and stderr as they came. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process itself has exited. */
  exited: Promise<Exit>;
  /** Sends `signal` to its whole group. */
  signal(signal: NodeJS.Signals): void;
  /**
   * Ends its whole group: `signal` (default SIGTERM; null: none, already sent), SIGKILL to what
   * is left after `graceMs` (default 5 s; 0: SIGKILL at once). Resolves with the process's exit
   * code, or the signal that ended it.
   */
  stop(graceMs?: number, signal?: NodeJS.Signals | null): Promise<number | string | null>;
  /** Calls `listener` after each chunk of output; returns the function that removes it. */
  onData(listener: () => void): () => void;
}

export interface StartOptions extends SpawnOptions {
  /** What says it is ready; without it, `startProcess` resolves once spawned. */
  ready?: ReadySignal;
  /** Default `READY_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** How often a ready check is polled (default 50 ms). */
  pollMs?: number;
}

/** Spawns in a process group of its own, registered (ended with this process) until it has gone. */
export declare function spawnProcess(options: SpawnOptions): Spawned;
/** Waits for `ready`; rejects when the process exits first or after `timeoutMs`, saying so. */
export declare function waitReady(
  started: Spawned,
  ready: ReadySignal,
  options?: { timeoutMs?: number; pollMs?: number },
): Promise<void>;
/** `spawnProcess` and `waitReady`; when the wait fails, the group is stopped first. */
export declare function startProcess(options: StartOptions): Promise<Spawned>;

export interface RunOptions extends SpawnOptions {
  /** Stopped and rejected after this long (default: no bound). */
  timeoutMs?: number;
}
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  output: string;
}
/** Runs a command to its end in a group of its own (ended with this process too). */
export declare function runProcess(options: RunOptions): Promise<RunResult>;
/** For a launcher: runs a command in its place (stdio, signals passed on, the same end). */
export declare function runInPlace(options: {
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Spawned;
/** Ends `pid`, started by someone else, with this process; returns the function that forgets it. */
export declare function adopt(pid: number): () => void;

// ---- /proc ---------------------------------------------------------------------------------------

/** The variable every process started here carries: the directory of whoever started it. */
export declare const OWNER_ENV: 'VOIPBIN_KIT_PROCESS_OWNER';
/** The owner processes started here are marked with. */
export declare function owner(): string;

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
}
/** Every process alive (zombies left out); empty but on Linux. */
export declare function listProcesses(): ProcessInfo[];
export declare function commandLine(pid: number): string;
/** The environment a process was started with, as `NAME=value` strings. */
export declare function environment(pid: number): string[];
/** The pids of `pid`'s descendants alive now. */
export declare function descendantsOf(pid: number, list?: ProcessInfo[]): number[];
/** `pid` (default this process) and its ancestors. */
export declare function lineage(pid?: number, list?: ProcessInfo[]): Set<number>;
/** Whether a process of group `pgid` is alive. */
export declare function groupAlive(pgid: number): boolean;
/** Of `pids` and of the groups `pgids`, those alive, as `pid command line`. */
export declare function survivors(which: { pids?: number[]; pgids?: number[] }): string[];
/**
 * The processes alive started on behalf of `dir` (marked `dir`, or `dir#<tag>` for one run a
 * test follows), but this one and its ancestors.
 */
export declare function leftovers(dir: string): { pid: number; pgid: number; command: string }[];
