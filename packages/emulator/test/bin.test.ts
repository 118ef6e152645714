/**
 * The `voipbin-emulator` command (dist/bin.mjs; build first with `npx tsdown`): it prints the URL
 * it listens on, answers VoIPBIN's call API there, and stops cleanly on SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  READY_TIMEOUT_MS,
  runProcess,
  type Spawned,
  spawnProcess,
  waitReady,
} from '@voipbin-kit/process';
import { WebSocket } from 'undici';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { checked } from './support/conforming.ts';

const BIN = fileURLToPath(new URL('../dist/bin.mjs', import.meta.url));
const CUSTOMER = 'c0c0c0c0-3333-4333-8333-000000000003';
/** The emulator runs in another process: its answers are checked against the spec here. */
const fetch = checked(globalThis.fetch);

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx tsdown)`);
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

// Each test starts the command once: above that wait, so a slow start fails with its message.
vi.setConfig({ testTimeout: READY_TIMEOUT_MS + 30_000 });

const children: Spawned[] = [];

afterEach(async () => {
  // Whatever a test did, no emulator outlives it.
  await Promise.all(children.splice(0).map((child) => child.stop(5_000)));
});

/**
 * Runs the command (a process group of its own) and waits, at most READY_TIMEOUT_MS, for the
 * URL it prints and its test numbers.
 */
async function start(args: string[]): Promise<Started> {
  const { PORT: _port, ...env } = process.env;
  const started = spawnProcess({
    command: process.execPath,
    args: [BIN, ...args],
    env,
    what: 'voipbin-emulator',
  });
  children.push(started);
  const url = () => /listening on (http:\/\/\S+\/v1\.0)/.exec(started.stdout())?.[1];
  await waitReady(
    started,
    Object.assign(() => url() !== undefined && started.stdout().includes('test numbers:'), {
      label: 'its URL and test numbers on stdout',
    }),
  );
  return { child: started.child, url: url() as string, output: started.stdout };
}

/** Sends SIGTERM and waits at most 5 s for the exit, then SIGKILL; resolves with the exit code. */
function stop(child: ChildProcess): Promise<number | string | null> {
  const started = children.find((each) => each.child === child);
  if (!started) throw new Error('not started by start()');
  return started.stop(5_000);
}

/** Runs the command to its end (at most READY_TIMEOUT_MS) and gives its exit code and output. */
async function run(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runProcess({
    command: process.execPath,
    args: [BIN, ...args],
    what: 'voipbin-emulator',
    timeoutMs: READY_TIMEOUT_MS,
  });
  return { code, stdout, stderr };
}

const post = (url: string, body: string) =>
  fetch(`${url}/calls?token=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(5_000),
  });

it('--port 0 listens on a free port, prints its URL, and answers the example it prints', async () => {
  const { child, url, output } = await start(['--port', '0']);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:([1-9]\d*)\/v1\.0$/);
  // The printed curl example names the same URL, and its body places a call.
  expect(output()).toContain(`curl -X POST '${url}/calls?token=test'`);
  const example = /-d '(\{.*\})'/.exec(output())?.[1] as string;
  const response = await post(url, example);
  expect(response.status).toBe(200);
  const body = await response.json();
  expect(body.groupcalls).toEqual([]);
  expect(body.calls[0]).toMatchObject({
    status: 'dialing',
    source: { type: 'tel', target: '+821028286521' },
    destination: { type: 'tel', target: '+821021656521' },
  });
  const read = await fetch(`${url}/calls/${body.calls[0].id}?token=test`);
  expect((await read.json()).id).toBe(body.calls[0].id);

  // SIGTERM closes the server and exits 0.
  expect(await stop(child)).toBe(0);
  await expect(fetch(`${url}/calls?token=test`)).rejects.toThrow(TypeError);
});

it('--speed runs lifecycles faster; --customer sets the customer of every call', async () => {
  const { url } = await start(['--port', '0', '--speed', '2000', '--customer', CUSTOMER]);
  const response = await post(
    url,
    JSON.stringify({
      source: { type: 'tel', target: '+821028286521' },
      destinations: [{ type: 'tel', target: '+821021656521' }],
      actions: [{ type: 'talk', option: { text: 'Hi' } }],
    }),
  );
  const { calls } = await response.json();
  expect(calls[0].customer_id).toBe(CUSTOMER);
  // About 6 s of the call's life (ring, answer, talk, hang up) is 3 ms at x2000: poll a while.
  let status = '';
  for (let i = 0; i < 50 && status !== 'hangup'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const read = await fetch(`${url}/calls/${calls[0].id}?token=test`);
    status = (await read.json()).status;
  }
  expect(status).toBe('hangup');
});

it('--webhook POSTs the call events to the URL given', async () => {
  const events: { type: string; data: { id: string } }[] = [];
  const receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      events.push(JSON.parse(text));
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = receiver.address() as AddressInfo;
    const { url } = await start([
      '--port',
      '0',
      '--speed',
      '2000',
      '--webhook',
      `http://127.0.0.1:${port}/events`,
    ]);
    const response = await post(
      url,
      JSON.stringify({
        source: { type: 'tel', target: '+821028286521' },
        destinations: [{ type: 'tel', target: '+821021656521' }],
        actions: [{ type: 'talk', option: { text: 'Hi' } }],
      }),
    );
    const id = (await response.json()).calls[0].id;
    for (let i = 0; i < 100 && !events.some((e) => e.type === 'call_hangup'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const mine = events.filter((e) => e.data.id === id).map((e) => e.type);
    expect(mine[0]).toBe('call_created');
    expect(mine).toEqual(expect.arrayContaining(['call_ringing', 'call_progressing']));
    expect(mine.at(-1)).toBe('call_hangup');
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

it('--help prints the options and exits 0', async () => {
  const { code, stdout } = await run(['--help']);
  expect(code).toBe(0);
  for (const option of ['--port', '--host', '--speed', '--webhook', '--customer', '--ws-frames']) {
    expect(stdout).toContain(option);
  }
});

it('an invalid --ws-frames exits non-zero, saying why', async () => {
  const { code, stderr } = await run(['--ws-frames', 'json']);
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/--ws-frames must be wrapped, bare, mixed/);
});

it('--ws-frames wrapped: the event WebSocket it prints pushes { type, data } frames', async () => {
  const { url, output } = await start(['--port', '0', '--speed', '2000', '--ws-frames', 'wrapped']);
  const printed = /events: (ws:\/\/\S+)/.exec(output())?.[1] as string;
  expect(printed).toBe(`${url.replace(/^http/, 'ws')}/ws?token=test`);
  const frames: { type: string; data: { id: string } }[] = [];
  const socket = new WebSocket(printed);
  socket.addEventListener('message', (event) => frames.push(JSON.parse(String(event.data))));
  await new Promise((resolve) => socket.addEventListener('open', resolve));
  const topic = /"topics":\["([^"]+)"\]/.exec(output())?.[1];
  socket.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
  await new Promise((resolve) => setTimeout(resolve, 100));
  try {
    const response = await post(url, /-d '(\{.*\})'/.exec(output())?.[1] as string);
    const id = (await response.json()).calls[0].id;
    for (let i = 0; i < 100 && !frames.some((f) => f.type === 'call_hangup'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(frames.map((f) => f.data.id)).toEqual(frames.map(() => id));
    expect(frames[0]?.type).toBe('call_created');
    expect(frames.at(-1)?.type).toBe('call_hangup');
  } finally {
    socket.close();
  }
});

it('an invalid --port exits non-zero, saying why', async () => {
  const { code, stderr } = await run(['--port', 'abc']);
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/port/i);
});
