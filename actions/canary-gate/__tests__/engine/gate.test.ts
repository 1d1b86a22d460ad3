/*
 * The gate as a whole: decisions and their rules, minimums, timeouts, gaps, non-critical metrics,
 * and a seeded simulation that the gate's false-rollback rate stays below α with a look every period
 * (two critical metrics, overdispersed errors, α split between them).
 */
import { describe, expect, it } from '@jest/globals';
import { alphasFor, createGate } from '../../src/engine/gate.js';
import type { GateConfig, MetricSpec, PeriodObservation } from '../../src/engine/types.js';
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

  it('as a rollback-only watch never promotes, ends inconclusive at its horizon, and still rolls back', () => {
    const watch = config({
      metrics: [latency],
      rollbackOnly: true,
      onTimeout: 'promote',
      maxDurationPeriods: 12,
    });
    const healthy = createGate(watch);
    const states = Array.from({ length: 12 }, (_, i) =>
      healthy.observe(period(i, [1000, 0, 0.2 + 0.002 * (i % 3)], [3000, 0, 0.2 + 0.002 * ((i + 1) % 3)])),
    );
    expect(states.slice(0, 11).every((state) => state.decision === 'continue')).toBe(true);
    expect(states[11]).toMatchObject({ decision: 'inconclusive', rule: 'timeout' });
    const regressed = createGate(watch);
    let state = regressed.state();
    for (let i = 0; i < 12 && state.decision === 'continue'; i++)
      state = regressed.observe(period(i, [1000, 0, 0.4], [3000, 0, 0.2]));
    expect(state).toMatchObject({ decision: 'rollback', rule: 'critical-regression' });
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

  it('rolls back healthy canaries in fewer than α of runs, looking every period', () => {
    const random = seeded(2024);
    const runs = 150;
    let rollbacks = 0;
    for (let run = 0; run < runs; run++) {
      const gate = createGate(config({ falseRollbackRate: 0.05 }));
      const traffic = 300 + 4000 * random();
      const share = 0.05 + 0.45 * random();
      const rate = 0.001 + 0.019 * random();
      // The canary sits exactly at the tolerance on both metrics: the hardest healthy case.
      for (let i = 0; i < 30; i++) {
        const nc = poisson(random, traffic * share);
        const nb = poisson(random, traffic * (1 - share));
        const wobble = (): number => Math.exp(0.2 * normal(random) - 0.02);
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
              canary: 0.24 * Math.exp(0.1 * normal(random)),
              baseline: 0.2 * Math.exp(0.1 * normal(random)),
            },
          },
        });
        if (state.decision !== 'continue') {
          if (state.decision === 'rollback') rollbacks += 1;
          break;
        }
      }
    }
    expect(rollbacks / runs).toBeLessThanOrEqual(0.05);
  });
});
