import { describe, expect, it } from 'vitest';
import { RedrawClock, type Clock } from '../../../src/renderer/src/features/session/redrawClock';

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      const at = timers.indexOf(handle as (typeof timers)[number]);
      if (at !== -1) timers.splice(at, 1);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > until) break;
      timers.shift();
      now = next.at;
      next.run();
    }
    now = until;
  };
  return { clock, advance, pending: () => timers.length };
}

describe('RedrawClock', () => {
  it('draws at once after a quiet spell', () => {
    const { clock } = fakeClock();
    let draws = 0;
    const redraw = new RedrawClock(() => (draws += 1), 100, clock);
    redraw.request();
    expect(draws).toBe(1);
  });

  it('draws about ten times a second while batches keep coming, however many there are', () => {
    const { clock, advance } = fakeClock();
    const drawnAt: number[] = [];
    const redraw = new RedrawClock(() => drawnAt.push(clock.now()), 100, clock);
    // A batch every 2 ms for a second: 500 batches.
    for (let t = 0; t < 1000; t += 2) {
      redraw.request();
      advance(2);
    }
    advance(100);
    expect(drawnAt.length).toBeGreaterThanOrEqual(10);
    expect(drawnAt.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < drawnAt.length; i++) expect((drawnAt[i] as number) - (drawnAt[i - 1] as number)).toBe(100);
  });

  it('draws the last change too, once its interval is up, and nothing after dispose', () => {
    const { clock, advance, pending } = fakeClock();
    let draws = 0;
    const redraw = new RedrawClock(() => (draws += 1), 100, clock);
    redraw.request();
    advance(30);
    redraw.request();
    expect(draws).toBe(1);
    advance(70);
    expect(draws).toBe(2);
    redraw.request();
    advance(10);
    redraw.dispose();
    expect(pending()).toBe(0);
    advance(1000);
    redraw.request();
    expect(draws).toBe(2);
  });
});
