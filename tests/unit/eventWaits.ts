/** Waits woken by what arrives, not by a clock: whoever receives something calls `wake()`, and each wait checks again. */
export interface EventWaits {
  wake(): void;
  /** Resolves once `check` holds (now or at a later wake); fails after `timeoutMs`, saying what it waited for. */
  until(check: () => boolean, what: string | (() => string), timeoutMs?: number): Promise<void>;
}

export function eventWaits(): EventWaits {
  const waiters = new Set<() => void>();
  return {
    wake() {
      for (const wake of [...waiters]) wake();
    },
    until(check, what, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => {
          if (!check()) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`));
        }, timeoutMs);
        waiters.add(wake);
        wake();
      });
    },
  };
}
