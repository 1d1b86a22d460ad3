/*
 * The level test. The closed-form Bayes factor is checked against a direct numerical integration of
 * the normal likelihood over the standardized effect and over log σ (the right-Haar prior dσ/σ), and
 * the simulation checks Ville's bound: normal data centred exactly on the boundary, looked at after
 * every period, cross 1/α in at most α of the runs.
 */
import { describe, expect, it } from '@jest/globals';
import logStudentCdf from '@stdlib/stats-base-dists-t-logcdf';
import { LevelTest } from '../../src/engine/level-test.js';
import { normal, seeded } from '../../__fixtures__/random.js';

/**
 * ∫∫ Π N(x_i; σδ, σ²) π(δ) dδ dσ/σ  /  ∫ Π N(x_i; 0, σ²) dσ/σ by the midpoint rule, π = N(0, g) or,
 * one-sided, its half on δ > 0 doubled.
 */
function numericBayesFactor(
  xs: number[],
  g: number,
  oneSided = false,
  noise: { degrees: number; squares: number } = { degrees: 0, squares: 0 },
): number {
  const logSigma = { from: -8, to: 4, steps: 600 };
  const delta = oneSided ? { from: 0, to: 12, steps: 600 } : { from: -12, to: 12, steps: 600 };
  const hs = (logSigma.to - logSigma.from) / logSigma.steps;
  const hd = (delta.to - delta.from) / delta.steps;
  // Prior observations of pure noise (a lookback) enter both hypotheses alike.
  const logLik = (mean: number, sigma: number): number =>
    xs.reduce((sum, x) => sum - (x - mean) ** 2 / (2 * sigma * sigma) - Math.log(sigma), 0) -
    noise.squares / (2 * sigma * sigma) -
    noise.degrees * Math.log(sigma);
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < logSigma.steps; i++) {
    const sigma = Math.exp(logSigma.from + (i + 0.5) * hs);
    denominator += Math.exp(logLik(0, sigma) + 40) * hs;
    for (let j = 0; j < delta.steps; j++) {
      const d = delta.from + (j + 0.5) * hd;
      const prior = ((oneSided ? 2 : 1) * Math.exp((-d * d) / (2 * g))) / Math.sqrt(2 * Math.PI * g);
      numerator += Math.exp(logLik(sigma * d, sigma) + 40) * prior * hd * hs;
    }
  }
  return numerator / denominator;
}

describe('LevelTest', () => {
  it('matches a numerical integration of the one-sided Bayes factor on both sides', () => {
    const xs = [0.31, -0.12, 0.45, 0.2, 0.08];
    const test = new LevelTest({ effectPriors: [1] });
    for (const x of xs) test.add(Math.exp(x), 1);
    expect(test.signedLogEvidence(0).above).toBeCloseTo(Math.log(numericBayesFactor(xs, 1, true)), 3);
    const mirrored = xs.map((x) => -x);
    expect(test.signedLogEvidence(0).below).toBeCloseTo(Math.log(numericBayesFactor(mirrored, 1, true)), 3);
  });

  it('gains at most log 2 over the two-sided factor, nearly all of it once the data lean clearly', () => {
    const one = new LevelTest();
    const two = new LevelTest({ sided: 'two' });
    for (const x of [0.42, 0.37, 0.5, 0.33, 0.45, 0.4]) [one, two].forEach((t) => t.add(Math.exp(x), 1));
    const gain = one.signedLogEvidence(Math.log(1.2)).above - two.signedLogEvidence(Math.log(1.2)).above;
    expect(gain).toBeGreaterThan(Math.log(2) - 0.01);
    expect(gain).toBeLessThanOrEqual(Math.log(2) + 1e-12);
  });

  it('relies on a Student-t log distribution function that holds the known answers', () => {
    const cdf = (t: number, nu: number): number => Math.exp(logStudentCdf(t, nu));
    expect(cdf(2.015048, 5)).toBeCloseTo(0.95, 6);
    expect(cdf(-1.812461, 10)).toBeCloseTo(0.05, 6);
    expect(cdf(12.7062, 1)).toBeCloseTo(0.975, 5);
    expect(cdf(0, 7)).toBeCloseTo(0.5, 12);
    // Far lower tail, where a series cancels: P(T₁₀ < −50) = ½·I_{10/2510}(5, ½) ≈ 1.237e-13.
    expect(logStudentCdf(-50, 10)).toBeCloseTo(Math.log(1.2372e-13), 3);
  });

  it('gives the fixed-time t-test p-value, with the lookback as extra degrees of freedom', () => {
    const xs = [0.05, -0.02, 0.08, 0.01, 0.03];
    const test = new LevelTest();
    for (const x of xs) test.add(Math.exp(x), 1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    const b = Math.log(1.5);
    const t = (mean - b) / (sd / Math.sqrt(xs.length));
    expect(test.fixedTimeLogPValue(b, 'below')).toBeCloseTo(logStudentCdf(t, 4), 10);
    expect(test.fixedTimeLogPValue(b, 'above')).toBeCloseTo(logStudentCdf(-t, 4), 10);
    // P(T₄ < −2.132) = 0.05: a known answer of the t-test itself.
    const known = new LevelTest();
    for (const x of [-1, 1, -1, 1, 0]) known.add(Math.exp(x), 1);
    const kSd = Math.sqrt(4 / 4);
    expect(known.fixedTimeLogPValue((2.131847 * kSd) / Math.sqrt(5), 'below')).toBeCloseTo(Math.log(0.05), 4);
  });

  it('with a lookback, matches the numerical factor with the lookback as prior observations of noise', () => {
    const xs = [0.31, -0.12, 0.45];
    const test = new LevelTest({ effectPriors: [1] });
    // Four baseline periods at 1,000 requests: three successive differences of the log values.
    const lookback = [0.1, 0.16, 0.08, 0.13];
    for (const v of lookback) test.addLookback(Math.exp(v), 1000);
    const differences = lookback.slice(1).map((v, i) => v - (lookback[i] as number));
    const variance = differences.reduce((sum, d) => sum + d * d, 0) / (2 * differences.length);
    // Both arms at 1,000 requests in the run: s₀² = ŝ²·1,000·(1/1,000 + 1/1,000).
    for (const x of xs) test.add(Math.exp(x), 1, 1000, 1000);
    const noise = { degrees: 3, squares: 3 * variance * 2 };
    expect(test.prior().degrees).toBe(3);
    expect(test.prior().squares).toBeCloseTo(noise.squares, 12);
    expect(test.signedLogEvidence(0).above).toBeCloseTo(Math.log(numericBayesFactor(xs, 1, true, noise)), 3);
    const mirrored = xs.map((x) => -x);
    expect(test.signedLogEvidence(0).below).toBeCloseTo(
      Math.log(numericBayesFactor(mirrored, 1, true, noise)),
      3,
    );
    // Evidence from the first period on, which the plain t-test cannot have.
    const first = new LevelTest();
    for (const v of lookback) first.addLookback(Math.exp(v), 1000);
    first.add(Math.exp(0.9), 1, 1000, 1000);
    expect(first.signedLogEvidence(0).above).toBeGreaterThan(0);
  });

  it('never claims a rise from constant, equal values (the degenerate zero-variance case)', () => {
    const test = new LevelTest();
    for (let i = 0; i < 30; i++) {
      test.add(0.2, 0.2);
      expect(test.signedLogEvidence(Math.log(1.2)).above).toBeLessThanOrEqual(0);
    }
  });

  it('matches a numerical integration of the two-sided Bayes factor', () => {
    const xs = [0.31, 0.12, 0.45, 0.2, 0.28];
    const test = new LevelTest({ effectPriors: [1], sided: 'two' });
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
    // One-sided factors average the same way.
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

  it.each([
    ['at the boundary', 0],
    ['below the boundary (one-sided factor, composite null)', -0.5],
  ])('keeps false claims below α under a look after every period: %s', (_name, shift) => {
    const random = seeded(shift === 0 ? 7 : 8);
    const alpha = 0.05;
    const boundary = Math.log(1.2);
    const runs = 1000;
    let crossed = 0;
    for (let run = 0; run < runs; run++) {
      const test = new LevelTest();
      const sigma = 0.02 + 0.5 * random();
      for (let period = 0; period < 30; period++) {
        test.add(Math.exp(boundary + sigma * (shift + normal(random))), 1);
        if (test.signedLogEvidence(boundary).above >= Math.log(1 / alpha)) {
          crossed += 1;
          break;
        }
      }
    }
    expect(crossed / runs).toBeLessThanOrEqual(alpha);
  });
});
