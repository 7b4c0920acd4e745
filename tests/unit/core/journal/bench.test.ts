import { describe, expect, it } from 'vitest';
import { benchJournalRound } from '../../../../src/main/core/journal/bench';

describe('benchJournalRound', () => {
  it('measures the hub with and without the journal in one run, and the journal keeps every byte', async () => {
    const total = 8 * 1024 * 1024;
    for (const round of [1, 2]) {
      const result = await benchJournalRound(total, round);
      expect(result.offBytesPerSec).toBeGreaterThan(0);
      expect(result.onBytesPerSec).toBeGreaterThan(0);
      expect(result.onDurableBytesPerSec).toBeLessThanOrEqual(result.onBytesPerSec);
      expect(result.onNoDiskBytesPerSec).toBeGreaterThan(0);
      expect(result.diskBytesPerSec).toBeGreaterThan(0);
      expect(result.ratio).toBeCloseTo(result.onBytesPerSec / result.offBytesPerSec, 10);
      expect(result.journalBytes).toBeGreaterThan(total);
      expect(result.journalBytes).toBeLessThan(total * 1.01);
    }
  });

  it('refuses a size that is not a positive whole number', async () => {
    await expect(benchJournalRound(0, 1)).rejects.toThrow('positive whole number');
  });
});
