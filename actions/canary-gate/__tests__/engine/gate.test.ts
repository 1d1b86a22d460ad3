/*
 * The gate as a whole: decisions and their rules, minimums, timeouts, gaps, non-critical metrics,
 * and a seeded simulation that the gate's false-rollback rate stays below α with a look every period
 * (two critical metrics, overdispersed errors, α split between them).
 */
import { describe, expect, it } from '@jest/globals';
import { alphasFor, createGate } from '../../src/engine/gate.js';
import type { GateConfig, GateReport, MetricSpec, PeriodObservation } from '../../src/engine/types.js';
import { normal, poisson, seeded } from '../../__fixtures__/random.js';

const errors: MetricSpec = {
  name: '5xx',
  label: '5xx rate',
  kind: 'rate',
  direction: 'increase',
  tolerance: { relative: 0.2 },
  critical: true,
};
const latency: MetricSpec = {
  name: 'latency',
  kind: 'level',
  direction: 'increase',
  tolerance: { relative: 0.2 },
  critical: true,
  unit: 'seconds',
};

function config(overrides: Partial<GateConfig> = {}): GateConfig {
  return {
    metrics: [errors, latency],
    falseRollbackRate: 0.01,
    minDurationPeriods: 3,
    maxDurationPeriods: 30,
    minRequests: 500,
    onTimeout: 'fail',
    ...overrides,
  };
}

function period(
  i: number,
  canary: [number, number, number?],
  baseline: [number, number, number?],
): PeriodObservation {
  return {
    periodStart: i * 60_000,
    canaryRequests: canary[0],
    baselineRequests: baseline[0],
    values: {
      '5xx': { canary: canary[1], baseline: baseline[1] },
      latency: { canary: canary[2], baseline: baseline[2] },
    },
  };
}

describe('createGate', () => {
  it('rolls back a clear 5xx regression and says why in numbers', () => {
    const gate = createGate(config());
    let state = gate.state();
    for (let i = 0; state.decision === 'continue' && i < 30; i++) {
      state = gate.observe(period(i, [600, 12, 0.2 + 0.01 * (i % 3)], [2400, 12, 0.2]));
    }
    expect(state.decision).toBe('rollback');
    expect(state.rule).toBe('critical-regression');
    const metric = state.metrics.find((m) => m.name === '5xx');
    expect(metric?.status).toBe('regression');
    expect(metric?.rule).toBe('above-tolerance');
    expect(state.reason).toMatch(
      /^5xx rate on the canary is 2% against 0\.5% on the baseline \(×4, interval ×[\d.]+–×[\d.]+\), beyond the 20% tolerance, after \d+ minutes? and [\d,]+ canary requests\.$/,
    );
  });

  it('promotes when every critical metric is proven within tolerance, not before the minimums', () => {
    const gate = createGate(config({ minRequests: 8000, metrics: [latency] }));
    const states = Array.from({ length: 30 }, (_, i) =>
      gate.observe(period(i, [1000, 0, 0.2 + 0.002 * (i % 3)], [3000, 0, 0.2 + 0.002 * ((i + 1) % 3)])),
    );
    const healthy = states.findIndex((s) => s.metrics[0]?.status === 'healthy');
    expect(healthy).toBeGreaterThan(0);
    expect(healthy).toBeLessThan(7);
    expect(states[6]?.rule).toBe('waiting-for-minimums');
    expect(states[6]?.reason).toBe(
      'All critical metrics are within tolerance, but promotion waits for at least 8,000 canary requests (7,000 so far).',
    );
    expect(states[7]?.decision).toBe('promote');
    expect(states[7]?.reason).toMatch(
      /^All critical metrics are within tolerance after 8 minutes and 8,000 canary requests: latency 20\d ms vs 20\d ms, [+-][\d.]+% \(interval /,
    );
  });

  it('keeps watching after a promotion with the same claims, and rolls back a later regression', () => {
    const gate = createGate(config({ metrics: [latency], minRequests: 0 }));
    let state = gate.state();
    let i = 0;
    for (; state.decision === 'continue'; i++)
      state = gate.observe(
        period(i, [1000, 0, 0.2 + 0.002 * (i % 3)], [3000, 0, 0.2 + 0.002 * ((i + 1) % 3)]),
      );
    expect(state).toMatchObject({ decision: 'promote', rule: 'within-tolerance' });
    const promotedAt = state.periods;
    // Healthy periods after the promotion keep it a promotion; the series grows.
    for (let k = 0; k < 5; k++, i++)
      state = gate.observe(period(i, [1000, 0, 0.2], [3000, 0, 0.2 + 0.001 * (k % 2)]));
    expect(state.decision).toBe('promote');
    expect(state.periods).toBe(promotedAt + 5);
    for (let k = 0; k < 20 && state.decision === 'promote'; k++, i++)
      state = gate.observe(
        period(i, [1000, 0, 0.5 + 0.002 * (k % 3)], [3000, 0, 0.2 + 0.002 * ((k + 1) % 3)]),
      );
    expect(state).toMatchObject({ decision: 'rollback', rule: 'critical-regression' });
    expect(state.reason).toMatch(/^After the promotion, latency/);
    // Final: nothing changes it afterwards.
    expect(gate.observe(period(i, [1000, 0, 0.2], [3000, 0, 0.2]))).toBe(state);
  });

  it('promotes at max duration when bounded (promote-if-bounded), otherwise fails', () => {
    const bounded = { ...errors, tolerance: { relative: 0.2 }, criticalTolerance: { relative: 2 } };
    let report: GateReport | undefined;
    const run = (spec: MetricSpec): ReturnType<ReturnType<typeof createGate>['state']> => {
      const gate = createGate(
        config({ metrics: [spec], onTimeout: 'promote-if-bounded', maxDurationPeriods: 10, minRequests: 0 }),
      );
      let state = gate.state();
      // 1% on both arms, 500 vs 4,500 requests: far from proving ×1.2, easily ruling out ×3.
      for (let i = 0; i < 10; i++) state = gate.observe(period(i, [500, 5], [4500, 45]));
      report = gate.report();
      return state;
    };
    const promoted = run(bounded);
    expect(promoted).toMatchObject({ decision: 'promote', rule: 'bounded' });
    // The report carries what the bounded promotion read: the critical ratio and the one-look p-value.
    const statistics = report?.metrics[0]?.statistics;
    expect(statistics?.upperCriticalRatio).toBeCloseTo(3, 12);
    expect(statistics?.upperPValueWithinCritical).toBeGreaterThan(0);
    expect(statistics?.upperPValueWithinCritical).toBeLessThanOrEqual(statistics?.promoteAlpha ?? Number.NaN);
    expect(promoted.metrics[0]?.bounded).toBe(true);
    expect(promoted.metrics[0]?.status).toBe('undecided');
    expect(promoted.reason).toMatch(/^No regression seen after 10 minutes .*ruled out worse than \+200%/);
    // A critical tolerance the data cannot rule out yet, or none at all: no promotion.
    for (const spec of [{ ...bounded, criticalTolerance: { relative: 0.3 } }, { ...errors }]) {
      const state = run(spec);
      expect(state).toMatchObject({ decision: 'inconclusive', rule: 'timeout' });
      if (!spec.criticalTolerance) expect(report?.metrics[0]?.statistics.upperCriticalRatio).toBeNull();
      expect(state.reason).toMatch(/so promote-if-bounded does not promote/);
    }
  });

  it('ends a run without a verdict as on-timeout says', () => {
    for (const [onTimeout, decision] of [
      ['fail', 'inconclusive'],
      ['promote', 'promote'],
      ['rollback', 'rollback'],
    ] as const) {
      const gate = createGate(config({ onTimeout, maxDurationPeriods: 4 }));
      let state = gate.state();
      for (let i = 0; i < 4; i++) state = gate.observe(period(i, [20, 0, 0.2], [200, 1, 0.2]));
      expect(state.decision).toBe(decision);
      expect(state.rule).toBe('timeout');
      expect(state.reason).toMatch(
        /^No decision within the 4 minutes limit \(80 canary requests\), so the gate /,
      );
    }
  });

  it('treats a missing value as a gap, never as zero', () => {
    const gate = createGate(config());
    let state = gate.state();
    for (let i = 0; i < 10; i++)
      state = gate.observe(period(i, [600, undefined as unknown as number], [2400, 12]));
    const metric = state.metrics.find((m) => m.name === '5xx');
    expect(metric?.samples.periods).toBe(0);
    expect(metric?.canaryValue).toBeNull();
    expect(metric?.rule).toBe('not-enough-data');
    expect(gate.report().metrics[0]?.statistics.gaps).toBe(10);
  });

  it('reports a non-critical regression as a warning and does not act on it', () => {
    const gate = createGate(
      config({
        metrics: [errors, latency, { ...latency, name: 'cpu', label: 'CPU', unit: 'none', critical: false }],
      }),
    );
    let state = gate.state();
    for (let i = 0; i < 8; i++) {
      const p = period(i, [600, 3, 0.2 + 0.001 * i], [2400, 12, 0.2]);
      p.values.cpu = { canary: 80 + (i % 2), baseline: 40 + (i % 3) };
      state = gate.observe(p);
    }
    expect(state.decision).toBe('continue');
    expect(state.metrics.find((m) => m.name === 'cpu')?.status).toBe('regression');
    expect(state.warnings[0]).toMatch(
      /^Warning: CPU on the canary is 80\.5 against 40\.9 on the baseline \(\+97%, interval /,
    );
  });

  it('ignores a shared incident that multiplies both arms alike', () => {
    const gate = createGate(config());
    let state = gate.state();
    for (let i = 0; i < 20; i++) {
      const burst = i >= 5 && i < 9 ? 10 : 1;
      state = gate.observe(period(i, [800, 4 * burst, 0.2], [3200, 16 * burst, 0.2]));
    }
    expect(state.decision).not.toBe('rollback');
  });

  it('keeps its decision once made and reports every series', () => {
    const gate = createGate(config());
    for (let i = 0; i < 10; i++) gate.observe(period(i, [600, 30, 0.2], [2400, 12, 0.2]));
    const decided = gate.state();
    expect(decided.decision).toBe('rollback');
    expect(gate.observe(period(10, [600, 0, 0.2], [2400, 12, 0.2]))).toBe(decided);
    const report = gate.report();
    expect(report.metrics.map((m) => m.series.length)).toEqual([decided.periods, decided.periods]);
    expect(report.metrics[0]?.statistics.upperRollbackRatio).toBeCloseTo(1.2, 12);
    expect(JSON.parse(JSON.stringify(report)).state.decision).toBe('rollback');
  });

  it.each<[Partial<GateConfig>, RegExp]>([
    [{ metrics: [] }, /at least one metric/],
    [{ metrics: [errors, errors] }, /listed twice/],
    [{ falseRollbackRate: 0 }, /false-rollback-rate/],
    [{ maxDurationPeriods: 0 }, /max duration/],
    [{ minDurationPeriods: 40 }, /min duration/],
    [{ minRequests: -1 }, /min-requests/],
    [{ metrics: [{ ...errors, alphaWeight: 0 }] }, /alphaWeight/],
  ])('rejects %j', (overrides, message) => {
    expect(() => createGate(config(overrides))).toThrow(message);
  });

  it('splits the rollback budget 4 : 1 between a rate and a level, and by explicit weights', () => {
    const base = config();
    expect(alphasFor(base, errors)).toEqual({ rollback: 0.008, promote: 0.01 });
    expect(alphasFor(base, latency).rollback).toBeCloseTo(0.002, 15);
    const either = { ...latency, direction: 'either' as const, alphaWeight: 2 };
    const weighted = config({ metrics: [{ ...errors, alphaWeight: 1 }, either] });
    // weights: errors 1 × 1 side, latency 2 × 2 sides
    expect(alphasFor(weighted, weighted.metrics[0] as MetricSpec).rollback).toBeCloseTo(0.002, 15);
    expect(alphasFor(weighted, either).rollback).toBeCloseTo(0.004, 15);
    const warnOnly = { ...latency, name: 'cpu', critical: false };
    expect(alphasFor(config({ metrics: [errors, latency, warnOnly] }), warnOnly).rollback).toBe(0.01);
  });

  it('rolls back a regression that starts after ten healthy minutes', () => {
    const gate = createGate(config({ metrics: [errors] }));
    let state = gate.state();
    for (let i = 0; i < 30 && state.decision === 'continue'; i++) {
      state = gate.observe(period(i, [1000, i < 10 ? 5 : 15, 0.2], [4000, 20, 0.2]));
    }
    expect(state.decision).toBe('rollback');
    expect(state.periods).toBeGreaterThan(10);
  });

  // Per-arm per-minute wobble of the rates and latencies (lognormal σ): ±20% as before, ±50% the
  // heavy noise of issue #12, the latter with and without the baseline's lookback. Without one, the
  // first minutes of ±50% noise are read with the prior dispersion and the bound is the 2α
  // per scenario (measured 8.7% at α = 5%, exactly at the tolerance); the lookback's floor keeps α.
  it.each([
    { wobble: 0.2, lookback: false, seed: 2024, bound: 0.05 },
    { wobble: 0.5, lookback: false, seed: 2025, bound: 0.1 },
    { wobble: 0.5, lookback: true, seed: 2026, bound: 0.05 },
    // Latency noise from few requests (a p99 of a 5% canary): the lookback's baseline, at full
    // traffic, is far quieter than the canary, the case where a scaled-down lookback would mislead.
    { wobble: 0.05, lookback: true, seed: 2027, bound: 0.05, requestNoise: true },
  ])(
    'rolls back healthy canaries in fewer than α of runs, looking every period (noise ±$wobble, lookback $lookback)',
    ({ wobble: sigma, lookback, seed, bound, requestNoise = false }) => {
      const random = seeded(seed);
      const runs = 150;
      let rollbacks = 0;
      for (let run = 0; run < runs; run++) {
        const gate = createGate(config({ falseRollbackRate: 0.05 }));
        const traffic = 300 + 4000 * random();
        const share = 0.05 + 0.45 * random();
        const rate = 0.001 + 0.019 * random();
        const wobble = (): number => Math.exp(sigma * normal(random) - (sigma * sigma) / 2);
        const latencyNoise = Math.sqrt(0.01 + sigma * sigma);
        // Per-arm noise of a statistic over n requests: 0.6/√n (as a tail quantile of few requests).
        const latencySd = (n: number): number =>
          requestNoise ? Math.sqrt(sigma * sigma + 0.36 / Math.max(1, n)) : latencyNoise;
        if (lookback) {
          for (let i = -60; i < 0; i++) {
            const nb = poisson(random, traffic);
            gate.observeLookback({
              periodStart: i * 60_000,
              canaryRequests: 0,
              baselineRequests: nb,
              values: {
                '5xx': { baseline: poisson(random, nb * rate * wobble()) },
                latency: { baseline: 0.2 * Math.exp(latencySd(nb) * normal(random)) },
              },
            });
          }
        }
        // The canary sits exactly at the tolerance on both metrics: the hardest healthy case.
        for (let i = 0; i < 30; i++) {
          const nc = poisson(random, traffic * share);
          const nb = poisson(random, traffic * (1 - share));
          const state = gate.observe({
            periodStart: i * 60_000,
            canaryRequests: nc,
            baselineRequests: nb,
            values: {
              '5xx': {
                canary: poisson(random, nc * rate * 1.2 * wobble()),
                baseline: poisson(random, nb * rate * wobble()),
              },
              latency: {
                canary: 0.24 * Math.exp(latencySd(nc) * normal(random)),
                baseline: 0.2 * Math.exp(latencySd(nb) * normal(random)),
              },
            },
          });
          if (state.decision !== 'continue') {
            if (state.decision === 'rollback') rollbacks += 1;
            break;
          }
        }
      }
      expect(rollbacks / runs).toBeLessThanOrEqual(bound);
    },
  );
});
