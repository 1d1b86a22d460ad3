import { CancelledError } from './errors.js';

/** Time as domain code sees it: real in the action, simulated in tests and replays. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with CancelledError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new CancelledError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new CancelledError());
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that jumps forward on every sleep: a 30-minute wait becomes a millisecond test. `onSleep`
 * lets a test act at a given simulated moment (e.g. abort mid-wait).
 */
export class SimulatedClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(
    private current = Date.UTC(2026, 0, 1),
    private readonly onSleep?: (now: number) => void,
  ) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
    this.onSleep?.(this.current);
    // Let other promise chains run, as a real timer would.
    await Promise.resolve();
    if (signal?.aborted) throw new CancelledError();
  }
}
