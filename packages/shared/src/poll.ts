import type { Clock } from './clock.js';
import { CancelledError } from './errors.js';

export interface PollStep<T> {
  done: boolean;
  value: T;
  /** Something observable changed: the wait tightens back to the initial interval. */
  changed?: boolean;
  /** Ask for the next look at a specific delay (e.g. the next metric period boundary). */
  nextDelayMs?: number;
}

export interface PollOptions {
  clock: Clock;
  /** Epoch ms after which no further attempt starts. */
  deadline: number;
  signal?: AbortSignal;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Growth of the delay after an attempt in which nothing changed. */
  backoff?: number;
  /** Fraction of the delay randomised either way, so parallel jobs do not poll in step. */
  jitter?: number;
  random?: () => number;
  /** Errors worth another attempt (throttling that outlived the SDK's retries, a dropped socket). */
  isTransient?: (error: unknown) => boolean;
  /** Transient errors in a row before giving up (Argo Rollouts' consecutiveErrorLimit is 4). */
  maxConsecutiveErrors?: number;
  onTransientError?: (error: unknown, consecutive: number) => void;
}

export interface PollResult<T> {
  status: 'done' | 'timeout';
  value: T | undefined;
  attempts: number;
  elapsedMs: number;
}

/**
 * Calls `attempt` until it reports done or the deadline passes. Never sleeps past the deadline; the
 * last attempt happens at the deadline itself, so completion right before it is still seen.
 */
export async function poll<T>(
  attempt: (index: number) => Promise<PollStep<T>>,
  options: PollOptions,
): Promise<PollResult<T>> {
  const { clock, deadline, signal } = options;
  const backoff = options.backoff ?? 1.5;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const maxErrors = options.maxConsecutiveErrors ?? 4;
  const started = clock.now();
  let delay = options.initialDelayMs;
  let last: T | undefined;
  let consecutiveErrors = 0;

  for (let index = 0; ; index++) {
    if (signal?.aborted) throw new CancelledError();
    let step: PollStep<T> | undefined;
    try {
      step = await attempt(index);
      consecutiveErrors = 0;
    } catch (error) {
      if (error instanceof CancelledError || !options.isTransient?.(error)) throw error;
      consecutiveErrors += 1;
      if (consecutiveErrors >= maxErrors) throw error;
      options.onTransientError?.(error, consecutiveErrors);
    }
    if (step) {
      last = step.value;
      if (step.done)
        return { status: 'done', value: step.value, attempts: index + 1, elapsedMs: clock.now() - started };
      if (step.changed) delay = options.initialDelayMs;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0)
      return { status: 'timeout', value: last, attempts: index + 1, elapsedMs: clock.now() - started };
    const wanted =
      step?.nextDelayMs ?? Math.min(options.maxDelayMs, delay * (1 + jitter * (2 * random() - 1)));
    delay = Math.min(options.maxDelayMs, delay * backoff);
    await clock.sleep(Math.min(Math.max(0, wanted), remaining), signal);
  }
}
