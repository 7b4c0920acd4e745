/**
 * What every fuzzed property in the project shares: one fixed seed (FUZZ_SEED replays another; fast-check prints
 * the seed and the path of any failure) and the number of runs (FUZZ_RUNS, which `npm run fuzz -- --runs N` sets;
 * about 10,000 in the normal suite). The HTTP request parser's properties defined these first.
 */
import fc from 'fast-check';

export { FUZZ_SEED, fuzzRuns } from './labServers/httpRequest.properties';
import { FUZZ_SEED } from './labServers/httpRequest.properties';

export interface NamedProperty {
  name: string;
  property: fc.IRawProperty<unknown[]>;
}

/** Checks each property `runs` times from the seed; a failure names the property, the seed and the runs. */
export function checkAll(what: string, properties: readonly NamedProperty[], runs: number): void {
  for (const { name, property } of properties) {
    try {
      fc.assert(property, { numRuns: runs, seed: FUZZ_SEED });
    } catch (error) {
      throw new Error(`${what} property failed: ${name} (seed ${FUZZ_SEED}, ${runs} runs)\n${String(error)}`);
    }
  }
}

/** The same for an asynchronous property. */
export async function checkAllAsync(
  what: string,
  properties: readonly { name: string; property: fc.IAsyncPropertyWithHooks<unknown[]> }[],
  runs: number,
): Promise<void> {
  for (const { name, property } of properties) {
    try {
      await fc.assert(property, { numRuns: runs, seed: FUZZ_SEED });
    } catch (error) {
      throw new Error(`${what} property failed: ${name} (seed ${FUZZ_SEED}, ${runs} runs)\n${String(error)}`);
    }
  }
}

/** Object.prototype and Array.prototype as they are now, to compare with after a run. */
export function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join())
    .join('|');
}
