/**
 * The .socketlab reader fuzzed (socketlabReader.properties.ts; FUZZ_RUNS or `npm run fuzz -- --runs N` for more),
 * beside the fixed 10,000-mutant corpus. Afterwards Object.prototype is untouched.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAllAsync, FUZZ_SEED, fuzzRuns, prototypeSnapshot } from '../fuzzing';
import { readerBases, socketlabReaderProperty } from './socketlabReader.properties';

const RUNS = fuzzRuns();
const prototypesBefore = prototypeSnapshot();
let property: ReturnType<typeof socketlabReaderProperty>;

beforeAll(async () => {
  property = socketlabReaderProperty(await readerBases());
});

describe(`the .socketlab reader, fuzzed (${RUNS} runs, seed ${FUZZ_SEED})`, () => {
  it('a damaged export reads as a valid session or one clear refusal, quickly; an undamaged one reads back whole', async () => {
    await checkAllAsync('Transcript reader', [property], RUNS);
  }, 600_000);

  it('leaves Object.prototype, Array.prototype and Function.prototype untouched', () => {
    expect(prototypeSnapshot()).toBe(prototypesBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
