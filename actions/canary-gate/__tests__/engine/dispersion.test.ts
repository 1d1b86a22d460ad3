/*
 * The lookback's floor under the rate test's dispersion: the baseline's own wobble before the
 * canary, by the method of moments, recomputed by hand; and the ρ it puts under the estimate.
 */
import { describe, expect, it } from '@jest/globals';
import { DispersionEstimator, lookbackRateWobble } from '../../src/engine/dispersion.js';
import { RATE_TEST_DEFAULTS } from '../../src/engine/rate-test.js';

describe('lookbackRateWobble', () => {
  it('is the excess of the squared deviations over Poisson, per squared expectation', () => {
    // 1% of 1,000 requests is 10 a period; 20, 0, 20, 0 deviate by 10 each: (4·100 − 40) / (4·100).
    const periods = [20, 0, 20, 0].map((events) => ({ events, requests: 1000 }));
    expect(lookbackRateWobble(periods)).toBeCloseTo(0.9, 12);
    // Exactly Poisson-sized deviations (±√10 around 10) leave no wobble.
    const poissonLike = [10 + Math.sqrt(10), 10 - Math.sqrt(10)].map((events) => ({
      events,
      requests: 1000,
    }));
    expect(lookbackRateWobble(poissonLike)).toBeCloseTo(0, 12);
  });

  it('says nothing from fewer than 20 events', () => {
    expect(lookbackRateWobble([5, 6, 7].map((events) => ({ events, requests: 1000 })))).toBeNull();
    expect(lookbackRateWobble([])).toBeNull();
  });
});

describe('DispersionEstimator with a lookback', () => {
  it('starts from the lookback wobble as ρ = 2τ²·p(1 − p) instead of the fixed prior, then follows the data', () => {
    const plain = new DispersionEstimator(RATE_TEST_DEFAULTS);
    const learnt = new DispersionEstimator(RATE_TEST_DEFAULTS);
    learnt.setLookbackWobble(0.25);
    plain.temper(50, 0.2);
    learnt.temper(50, 0.2);
    const inflated = (rho: number, periods: number): number =>
      rho * (1 + RATE_TEST_DEFAULTS.inflation / Math.sqrt(periods + RATE_TEST_DEFAULTS.priorPeriods));
    expect(learnt.rho()).toBeCloseTo(inflated(2 * 0.25 * 0.2 * 0.8, 0), 12);
    expect(plain.rho()).toBeCloseTo(inflated(RATE_TEST_DEFAULTS.priorDispersion, 0), 12);
    // Many quiet periods (residuals with no excess) bring both down towards the data's zero.
    for (let i = 0; i < 50; i++) {
      for (const e of [plain, learnt])
        e.addResidual(20, 100, 1000, 4000, { ratio: 1, canaryEvents: 60, baselineEvents: 240 });
    }
    expect(learnt.rho()).toBeLessThan(0.01);
    expect(plain.rho()).toBeLessThan(0.01);
  });
});
