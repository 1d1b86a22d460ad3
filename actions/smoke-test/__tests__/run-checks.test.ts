import { describe, expect, it } from '@jest/globals';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import type { Check } from '../src/check.js';
import type { Probe, ProbeResult } from '../src/http-probe.js';
import { runChecks } from '../src/run-checks.js';

// The probe here is the injected dependency scripted per attempt; real HTTP is in run-checks.int.test.ts.
const check = (name: string): Check => ({
  name,
  method: 'GET',
  url: new URL(`http://127.0.0.1:1/${name}`),
  headers: {},
  followRedirects: true,
  expect: { status: [{ kind: 'class', hundreds: 2 }], bodyContains: [], json: [], headers: {} },
});

function scriptedProbe(
  clock: SimulatedClock,
  script: Record<string, Array<Partial<ProbeResult> & { takesMs?: number }>>,
): Probe {
  const calls: Record<string, number> = {};
  return async (target, timeoutMs) => {
    const index = (calls[target.name] = (calls[target.name] ?? 0) + 1) - 1;
    const steps = script[target.name] ?? [];
    const step = steps[Math.min(index, steps.length - 1)] ?? {};
    const takes = Math.min(step.takesMs ?? 10, timeoutMs);
    clock.advance(takes);
    if ((step.takesMs ?? 0) > timeoutMs)
      return { headers: {}, body: '', latencyMs: timeoutMs, error: `no response within ${timeoutMs} ms` };
    return { status: 200, headers: {}, body: '', latencyMs: takes, ...step };
  };
}

const settings = (clock: SimulatedClock, overrides = {}) => ({
  deadline: clock.now() + 60_000,
  retryIntervalMs: 5000,
  consecutiveSuccesses: 1,
  timeoutMs: 10_000,
  ...overrides,
});

describe('runChecks', () => {
  it('retries a failing check until it passes and logs only changes', async () => {
    const clock = new SimulatedClock(0);
    const logger = new MemoryLogger();
    const probe = scriptedProbe(clock, {
      health: [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 200 }],
    });
    const [result] = await runChecks([check('health')], settings(clock), {
      probe,
      clock,
      logger,
      random: () => 0.5,
    });
    expect(result).toMatchObject({ passed: true, attempts: 4, last: { status: 200, mismatches: [] } });
    expect(logger.lines).toEqual([
      '✘ health: attempt 1: status was 503, expected 2xx; retrying',
      expect.stringMatching(/^✔ health: 200 in 10 ms \(attempt 4\)$/),
    ]);
  });

  it('needs the configured number of passes in a row', async () => {
    const clock = new SimulatedClock(0);
    const probe = scriptedProbe(clock, {
      ready: [{ status: 200 }, { status: 500 }, { status: 200 }, { status: 200 }, { status: 200 }],
    });
    const [result] = await runChecks([check('ready')], settings(clock, { consecutiveSuccesses: 3 }), {
      probe,
      clock,
      logger: new MemoryLogger(),
    });
    expect(result).toMatchObject({ passed: true, attempts: 5 });
  });

  it('gives up at the deadline, overshooting it by at most one request timeout', async () => {
    const clock = new SimulatedClock(0);
    const probe = scriptedProbe(clock, { slow: [{ takesMs: 60_000 }] });
    const [result] = await runChecks(
      [check('slow')],
      settings(clock, { deadline: 30_000, timeoutMs: 7000, retryIntervalMs: 1000 }),
      {
        probe,
        clock,
        logger: new MemoryLogger(),
        random: () => 0.5,
      },
    );
    expect(result?.passed).toBe(false);
    expect(result?.last?.error).toBe('no response within 7000 ms');
    expect(clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(clock.now()).toBeLessThanOrEqual(30_000 + 7000);
  });

  it('backs off to at most four retry intervals', async () => {
    const clock = new SimulatedClock(0);
    const probe = scriptedProbe(clock, { down: [{ status: 502, takesMs: 0 }] });
    await runChecks([check('down')], settings(clock, { deadline: 120_000, retryIntervalMs: 1000 }), {
      probe,
      clock,
      logger: new MemoryLogger(),
      random: () => 0.5,
    });
    expect(clock.sleeps.slice(0, 6)).toEqual([1000, 1500, 2250, 3375, 4000, 4000]);
  });

  it('runs checks concurrently and reports each', async () => {
    const clock = new SimulatedClock(0);
    const probe = scriptedProbe(clock, { a: [{ status: 200 }], b: [{ status: 404 }] });
    const results = await runChecks([check('a'), check('b')], settings(clock, { deadline: 20_000 }), {
      probe,
      clock,
      logger: new MemoryLogger(),
    });
    expect(results.map((result) => [result.check.name, result.passed])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });
});
