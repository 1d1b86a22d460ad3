/*
 * Mixture weights: they must sum to 1 (otherwise the mixture is no test supermartingale), and the
 * log-normal one must put its mass where it says.
 */
import { describe, expect, it } from '@jest/globals';
import { halfNormalMixture, logNormalMixture, logSumExp } from '../../src/engine/mixture.js';
import { restartSchedule } from '../../src/engine/change-points.js';

describe('mixtures', () => {
  it.each([
    ['half-normal', halfNormalMixture(0.025, 0.6)],
    ['log-normal', logNormalMixture(0.025, 0.6, 0.4)],
  ])('%s weights sum to 1', (_name, mixture) => {
    expect(Math.exp(logSumExp(mixture.map((c) => c.logWeight)))).toBeCloseTo(1, 12);
  });

  it('puts most log-normal mass on log-ratios between 0.31 and 1.16 beyond the boundary', () => {
    const mixture = logNormalMixture(0.025, 0.6, 0.4);
    const inside = mixture.filter((c) => c.offset * 0.025 >= 0.3 && c.offset * 0.025 <= 1.2);
    expect(Math.exp(logSumExp(inside.map((c) => c.logWeight)))).toBeGreaterThan(0.85);
  });

  it('gives restarts weights that sum to 1, the whole run its share, one copy when nothing fits', () => {
    const schedule = restartSchedule(30, 5, 0.7);
    expect(schedule.map((r) => r.start)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(Math.exp(logSumExp(schedule.map((r) => r.logWeight)))).toBeCloseTo(1, 12);
    expect(Math.exp(schedule[0]?.logWeight as number)).toBeCloseTo(0.7, 12);
    expect(restartSchedule(4, 5, 0.7)).toEqual([{ start: 0, logWeight: 0 }]);
  });
});
