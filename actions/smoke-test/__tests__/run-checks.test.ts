import { describe, expect, it } from '@jest/globals';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { CancelledError } from '@ecs-ship/shared/errors';
import { SecretRegistry } from '@ecs-ship/shared/secrets';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import type { Check } from '../src/check.js';
import type { Probe, ProbeResult } from '../src/http-probe.js';
import { ChecksCancelledError, runChecks } from '../src/run-checks.js';

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

  it('redacts what came back before cutting excerpts, so no piece of a secret survives', async () => {
    const clock = new SimulatedClock(0);
    const secret = 'tok en-7f3a9c1e5b'; // white space inside, placed across the 200-character cut
    const body = JSON.stringify({ pad: 'x'.repeat(180), token: secret });
    const secrets = new SecretRegistry();
    secrets.add(secret);
    const probe = scriptedProbe(clock, {
      leak: [{ status: 500, body, headers: { 'x-echo': `Bearer ${secret}` } }],
    });
    const leaky = check('leak');
    leaky.expect = { ...leaky.expect, bodyContains: ['never'], headers: { 'X-Echo': { expected: 'none' } } };
    const [result] = await runChecks([leaky], settings(clock, { deadline: 1 }), {
      probe,
      clock,
      logger: new MemoryLogger(),
      redact: (text) => secrets.redact(text),
    });
    const seen = JSON.stringify([result?.last, result?.lastBody]);
    for (const piece of ['tok en', 'en-7f', '7f3a9c1e5b', '"t…']) expect(seen).not.toContain(piece);
    expect(result?.last?.mismatches).toContainEqual({
      what: 'header X-Echo',
      expected: 'none',
      actual: 'Bearer ***',
    });
  });

  it("keeps every check's partial result when the run is cancelled", async () => {
    const controller = new AbortController();
    const clock = new SimulatedClock(0, (now) => {
      if (now >= 10_000) controller.abort();
    });
    const probe = scriptedProbe(clock, { a: [{ status: 503 }], b: [{ status: 404 }] });
    const run = runChecks([check('a'), check('b')], settings(clock, { retryIntervalMs: 1000 }), {
      probe,
      clock,
      logger: new MemoryLogger(),
      signal: controller.signal,
      random: () => 0.5,
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    const error = (await run.catch((caught: unknown) => caught)) as ChecksCancelledError;
    expect(error).toBeInstanceOf(ChecksCancelledError);
    expect(error.results.map((result) => [result.check.name, result.passed, result.last?.status])).toEqual([
      ['a', false, 503],
      ['b', false, 404],
    ]);
    expect(error.results.every((result) => result.attempts > 1)).toBe(true);
  });

  it('makes one attempt when the deadline is already past', async () => {
    const clock = new SimulatedClock(50_000);
    const probe = scriptedProbe(clock, { late: [{ status: 503 }] });
    const [result] = await runChecks([check('late')], settings(clock, { deadline: 10_000 }), {
      probe,
      clock,
      logger: new MemoryLogger(),
    });
    expect(result).toMatchObject({ passed: false, attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });
});
