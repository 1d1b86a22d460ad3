/*
 * The metric tracker: which claim each side's evidence stands for. Rollback claims use the rate test's
 * change-point mixture ('any-start') against the boundary shaded towards a wider tolerance; promote
 * claims use the whole run against the narrower one, on either side of the ratio.
 */
import { describe, expect, it } from '@jest/globals';
import { MetricTracker } from '../../src/engine/metric-tracker.js';
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
    expect(side?.logEvidenceWithin).toBeCloseTo(
      test.logEvidenceBelow(side?.promoteBoundary as number, 'whole-run'),
      12,
    );
  });
});
