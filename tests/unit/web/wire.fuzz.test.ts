/**
 * The web transport's frame decoder fuzzed against its contract (wire.properties.ts, about 10,000 cases a property;
 * FUZZ_RUNS or `npm run fuzz -- --runs N` for more), then fuzzed frames sent to a real web host over real
 * WebSockets: each is answered or closes its own link, and afterwards the host still answers a normal call.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { COMMAND_CHANNELS } from '../../../src/shared/contract';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import { startWebHost, type WebHost } from '../../../src/main/web/server';
import { checkAll, FUZZ_SEED, fuzzRuns, prototypeSnapshot } from '../core/fuzzing';
import { anyFrame, callFrame, wireProperties } from './wire.properties';

const RUNS = fuzzRuns();
const prototypesBefore = prototypeSnapshot();

let app: LabApp;
let host: WebHost;
let tempDir: string;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-wirefuzz-'));
  mkdirSync(path.join(tempDir, 'renderer'));
  writeFileSync(path.join(tempDir, 'renderer', 'index.html'), '<!doctype html>');
  app = await startLabApp({ appVersion: '0.0.0', runtime: {}, dataDir: tempDir });
  host = await startWebHost({ app, rendererDir: path.join(tempDir, 'renderer') });
});

afterAll(async () => {
  await host.close();
  await app.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

async function openSocket(): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}/lab?token=${host.token}`, {
    origin: `http://127.0.0.1:${host.port}`,
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Sends one frame; resolves the host's answer: a result, or the code it closed this link with. */
function answerTo(socket: WebSocket, frame: Uint8Array): Promise<{ result: unknown } | { closed: number }> {
  return new Promise((resolve) => {
    socket.once('message', (data: Buffer) => resolve({ result: decodeFrame(data) }));
    socket.once('close', (code) => resolve({ closed: code }));
    socket.send(frame);
  });
}

describe(`the frame decoder, fuzzed (${RUNS} runs a property, seed ${FUZZ_SEED})`, () => {
  for (const { name } of wireProperties) {
    it(name, () => {
      const only = wireProperties.filter((entry) => entry.name === name);
      expect(only).toHaveLength(1);
      checkAll('Frame decoder', only, RUNS);
    });
  }
});

describe('the web host, fed fuzzed frames over WebSockets', () => {
  it('answers each or closes that link only (1003 or 1007), then still answers a normal call', async () => {
    // Over sockets each case costs a handshake; a couple of hundred cover the kinds of answer.
    const frames = fc.sample(fc.oneof(anyFrame, callFrame), {
      numRuns: Math.max(200, Math.floor(RUNS / 50)),
      seed: FUZZ_SEED,
    });
    const seen = new Map<string, number>();
    for (const frame of frames) {
      const socket = await openSocket();
      const answer = await answerTo(socket, frame);
      const kind = 'closed' in answer ? `closed ${answer.closed}` : 'answered';
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      if ('closed' in answer) expect([1003, 1007]).toContain(answer.closed);
      else expect((answer.result as ServerMessage).kind).toBe('result');
      socket.terminate();
    }
    console.log(`${frames.length} fuzzed frames: ${[...seen].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
    const socket = await openSocket();
    const hello = await answerTo(
      socket,
      encodeFrame({ kind: 'call', callId: 1, channel: COMMAND_CHANNELS.hello, args: [] }),
    );
    expect(hello).toMatchObject({ result: { kind: 'result', callId: 1, result: { ok: true } } });
    socket.close();
  });

  it('leaves Object.prototype, Array.prototype and Function.prototype untouched', () => {
    expect(prototypeSnapshot()).toBe(prototypesBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
