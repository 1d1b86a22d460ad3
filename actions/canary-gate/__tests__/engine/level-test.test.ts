/*
 * The level test. The closed-form Bayes factor is checked against a direct numerical integration of
 * the normal likelihood over the standardized effect and over log σ (the right-Haar prior dσ/σ), and
 * the simulation checks Ville's bound: normal data centred exactly on the boundary, looked at after
 * every period, cross 1/α in at most α of the runs.
 */
import { describe, expect, it } from '@jest/globals';
import { LevelTest } from '../../src/engine/level-test.js';
import { normal, seeded } from './random.js';

/** ∫∫ Π N(x_i; σδ, σ²) N(δ; 0, g) dδ dσ/σ  /  ∫ Π N(x_i; 0, σ²) dσ/σ, by the midpoint rule. */
function numericBayesFactor(xs: number[], g: number): number {
  const logSigma = { from: -8, to: 4, steps: 600 };
  const delta = { from: -12, to: 12, steps: 600 };
  const hs = (logSigma.to - logSigma.from) / logSigma.steps;
  const hd = (delta.to - delta.from) / delta.steps;
  const logLik = (mean: number, sigma: number): number =>
    xs.reduce((sum, x) => sum - (x - mean) ** 2 / (2 * sigma * sigma) - Math.log(sigma), 0);
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < logSigma.steps; i++) {
    const sigma = Math.exp(logSigma.from + (i + 0.5) * hs);
    denominator += Math.exp(logLik(0, sigma) + 40) * hs;
    for (let j = 0; j < delta.steps; j++) {
      const d = delta.from + (j + 0.5) * hd;
      const prior = Math.exp((-d * d) / (2 * g)) / Math.sqrt(2 * Math.PI * g);
      numerator += Math.exp(logLik(sigma * d, sigma) + 40) * prior * hd * hs;
    }
  }
  return numerator / denominator;
}

describe('LevelTest', () => {
  it('matches a numerical integration of the Bayes factor', () => {
    const xs = [0.31, 0.12, 0.45, 0.2, 0.28];
    const test = new LevelTest({ effectPriors: [1] });
    for (const x of xs) test.add(Math.exp(x), 1);
    const expected = Math.log(numericBayesFactor(xs, 1));
    expect(test.signedLogEvidence(0).above).toBeCloseTo(expected, 3);
    expect(test.signedLogEvidence(0).below).toBe(-Infinity);
  });

  it('averages the factors of its effect priors', () => {
    const xs = [0.1, -0.05, 0.2, 0.15];
    const mixed = new LevelTest({ effectPriors: [1, 10] });
    const one = new LevelTest({ effectPriors: [1] });
    const ten = new LevelTest({ effectPriors: [10] });
    for (const x of xs) [mixed, one, ten].forEach((t) => t.add(Math.exp(x), 1));
    const expected = Math.log(
      (Math.exp(one.signedLogEvidence(0).above) + Math.exp(ten.signedLogEvidence(0).above)) / 2,
    );
    expect(mixed.signedLogEvidence(0).above).toBeCloseTo(expected, 10);
  });

  it('has no evidence before two periods and skips values that are not positive', () => {
    const test = new LevelTest();
    expect(test.add(0, 0.2)).toBe(false);
    test.add(0.3, 0.2);
    expect(test.signedLogEvidence(Math.log(1.2))).toEqual({ above: 0, below: 0 });
    expect(test.interval(0.01)).toBeNull();
  });

  it('puts the evidence exactly at the threshold on the ends of its interval', () => {
    const test = new LevelTest();
    for (const x of [0.42, 0.37, 0.5, 0.33, 0.45, 0.4]) test.add(Math.exp(x), 1);
    const [low, high] = test.interval(0.01) as [number, number];
    expect(test.signedLogEvidence(low).above).toBeCloseTo(Math.log(100), 6);
    expect(test.signedLogEvidence(high).below).toBeCloseTo(Math.log(100), 6);
    expect(low).toBeGreaterThan(Math.log(1.2));
  });

  it('keeps false claims below α under a look after every period', () => {
    const random = seeded(7);
    const alpha = 0.05;
    const boundary = Math.log(1.2);
    const runs = 2000;
    let crossed = 0;
    for (let run = 0; run < runs; run++) {
      const test = new LevelTest();
      const sigma = 0.02 + 0.5 * random();
      for (let period = 0; period < 30; period++) {
        test.add(Math.exp(boundary + sigma * normal(random)), 1);
        if (test.signedLogEvidence(boundary).above >= Math.log(1 / alpha)) {
          crossed += 1;
          break;
        }
      }
    }
    expect(crossed / runs).toBeLessThanOrEqual(alpha);
  });
});
