import { describe, expect, it } from '@jest/globals';
import { SimulatedClock } from '../src/clock.js';
import { CancelledError } from '../src/errors.js';
import { poll } from '../src/poll.js';

const noJitter = { jitter: 0, random: () => 0.5 };

describe('poll', () => {
  it('returns as soon as the attempt is done', async () => {
    const clock = new SimulatedClock(0);
    const result = await poll(async (index) => ({ done: index === 3, value: index }), {
      clock,
      deadline: 600_000,
      initialDelayMs: 1000,
      maxDelayMs: 10_000,
      backoff: 2,
      ...noJitter,
    });
    expect(result).toEqual({ status: 'done', value: 3, attempts: 4, elapsedMs: 7000 });
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });

  it('backs off while nothing changes and tightens again on change', async () => {
    const clock = new SimulatedClock(0);
    await poll(async (index) => ({ done: index === 5, value: index, changed: index === 2 }), {
      clock,
      deadline: 600_000,
      initialDelayMs: 1000,
      maxDelayMs: 3000,
      backoff: 2,
      ...noJitter,
    });
    expect(clock.sleeps).toEqual([1000, 2000, 1000, 2000, 3000]);
  });

  it('keeps jittered delays within maxDelayMs', async () => {
    const clock = new SimulatedClock(0);
    await poll(async (index) => ({ done: index === 6, value: index }), {
      clock,
      deadline: 600_000,
      initialDelayMs: 1000,
      maxDelayMs: 2000,
      backoff: 2,
      jitter: 0.5,
      random: () => 1,
    });
    expect(clock.sleeps).toEqual([1500, 2000, 2000, 2000, 2000, 2000]);
  });

  it('never sleeps past the deadline and makes a last attempt at it', async () => {
    const clock = new SimulatedClock(0);
    const seen: number[] = [];
    const result = await poll(
      async () => {
        seen.push(clock.now());
        return { done: false, value: clock.now() };
      },
      { clock, deadline: 10_000, initialDelayMs: 4000, maxDelayMs: 4000, ...noJitter },
    );
    expect(result.status).toBe('timeout');
    expect(seen).toEqual([0, 4000, 8000, 10_000]);
    expect(Math.max(...seen)).toBeLessThanOrEqual(10_000);
  });

  it('honours a requested delay', async () => {
    const clock = new SimulatedClock(0);
    await poll(async (index) => ({ done: index === 2, value: index, nextDelayMs: 60_000 }), {
      clock,
      deadline: 600_000,
      initialDelayMs: 1000,
      maxDelayMs: 5000,
      ...noJitter,
    });
    expect(clock.sleeps).toEqual([60_000, 60_000]);
  });

  it('keeps the jitter within its fraction', async () => {
    const clock = new SimulatedClock(0);
    const randoms = [0, 1, 0.5];
    await poll(async (index) => ({ done: index === 3, value: index, changed: true }), {
      clock,
      deadline: 600_000,
      initialDelayMs: 1000,
      maxDelayMs: 2000,
      jitter: 0.2,
      random: () => randoms.shift() ?? 0.5,
    });
    expect(clock.sleeps).toEqual([800, 1200, 1000]);
  });

  it('outlives transient errors up to the limit, then throws', async () => {
    const clock = new SimulatedClock(0);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const reported: number[] = [];
    let calls = 0;
    const result = await poll(
      async () => {
        calls += 1;
        if (calls <= 2) throw throttled;
        return { done: true, value: 'ok' };
      },
      {
        clock,
        deadline: 60_000,
        initialDelayMs: 1000,
        maxDelayMs: 1000,
        isTransient: (error) => (error as Error).name === 'ThrottlingException',
        onTransientError: (_error, count) => reported.push(count),
        ...noJitter,
      },
    );
    expect(result.value).toBe('ok');
    expect(reported).toEqual([1, 2]);

    await expect(
      poll(
        async () => {
          throw throttled;
        },
        {
          clock,
          deadline: clock.now() + 60_000,
          initialDelayMs: 1000,
          maxDelayMs: 1000,
          isTransient: () => true,
          maxConsecutiveErrors: 3,
          ...noJitter,
        },
      ),
    ).rejects.toThrow('Rate exceeded');
  });

  it('throws other errors at once', async () => {
    const clock = new SimulatedClock(0);
    await expect(
      poll(
        async () => {
          throw new Error('AccessDenied');
        },
        { clock, deadline: 60_000, initialDelayMs: 1000, maxDelayMs: 1000, isTransient: () => false },
      ),
    ).rejects.toThrow('AccessDenied');
  });

  it('stops with CancelledError when the signal aborts mid-wait', async () => {
    const controller = new AbortController();
    const clock = new SimulatedClock(0, (now) => {
      if (now >= 3000) controller.abort();
    });
    await expect(
      poll(async () => ({ done: false, value: 0 }), {
        clock,
        deadline: 600_000,
        signal: controller.signal,
        initialDelayMs: 1000,
        maxDelayMs: 1000,
        ...noJitter,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(clock.now()).toBe(3000);
  });
});
