/**
 * When the screen redraws: at once when it has been quiet, and then at most once per interval while data keeps
 * coming (about ten times a second), however many batches arrive in between. Handling events stays per batch; only
 * drawing waits. Plain TypeScript with the clock passed in, so a test can run it on fake time.
 */
import { LIMITS } from '../../../../shared/limits';

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class RedrawClock {
  readonly #draw: () => void;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #timer: unknown = null;
  #disposed = false;

  constructor(draw: () => void, intervalMs: number = LIMITS.redrawIntervalMs, clock: Clock = realClock) {
    this.#draw = draw;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** Something changed: draw now if the last draw is an interval ago, else once the interval is up. */
  request(): void {
    if (this.#disposed || this.#timer !== null) return;
    const wait = this.#lastDraw + this.#intervalMs - this.#clock.now();
    if (wait <= 0) {
      this.#run();
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#run();
    }, wait);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    if (this.#disposed) return;
    this.#lastDraw = this.#clock.now();
    this.#draw();
  }
}
