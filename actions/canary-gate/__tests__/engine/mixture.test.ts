/*
 * Mixture weights: they must sum to 1 (otherwise the mixture is no test supermartingale), and the
 * log-normal one must put its mass where it says.
 */
import { describe, expect, it } from '@jest/globals';
import {
  halfNormalMixture,
  logNormalMixture,
  logSumExp,
  twoLogNormalMixture,
} from '../../src/engine/mixture.js';
import { restartSchedule } from '../../src/engine/change-points.js';

describe('mixtures', () => {
  it.each([
    ['half-normal', halfNormalMixture(0.025, 0.6)],
    ['log-normal', logNormalMixture(0.025, 0.6, 0.4)],
    [
      'two log-normals',
      twoLogNormalMixture(0.025, { median: 0.6, sigma: 0.4 }, { median: 1.5, sigma: 0.5, weight: 0.1 }),
    ],
  ])('%s weights sum to 1', (_name, mixture) => {
    expect(Math.exp(logSumExp(mixture.map((c) => c.logWeight)))).toBeCloseTo(1, 12);
  });

  it('puts most log-normal mass on log-ratios between 0.31 and 1.16 beyond the boundary', () => {
    const mixture = logNormalMixture(0.025, 0.6, 0.4);
    const inside = mixture.filter((c) => c.offset * 0.025 >= 0.3 && c.offset * 0.025 <= 1.2);
    expect(Math.exp(logSumExp(inside.map((c) => c.logWeight)))).toBeGreaterThan(0.85);
  });

  it('gives restarts weights that sum to 1, the whole run its share, one copy when nothing fits', () => {
    const schedule = restartSchedule(30, 5, 0.7, 0);
    expect(schedule.map((r) => r.start)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(Math.exp(logSumExp(schedule.map((r) => r.logWeight)))).toBeCloseTo(1, 12);
    expect(Math.exp(schedule[0]?.logWeight as number)).toBeCloseTo(0.7, 12);
    expect(restartSchedule(4, 5, 0.7)).toEqual([{ start: 0, logWeight: 0 }]);
  });

  it("shares the restarts' weight in proportion to k^(−decay)", () => {
    const schedule = restartSchedule(4, 1, 0.7, 1.25);
    const shares = [1, 2 ** -1.25, 3 ** -1.25];
    const total = shares.reduce((sum, share) => sum + share, 0);
    expect(schedule.map((r) => r.start)).toEqual([0, 1, 2, 3]);
    expect(schedule.map((r) => Math.exp(r.logWeight))).toEqual([
      expect.closeTo(0.7, 12),
      ...shares.map((s) => expect.closeTo((0.3 * s) / total, 12)),
    ]);
  });

  it("puts the second log-normal's share on large effects", () => {
    const both = twoLogNormalMixture(
      0.025,
      { median: 0.6, sigma: 0.4 },
      { median: 1.5, sigma: 0.5, weight: 0.1 },
    );
    const main = logNormalMixture(0.025, 0.6, 0.4);
    const beyond = (m: typeof main): number =>
      Math.exp(logSumExp(m.filter((c) => c.offset * 0.025 >= 1.2).map((c) => c.logWeight)));
    // log ratio ≥ 1.2 beyond the boundary (×4 and more): 6% of the main component, 67% of the second.
    expect(beyond(main)).toBeLessThan(0.07);
    expect(beyond(both)).toBeCloseTo(0.9 * beyond(main) + 0.1 * 0.67, 1);
    expect(beyond(both)).toBeGreaterThan(beyond(main) + 0.05);
  });
});
