/*
 * Anytime-valid comparison of a per-period level (average latency) between canary and baseline.
 *
 * Each period with both values gives d = log(canary / baseline): pairing within the period cancels
 * whatever moves both arms together. The d are modelled as normal with unknown mean μ and unknown
 * variance. For a boundary b the test is the scale-invariant sequential t-test: a Bayes factor with a
 * normal prior N(0, g) on the standardized effect (μ − b)/σ and the right-Haar prior dσ/σ on σ,
 *
 *   BF_n(b) = (1 + n·g)^(−1/2) · [ Σx² / (Σx² − n·x̄²·n·g/(1 + n·g)) ]^(n/2),   x = d − b,
 *
 * a test martingale under μ = b for the filtration of scale-invariant statistics (the sequential
 * t-test; Pérez-Ortiz, Lardy, de Heide & Grünwald, "E-statistics, group invariance and anytime-valid
 * testing"), so P(∃n: BF_n ≥ 1/α) ≤ α with no variance to plug in. It is two-sided; the sign of
 * x̄ says which claim it supports, and each one-sided claim keeps error ≤ α at threshold 1/α.
 * The gate averages the factors for g = 1, 10 and 100 (an average of test martingales is one): small
 * g wins on noisy low-traffic data, large g lets a clear shift decide in 3–4 periods instead of 7.
 * Only running sums are kept; the confidence sequence is found by bisection.
 */
import { logSumExp } from './mixture.js';

export interface LevelTestOptions {
  /** Prior variances of the standardized effect, mixed with equal weights. */
  effectPriors?: number[];
}

export const DEFAULT_EFFECT_PRIORS = [1, 10, 100];

export class LevelTest {
  periods = 0;
  private sum = 0;
  private sumSquares = 0;
  private baselineSum = 0;
  private baselineSquares = 0;
  private canarySum = 0;
  private readonly priors: number[];

  constructor(options: LevelTestOptions = {}) {
    this.priors = options.effectPriors ?? DEFAULT_EFFECT_PRIORS;
  }

  /** Adds one period; returns false when the pair cannot be compared (a value ≤ 0). */
  add(canary: number, baseline: number): boolean {
    if (!(canary > 0 && baseline > 0 && Number.isFinite(canary) && Number.isFinite(baseline))) return false;
    const d = Math.log(canary / baseline);
    this.periods += 1;
    this.sum += d;
    this.sumSquares += d * d;
    this.baselineSum += baseline;
    this.baselineSquares += baseline * baseline;
    this.canarySum += canary;
    return true;
  }

  meanLogRatio(): number | null {
    return this.periods > 0 ? this.sum / this.periods : null;
  }

  canaryMean(): number | null {
    return this.periods > 0 ? this.canarySum / this.periods : null;
  }

  baselineMean(): number | null {
    return this.periods > 0 ? this.baselineSum / this.periods : null;
  }

  /** Baseline mean ± z standard errors, to turn an absolute tolerance into a ratio conservatively. */
  baselineBounds(z: number): [number, number] | null {
    if (this.periods === 0) return null;
    const mean = this.baselineSum / this.periods;
    const variance = Math.max(0, this.baselineSquares / this.periods - mean * mean);
    const margin = z * Math.sqrt(variance / this.periods);
    return [Math.max(0, mean - margin), mean + margin];
  }

  /** log BF against μ = b, signed by the side the data are on: > 0 above b, < 0 below. */
  signedLogEvidence(b: number): { above: number; below: number } {
    if (b === -Infinity) return { above: Infinity, below: -Infinity };
    if (b === Infinity) return { above: -Infinity, below: Infinity };
    if (this.periods < 2) return { above: 0, below: 0 };
    const logBf = this.logBayesFactor(b);
    return this.sum - this.periods * b > 0
      ? { above: logBf, below: -Infinity }
      : { above: -Infinity, below: logBf };
  }

  /** Confidence sequence for μ at level α (both ends), or null before two periods. */
  interval(alpha: number): [number, number] | null {
    const n = this.periods;
    if (n < 2) return null;
    const mean = this.sum / n;
    const threshold = Math.log(1 / alpha);
    const sd = Math.sqrt(Math.max(0, this.sumSquares / n - mean * mean));
    let high = Math.max(sd, 1e-6);
    for (let i = 0; i < 40 && this.logBayesFactor(mean + high) < threshold; i++) high *= 2;
    if (this.logBayesFactor(mean + high) < threshold) return [-Infinity, Infinity];
    let low = 0;
    for (let i = 0; i < 50; i++) {
      const mid = (low + high) / 2;
      if (this.logBayesFactor(mean + mid) < threshold) low = mid;
      else high = mid;
    }
    return [mean - high, mean + high];
  }

  /** log of the equal-weight average over the effect priors; symmetric around the sample mean. */
  private logBayesFactor(b: number): number {
    const n = this.periods;
    const shifted = this.sum - n * b;
    const squares = this.sumSquares - 2 * b * this.sum + n * b * b;
    const u = squares > 0 ? Math.min(1, (shifted * shifted) / n / squares) : 0;
    const terms = this.priors.map((g) => {
      const shrink = (n * g) / (1 + n * g);
      return -0.5 * Math.log(1 + n * g) - (n / 2) * Math.log(Math.max(1e-300, 1 - u * shrink));
    });
    return logSumExp(terms) - Math.log(this.priors.length);
  }

  statistics(): Record<string, number | null> {
    const n = this.periods;
    const mean = this.meanLogRatio();
    const sd =
      n > 1 && mean !== null ? Math.sqrt(Math.max(0, (this.sumSquares - n * mean * mean) / (n - 1))) : null;
    return { periods: n, meanLogRatio: mean, sdLogRatio: sd, baselineMean: this.baselineMean() };
  }
}
