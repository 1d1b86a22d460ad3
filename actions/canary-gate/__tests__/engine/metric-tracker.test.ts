/*
 * The metric tracker: which claim each side's evidence stands for. Rollback claims use the rate test's
 * change-point mixture ('any-start') against the boundary shaded towards a wider tolerance; promote
 * claims use the whole run against the narrower one, on either side of the ratio.
 */
import { describe, expect, it } from '@jest/globals';
import { logWeightedMeanExp, MetricTracker } from '../../src/engine/metric-tracker.js';
import { RateTest } from '../../src/engine/rate-test.js';
import type { MetricSpec } from '../../src/engine/types.js';

const alphas = { rollback: 0.005, promote: 0.01 };
const periods: [number, number, number, number][] = [
  [3, 800, 40, 3200],
  [2, 820, 35, 3100],
  [4, 790, 44, 3300],
  [1, 810, 38, 3150],
];

function fed(spec: MetricSpec): { tracker: MetricTracker; test: RateTest } {
  const tracker = new MetricTracker(spec, { horizon: 30 });
  const test = new RateTest({ anchor: 0, horizon: 30 });
  periods.forEach(([x, nc, y, nb], i) => {
    tracker.observe(i * 60_000, nc, nb, { canary: x, baseline: y });
    test.add(x, nc, y, nb);
  });
  return { tracker, test };
}

describe('MetricTracker', () => {
  it('tests a drop below the wider boundary for rollback and above the narrower one for promotion', () => {
    const spec: MetricSpec = {
      name: 'success',
      kind: 'rate',
      direction: 'decrease',
      tolerance: { absolute: 0.004 },
      critical: true,
    };
    const { tracker, test } = fed(spec);
    const { sides } = tracker.evaluate(alphas);
    const side = sides[0];
    expect(side?.side).toBe('lower');
    expect(side?.rollbackBoundary).toBeLessThan(side?.promoteBoundary as number);
    expect(side?.logEvidenceBeyond).toBeCloseTo(
      test.logEvidenceBelow(side?.rollbackBoundary as number, 'any-start'),
      12,
    );
    expect(side?.logEvidenceWithin).toBeCloseTo(
      test.logEvidenceAbove(side?.promoteBoundary as number, 'whole-run'),
      12,
    );
  });

  it('tests a rise above the wider boundary for rollback and below the narrower one for promotion', () => {
    const spec: MetricSpec = {
      name: '5xx',
      kind: 'rate',
      direction: 'increase',
      tolerance: { absolute: 0.004 },
      critical: true,
    };
    const { tracker, test } = fed(spec);
    const side = tracker.evaluate(alphas).sides[0];
    expect(side?.rollbackBoundary).toBeGreaterThan(side?.promoteBoundary as number);
    expect(side?.logEvidenceBeyond).toBeCloseTo(
      test.logEvidenceAbove(side?.rollbackBoundary as number, 'any-start'),
      12,
    );
    // The ratio test's evidence, averaged (as e-values) with the canary-only test of the absolute
    // tolerance: never more than ln(1/0.8) below the ratio test's own.
    const ratioEvidence = test.logEvidenceBelow(side?.promoteBoundary as number, 'whole-run');
    expect(side?.logEvidenceWithin).toBeGreaterThanOrEqual(ratioEvidence - Math.log(1 / 0.8) - 1e-12);
  });
});

describe('MetricTracker: a canary without events', () => {
  const spec: MetricSpec = {
    name: '5xx',
    kind: 'rate',
    direction: 'increase',
    tolerance: { relative: 0.5, absolute: 0.0025 },
    critical: true,
  };

  it('is proven within an absolute tolerance by its own requests when neither arm has any event', () => {
    const tracker = new MetricTracker(spec, { horizon: 30 });
    for (let period = 0; period < 12; period++)
      tracker.observe(period * 60_000, 120, 1_080, { canary: 0, baseline: 0 });
    // 1,440 canary requests: not yet (0.75 × 0.0025 × 1,440 = 2.7 nats < ln 100).
    expect(tracker.evaluate(alphas).state.status).toBe('undecided');
    for (let period = 12; period < 40; period++)
      tracker.observe(period * 60_000, 120, 1_080, { canary: 0, baseline: 0 });
    // 4,800: 9 nats, less ln 5 for its share of the claim with the ratio test, ≥ ln 100.
    expect(tracker.evaluate(alphas).state.status).toBe('healthy');
  });

  it('is never promoted that way while its rate is above the tolerance', () => {
    const tracker = new MetricTracker(spec, { horizon: 60 });
    // 0.5% on the canary, none on the baseline: beyond "baseline + 0.25pp".
    for (let period = 0; period < 40; period++)
      tracker.observe(period * 60_000, 400, 3_600, { canary: 2, baseline: 0 });
    expect(tracker.evaluate(alphas).state.status).not.toBe('healthy');
  });
});

describe('logWeightedMeanExp', () => {
  it('averages two e-values on the log scale', () => {
    expect(logWeightedMeanExp(Math.log(2), Math.log(4), 0.5)).toBeCloseTo(Math.log(3), 12);
    expect(logWeightedMeanExp(-Infinity, 5, 0.2)).toBeCloseTo(5 + Math.log(0.2), 12);
    expect(logWeightedMeanExp(-Infinity, -Infinity, 0.2)).toBe(-Infinity);
    expect(logWeightedMeanExp(Infinity, 0, 0.2)).toBe(Infinity);
  });
});
