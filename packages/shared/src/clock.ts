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

/**
 * The one clock switch: `ECS_SHIP_CLOCK=rate=R;origin=O;anchor=A` makes an action's time run R
 * times faster than the machine's, reading O (epoch ms) at the real moment A (epoch ms). Every
 * process given the same value reads the same simulated time, so a local emulator of ECS and the
 * actions it serves agree on when a bake ends while an hour passes in a minute. Never set on a
 * runner: it exists for the local rehearsal and the end-to-end tests.
 */
export const CLOCK_SWITCH = 'ECS_SHIP_CLOCK';

export interface ScaledClockOptions {
  /** Simulated milliseconds per real millisecond (> 0). */
  rate: number;
  /** Simulated epoch ms at the real moment `anchor`. */
  origin: number;
  /** Real epoch ms (Date.now()) at which the simulated clock reads `origin`. */
  anchor: number;
}

/** Simulated time that runs `rate` times as fast as real time, shared across processes. */
export class ScaledClock implements Clock {
  constructor(readonly options: ScaledClockOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate))
      throw new Error(`${CLOCK_SWITCH}: rate must be a positive number, got ${options.rate}`);
  }

  now(): number {
    const { rate, origin, anchor } = this.options;
    return Math.round(origin + (Date.now() - anchor) * rate);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(Math.max(0, ms) / this.options.rate, signal);
  }

  /** The value of the clock switch that gives another process this same clock. */
  toSwitch(): string {
    const { rate, origin, anchor } = this.options;
    return `rate=${rate};origin=${origin};anchor=${anchor}`;
  }
}

/** Parses the clock switch's value; names what is wrong. */
export function parseClockSwitch(value: string): ScaledClock {
  const fields = new Map<string, number>();
  for (const part of value.split(';')) {
    const [key, raw] = part.split('=').map((piece) => piece.trim());
    if (!key) continue;
    const number = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(number))
      throw new Error(`${CLOCK_SWITCH}: "${part}" is not key=number`);
    fields.set(key, number);
  }
  const missing = ['rate', 'origin', 'anchor'].filter((key) => !fields.has(key));
  if (missing.length > 0)
    throw new Error(`${CLOCK_SWITCH}: expected rate=R;origin=O;anchor=A, missing ${missing.join(', ')}`);
  return new ScaledClock({
    rate: fields.get('rate') as number,
    origin: fields.get('origin') as number,
    anchor: fields.get('anchor') as number,
  });
}

/** The machine's clock, or the simulated one the clock switch asks for. */
export function clockFromEnvironment(env: NodeJS.ProcessEnv = process.env): Clock {
  const value = env[CLOCK_SWITCH];
  return value ? parseClockSwitch(value) : systemClock;
}
