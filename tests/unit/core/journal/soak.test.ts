import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from './fixture/bundle';
import { runSoak } from './fixture/soak';

describe('journal under kill -9', () => {
  let child: string;
  beforeAll(async () => {
    child = await bundleChild();
  }, 60_000);
  afterAll(() => rmSync(path.dirname(child), { recursive: true, force: true }));

  it('recovers every flushed record byte-identical after SIGKILL at random moments (50 trials)', async () => {
    const report = await runSoak({ child, trials: 50, seed: 1000 });
    expect(report.failures).toEqual([]);
    expect(report.trials).toHaveLength(50);
    // Kills must land while the child is still writing, or the test proves little.
    expect(report.killedMidSession).toBeGreaterThanOrEqual(40);
    expect(report.trials.some((trial) => trial.flushed > 1)).toBe(true);
    expect(report.trials.some((trial) => trial.tornBytes > 0 || trial.beyondFlush > 0)).toBe(true);
    console.log(
      `soak: 50 trials, ${report.killedMidSession} killed mid-session, ${report.recordsRecovered} records recovered, ` +
        `worst torn tail ${report.worstTornBytes} B`,
    );
  }, 90_000);
});
