import { describe, expect, it } from 'vitest';
import { benchCore } from '../../../../src/main/core/connections/bench';

describe('benchCore', () => {
  it('measures the hub and a bare read of the same stream in one run', async () => {
    const result = await benchCore(8 * 1024 * 1024);
    expect(result.hubBytesPerSec).toBeGreaterThan(0);
    expect(result.bareBytesPerSec).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.hubBytesPerSec / result.bareBytesPerSec, 10);
  });
});
