/**
 * Every command's argument validator fuzzed (validators.properties.ts, about 10,000 cases a command; FUZZ_RUNS or
 * `npm run fuzz -- --runs N` for more), and the one door (dispatchCommand) with any channel and any arguments.
 * Then the same kind of calls go to a real lab session through dispatch: afterwards it still answers a normal
 * call, and Object.prototype is untouched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_CHANNELS, COMMAND_NAMES, type CommandName } from '../../../src/shared/contract';
import { dispatchCommand } from '../../../src/main/core/dispatch';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import type { LabSession } from '../../../src/main/core/session';
import { checkAll, checkAllAsync, FUZZ_SEED, fuzzRuns, prototypeSnapshot } from './fuzzing';
import { argumentsFor, dispatchProperty, validatorProperties, wellWorded } from './validators.properties';

const RUNS = fuzzRuns();
const prototypesBefore = prototypeSnapshot();

let app: LabApp;
let session: LabSession;
let tempDir: string;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-validatorfuzz-'));
  app = await startLabApp({ appVersion: '0.0.0', runtime: {}, dataDir: tempDir });
  session = await app.createSession('electron', () => undefined, {
    save: async () => ({ ok: true, value: { kind: 'cancelled' } }),
    open: async () => ({ ok: true, value: { kind: 'cancelled' } }),
  });
});

afterAll(async () => {
  await session.dispose();
  await app.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

describe(`every command's validator, fuzzed (${RUNS} runs a command, seed ${FUZZ_SEED})`, () => {
  it('has a property for every command in the contract', () => {
    expect(validatorProperties.map(({ name }) => name.split(':')[0])).toEqual([...COMMAND_NAMES]);
  });

  for (const { name } of validatorProperties) {
    it(name, () => {
      checkAll(
        'Validator',
        validatorProperties.filter((entry) => entry.name === name),
        RUNS,
      );
    });
  }

  it(dispatchProperty.name, async () => {
    await checkAllAsync('Dispatch', [dispatchProperty], RUNS);
  });
});

describe('a real lab session, fed fuzzed calls through dispatch', () => {
  // Commands that would act on the machine or wait for a long time get only their refusals checked here.
  const SAFE: CommandName[] = [
    'hello',
    'connect',
    'send',
    'end',
    'close',
    'abort',
    'listConnections',
    'ackEvents',
    'labServers',
    'getProgress',
    'readSession',
    'putAwaySession',
    'saveSession',
    'importChunk',
    'finishImport',
  ];

  it('answers each with data, then still answers a normal call', async () => {
    const cases = fc.sample(
      fc.constantFrom(...SAFE).chain((name) => argumentsFor(name).map((args) => ({ name, args }))),
      { numRuns: Math.max(500, Math.floor(RUNS / 20)), seed: FUZZ_SEED },
    );
    for (const { name, args } of cases) {
      // A connect that passes validation would dial out: only loopback, to a closed port, is let through.
      if (name === 'connect') {
        const request = args[0] as Record<string, unknown> | undefined;
        if (request && typeof request === 'object')
          Object.assign(request, { host: '127.0.0.1', port: 9, route: 'lab' });
      }
      const result = await dispatchCommand(session.commands, COMMAND_CHANNELS[name], args);
      expect(wellWorded(result), `${name} ${JSON.stringify(result)}`).toBe(true);
    }
    expect(await dispatchCommand(session.commands, COMMAND_CHANNELS.hello, [])).toMatchObject({
      ok: true,
      value: { transport: 'electron', version: '0.0.0' },
    });
  });

  it('leaves Object.prototype, Array.prototype and Function.prototype untouched', () => {
    expect(prototypeSnapshot()).toBe(prototypesBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
