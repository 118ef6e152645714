/**
 * Live call status from the built Node entry (dist/runtime/node.mjs) over real HTTP, with each
 * source as a deployment has it: the embedded emulator's in-memory WebSocket (the default); a
 * standalone emulator (`listen()`, in this process) reached over HTTP and a real WebSocket
 * (undici's, as Node 20 has none of its own), that socket also dropped mid-call, and refused for
 * a while; and that same emulator posting webhooks to the gateway.
 *
 * Every emulator runs at the runtimes' speed (5): the quickstart call lasts 2.3 s and rings
 * 200 ms after it is placed, so `callUpdated`, opened once createCall has answered, still finds
 * it DIALING (at 100, RINGING would come after 10 ms). Each entry is warmed up first (`warmUp`:
 * a fresh entry takes up to 230 ms to serve its first createCall and subscription).
 */
import { createEmulator, type Emulator } from '@voipbin-kit/emulator';
import { listen, type RunningEmulator } from '@voipbin-kit/emulator/node';
import { READY_TIMEOUT_MS, startProcess } from '@voipbin-kit/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP,
  EMULATOR_SPEED,
  ensureBuilt,
  followQuickstartLive,
  freePort,
  type LiveRun,
  NODE_ENTRY,
  post,
  warmUp,
} from '../runtimes/support.ts';
import { recordText } from '../support/canary.ts';
import { statusesOf, until } from '../support/live.ts';

/** The server's VoIPBIN access key: a canary, so that output carrying it fails the file. */
const ACCESS_KEY = 'CANARY-s3cr3t-key';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';

interface Entry {
  base: string;
  output(): string;
  stop(): Promise<void>;
}

const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const item of running.splice(0).reverse()) await item.stop();
});

/**
 * Starts the built Node entry on `port` with `env` (none of the machine's VOIPBIN_* or
 * GATEWAY_* settings; a process group of its own, never outliving the file) and waits for its
 * `call events:` line, at most READY_TIMEOUT_MS (minutes).
 */
async function startEntry(port: number, env: Record<string, string>): Promise<Entry> {
  const child = await startProcess({
    command: process.execPath,
    args: [NODE_ENTRY],
    cwd: APP,
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([key]) => !key.startsWith('VOIPBIN_') && !key.startsWith('GATEWAY_'),
        ),
      ),
      NODE_ENV: 'development',
      ...env,
      PORT: String(port),
    },
    what: 'the Node entry',
    ready: /call events: .*\n/,
    onOutput: (text) => recordText('node entry output', text),
  });
  const entry: Entry = {
    base: `http://127.0.0.1:${port}`,
    output: child.output,
    async stop() {
      await child.stop(3_000);
    },
  };
  running.push(entry);
  expect(child.child.exitCode, child.output()).toBeNull();
  await warmUp(entry.base);
  return entry;
}

/**
 * A standalone emulator over HTTP (and its WebSocket) on a free port, closed after the file.
 * While `refusing()` holds, its WebSocket handshakes are answered 503 (VoIPBIN unreachable).
 */
async function standalone(options: { webhookUrl?: string; refusing?: () => boolean } = {}) {
  const { refusing = () => false, ...rest } = options;
  const emulator = createEmulator({ clock: { speed: EMULATOR_SPEED }, ...rest });
  const sockets = emulator.sockets;
  const server: RunningEmulator = await listen(
    {
      fetch: (request) => emulator.fetch(request),
      // The emulator's sockets, but for handshakes while refusing (a prototype keeps the rest).
      sockets: Object.assign(Object.create(sockets) as typeof sockets, {
        accept: (request: Request) =>
          refusing()
            ? new Response('{"message":"unavailable"}', { status: 503 })
            : sockets.accept(request),
      }),
    },
    { port: 0 },
  );
  running.push({ stop: () => server.close() });
  return { emulator, server };
}

const summary = (run: LiveRun) =>
  `${statusesOf(run.updated.map((s) => s.status)).join(' -> ')}; createCall answered in ${run.placedMs} ms; callUpdated's first state after ${run.firstMs} ms, HANGUP after ${run.ms} ms`;

beforeAll(() => ensureBuilt(), 150_000);

/** A test or hook that starts an entry: above its wait for the ready line, and the run after. */
const STARTS_AN_ENTRY_MS = READY_TIMEOUT_MS + 60_000;

describe('live call status from the Node entry over real HTTP', () => {
  it(
    'the embedded emulator (default source: its in-memory WebSocket): each state once, in order',
    async () => {
      const entry = await startEntry(await freePort(), { EMULATOR_SPEED: String(EMULATOR_SPEED) });
      expect(entry.output()).toMatch(/upstream: the embedded VoIPBIN emulator/);
      expect(entry.output()).toMatch(/^call events: websocket$/m);
      const run = await followQuickstartLive(entry.base);
      expect(run.updated).toEqual(run.events);
      console.log(`embedded: ${summary(run)}`);
      await entry.stop();
    },
    STARTS_AN_ENTRY_MS,
  );

  describe('a standalone emulator over HTTP and a real WebSocket', () => {
    let emulator: Emulator;
    let url = '';
    let entry: Entry;
    let refusing = false;

    beforeAll(async () => {
      const upstream = await standalone({ refusing: () => refusing });
      emulator = upstream.emulator;
      url = upstream.server.url;
      entry = await startEntry(await freePort(), {
        VOIPBIN_BASE_URL: url,
        VOIPBIN_ACCESS_KEY: ACCESS_KEY,
        GATEWAY_INSECURE_NO_AUTH: 'true',
        GATEWAY_EVENTS_SOURCE: 'websocket',
      });
    }, STARTS_AN_ENTRY_MS);

    it('each state once, in order, through the upstream socket', async () => {
      expect(entry.output()).toContain(`upstream: VoIPBIN at ${url}`);
      expect(entry.output()).toMatch(/^call events: websocket$/m);
      // A real start on an account with no gateway auth says so, once.
      expect(entry.output().match(/GATEWAY_INSECURE_NO_AUTH is set/g)).toHaveLength(1);
      // No socket while nobody listens (the warm-up's closed).
      await until(() => emulator.sockets.count === 0, 'the warm-up socket to close');
      const run = await followQuickstartLive(entry.base, {
        // The gateway's own socket to the emulator, over the network: one.
        during: () => expect(emulator.sockets.count).toBe(1),
      });
      expect(run.updated).toEqual(run.events);
      console.log(`standalone websocket: ${summary(run)}`);
      // Nobody listens any more: the socket is closed.
      await until(() => emulator.sockets.count === 0, 'the upstream socket to close');
    });

    it('the socket dropped mid-call: reconnects, reaches HANGUP with no state twice or backwards', async () => {
      let dropped = 0;
      const run = await followQuickstartLive(entry.base, {
        gaps: true,
        during: async (first) => {
          expect(first.status).toBe('DIALING');
          dropped = emulator.sockets.drop();
          expect(emulator.sockets.count).toBe(0);
          // core reconnects after a jittered delay under 500 ms.
          await until(() => emulator.sockets.count === 1, 'the gateway to reconnect', 5_000);
        },
      });
      expect(dropped).toBe(1);
      console.log(
        `standalone websocket, dropped after DIALING: ${summary(run)}; callEvents ${statusesOf(run.events.map((s) => s.status)).join(' -> ')}`,
      );
    });

    it('the socket dropped and refused until the call is answered: the states missed meanwhile are read again on reconnect, none twice or backwards', async () => {
      let dropped = 0;
      const before = entry.output().length;
      const run = await followQuickstartLive(entry.base, {
        gaps: true,
        during: async (first, id) => {
          expect(first.status).toBe('DIALING');
          refusing = true;
          dropped = emulator.sockets.drop();
          try {
            // VoIPBIN unreachable while the call rings and is answered: no socket, no event.
            let status = first.status;
            const deadline = Date.now() + 5_000;
            while (status !== 'PROGRESSING' && Date.now() < deadline) {
              await new Promise((resolve) => setTimeout(resolve, 20));
              const read = await post(entry.base, {
                query: 'query($id: ID!) { call(id: $id) { status } }',
                variables: { id },
              });
              status = read.json.data.call.status;
            }
            expect(status).toBe('PROGRESSING');
            expect(emulator.sockets.count).toBe(0);
          } finally {
            refusing = false;
          }
        },
      });
      expect(dropped).toBe(1);
      const statuses = statusesOf(run.updated.map((s) => s.status));
      console.log(
        `standalone websocket, refused from DIALING to PROGRESSING: ${summary(run)}; callEvents ${statusesOf(run.events.map((s) => s.status)).join(' -> ')}`,
      );
      // RINGING came and went while the socket was down: not replayed, and not made up.
      expect(statuses).not.toContain('RINGING');
      // The refused handshakes were reported (by core's reason only: no URL, no key, no frame).
      expect(entry.output().slice(before)).toMatch(
        /\[gateway\] VoIPBIN event socket: CONNECTION_FAILED/,
      );
    }, 25_000);
  });

  it(
    'webhooks from a standalone emulator: each state once, in order',
    async () => {
      const port = await freePort();
      const { emulator, server } = await standalone({
        webhookUrl: `http://127.0.0.1:${port}/webhooks/voipbin/${WEBHOOK_SECRET}`,
      });
      const entry = await startEntry(port, {
        VOIPBIN_BASE_URL: server.url,
        VOIPBIN_ACCESS_KEY: ACCESS_KEY,
        GATEWAY_INSECURE_NO_AUTH: 'true',
        GATEWAY_EVENTS_SOURCE: 'webhook',
        GATEWAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      });
      expect(entry.output()).toMatch(/^call events: webhook$/m);
      const run = await followQuickstartLive(entry.base);
      expect(run.updated).toEqual(run.events);
      // Webhooks only: the gateway opened no socket.
      expect(emulator.sockets.count).toBe(0);
      console.log(`standalone webhook: ${summary(run)}`);
      await entry.stop();
    },
    STARTS_AN_ENTRY_MS,
  );
});
