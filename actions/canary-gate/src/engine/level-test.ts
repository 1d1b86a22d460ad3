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
 * testing"), so P(∃n: BF_n ≥ 1/α) ≤ α with no variance to plug in.
 *
 * One-sided claims. The factor is the likelihood ratio of the scale-invariant statistics averaged over
 * the prior on δ, and any prior keeps it a test martingale under δ = 0. A claim "μ > b" only needs the
 * half of the prior on δ > 0 (doubled): with r = Σx/√Σx² and c = r²g/(2(1 + n·g)),
 *
 *   BF⁺_n(b) = BF_n(b) · 2·F_{t,n}( r·√(n·g/(1 + n·g)) / √(1 − 2c) ),
 *
 * F_{t,n} the Student-t distribution function with n degrees of freedom (the half-normal integral over
 * δ leaves Φ(k·u) inside the χ_n average, and E Φ(a·χ_n) = F_{t,n}(a·√n)). Once the data clearly
 * lean one way this is twice the two-sided factor: log 2 = 0.7 nats, about half a period of a +50%
 * latency regression. The claim "μ < b" is the mirror image.
 *
 * The factor depends on the data only through n and r, and r falls as b rises, so the confidence
 * sequence has closed-form ends once the critical r*(n, α) is known (cached per n and α).
 *
 * Lookback. The baseline's own periods before the canary started (addLookback) say how much a
 * period's value wobbles: half the mean square of successive log differences (so slow drift drops
 * out) at the lookback's request count. Scaled by 1/requests to each arm's count in the run it bounds
 * the variance of d from above (a per-minute part that does not shrink with requests is scaled up
 * too; wobble shared by the whole service, which cancels in d, is counted): s₀² = ŝ²·N̄_L·(1/N̄c + 1/N̄b).
 * It enters as ν₀ prior observations of pure noise, S₀ = ν₀·s₀²: the same invariant factor over
 * n + ν₀ observations of which only n carry the effect,
 *
 *   BF_n(b) = (1 + n·g)^(−1/2) · [ T / (T − (Σx)²·g/(1 + n·g)) ]^((n+ν₀)/2),   T = S₀ + Σx²,
 *
 * and the one-sided form with F_{t, n+ν₀} at r̃·√((n+ν₀)·g/(1 + n·g)) / √rest, r̃ = Σx/√T. Exact when
 * the lookback's noise is the canary's; an upper bound s₀ (what the scaling gives) only makes it
 * slower. Without a lookback ν₀ = 0: the plain sequential t-test.
 */
import logStudentCdf from '@stdlib/stats-base-dists-t-logcdf';
import { logSumExp } from './mixture.js';

export interface LevelTestOptions {
  /** Prior variances of the standardized effect, mixed with equal weights. */
  effectPriors?: number[];
  /** 'one' (default): each claim uses the half of the prior on its side; 'two': the symmetric factor. */
  sided?: 'one' | 'two';
}

// Measured on the bench's latency regressions (+50%, +100%), whose per-period standardized effect
// beyond the boundary is about 1 to 4: see level-test.test.ts and bench/results/canary.md.
export const DEFAULT_EFFECT_PRIORS = [1, 10, 100];
/** Prior observations of noise a lookback is worth at most (ν₀). */
export const LOOKBACK_DEGREES = 10;

export class LevelTest {
  periods = 0;
  private sum = 0;
  private sumSquares = 0;
  private baselineSum = 0;
  private baselineSquares = 0;
  private canarySum = 0;
  private readonly priors: number[];
  private readonly sided: 'one' | 'two';
  private readonly critical = new Map<string, number>();
  private canaryRequests = 0;
  private baselineRequests = 0;
  /** The lookback's log values and request counts, in order. */
  private readonly lookback: { logValue: number; requests: number }[] = [];
  private lookbackNoise: { variance: number; requests: number; degrees: number } | null = null;
  private earlierVariance: number | null = null;

  constructor(options: LevelTestOptions = {}) {
    this.priors = options.effectPriors ?? DEFAULT_EFFECT_PRIORS;
    this.sided = options.sided ?? 'one';
  }

  /** One period of the baseline alone before the canary started (its value and request count). */
  addLookback(baseline: number, requests: number): void {
    if (this.periods > 0 || !(baseline > 0 && Number.isFinite(baseline) && requests > 0)) return;
    this.lookback.push({ logValue: Math.log(baseline), requests });
    const pairs = this.lookback.length - 1;
    if (pairs < 2) return;
    let squares = 0;
    for (let i = 1; i < this.lookback.length; i++) {
      squares +=
        ((this.lookback[i] as { logValue: number }).logValue -
          (this.lookback[i - 1] as { logValue: number }).logValue) **
        2;
    }
    const requestsMean = this.lookback.reduce((sum, p) => sum + p.requests, 0) / this.lookback.length;
    this.lookbackNoise = {
      variance: squares / (2 * pairs),
      requests: requestsMean,
      degrees: Math.min(pairs, LOOKBACK_DEGREES),
    };
  }

  /**
   * Adds one period; returns false when the pair cannot be compared (a value ≤ 0). The request
   * counts scale the lookback's noise to this run's arms (0: unknown, the lookback is not used).
   */
  add(canary: number, baseline: number, canaryRequests = 0, baselineRequests = 0): boolean {
    if (!(canary > 0 && baseline > 0 && Number.isFinite(canary) && Number.isFinite(baseline))) return false;
    const d = Math.log(canary / baseline);
    // The variance of the periods before this one, for the lookback's scaling (see prior()).
    this.earlierVariance =
      this.periods >= 2
        ? (this.sumSquares - (this.sum * this.sum) / this.periods) / (this.periods - 1)
        : null;
    this.canaryRequests += Math.max(0, canaryRequests);
    this.baselineRequests += Math.max(0, baselineRequests);
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
  /** The lookback's prior noise for this run: ν₀ and S₀ = ν₀·s₀² (zero without a lookback). */
  prior(): { degrees: number; squares: number } {
    const noise = this.lookbackNoise;
    const n = this.periods;
    if (!noise || n === 0 || !(this.canaryRequests > 0 && this.baselineRequests > 0)) {
      return { degrees: 0, squares: 0 };
    }
    // Each arm's wobble is at least the baseline's at full traffic (lower) and at most that scaled
    // by 1/requests to the arm's count (upper: all of it request-averaging noise). Which one holds
    // is the service's (request noise for a p99 of few requests, per-minute noise for a busy
    // average); the earlier periods of the run pick within the bounds once there are two (bench: a
    // doubled p99 rolled back a minute sooner than waiting for three, with no false rollback more).
    const upper = noise.variance * noise.requests * (n / this.canaryRequests + n / this.baselineRequests);
    const lower = 2 * noise.variance;
    const variance =
      this.earlierVariance === null ? upper : Math.min(upper, Math.max(lower, this.earlierVariance));
    return { degrees: noise.degrees, squares: noise.degrees * variance };
  }

  baselineBounds(z: number): [number, number] | null {
    if (this.periods === 0) return null;
    const mean = this.baselineSum / this.periods;
    const variance = Math.max(0, this.baselineSquares / this.periods - mean * mean);
    const margin = z * Math.sqrt(variance / this.periods);
    return [Math.max(0, mean - margin), mean + margin];
  }

  /**
   * log BF for "μ > b" (above) and "μ < b" (below). Two-sided: the symmetric factor, on the side the
   * data are on (−Infinity on the other).
   */
  signedLogEvidence(b: number): { above: number; below: number } {
    if (b === -Infinity) return { above: Infinity, below: -Infinity };
    if (b === Infinity) return { above: -Infinity, below: Infinity };
    const { degrees } = this.prior();
    if (this.periods + degrees < 2 || this.periods === 0) return { above: 0, below: 0 };
    const r = this.correlation(b);
    if (this.sided === 'one') {
      return {
        above: this.logFactor(this.periods, degrees, r),
        below: this.logFactor(this.periods, degrees, -r),
      };
    }
    const logBf = this.logFactor(this.periods, degrees, r);
    return r > 0 ? { above: logBf, below: -Infinity } : { above: -Infinity, below: logBf };
  }

  /**
   * For one look at a fixed time (promote-if-bounded at max duration): log of the one-sided p-value
   * of the t-test of μ ≥ b (`below`: evidence that μ < b) or μ ≤ b (`above`), on n − 1 + ν₀ degrees of
   * freedom with the lookback's prior observations of noise; 0 before it can say anything.
   */
  fixedTimeLogPValue(b: number, side: 'below' | 'above'): number {
    const n = this.periods;
    const { degrees, squares: prior } = this.prior();
    const freedom = n - 1 + degrees;
    if (n === 0 || freedom < 1 || !Number.isFinite(b))
      return b === (side === 'below' ? Infinity : -Infinity) ? -Infinity : 0;
    const mean = this.sum / n;
    const residual = Math.max(0, this.sumSquares - n * mean * mean);
    const variance = (prior + residual) / freedom;
    if (!(variance > 0)) return (side === 'below' ? mean < b : mean > b) ? -Infinity : 0;
    const t = (mean - b) / Math.sqrt(variance / n);
    return logStudentCdf(side === 'below' ? t : -t, freedom);
  }

  /** Confidence sequence for μ at level α (both ends), or null before two periods. */
  interval(alpha: number): [number, number] | null {
    const n = this.periods;
    const { degrees, squares: prior } = this.prior();
    if (n + degrees < 2 || n === 0) return null;
    const mean = this.sum / n;
    const variance = Math.max(0, this.sumSquares / n - mean * mean);
    const rStar = this.criticalCorrelation(n, degrees, alpha);
    // r(b)² = n²(m − b)² / (S₀ + nV + n(m − b)²) reaches r*² at |m − b| = r*·√((S₀/n + V) / (n − r*²)).
    if (rStar === null || rStar * rStar >= n) return [-Infinity, Infinity];
    const half = rStar * Math.sqrt((prior / n + variance) / (n - rStar * rStar));
    return [mean - half, mean + half];
  }

  /** r = Σx / √(S₀ + Σx²) for x = d − b, in [−√n, √n]; the t-statistic is a monotone function of it. */
  private correlation(b: number): number {
    const n = this.periods;
    const shifted = this.sum - n * b;
    const squares = this.prior().squares + this.sumSquares - 2 * b * this.sum + n * b * b;
    if (!(squares > 0)) return shifted === 0 ? 0 : Math.sign(shifted) * Math.sqrt(n);
    return Math.max(-Math.sqrt(n), Math.min(Math.sqrt(n), shifted / Math.sqrt(squares)));
  }

  /**
   * log of the equal-weight average over the effect priors of the factor for "μ > b", given n
   * observations, ν₀ prior ones of noise, and r.
   */
  private logFactor(n: number, degrees: number, r: number): number {
    const all = n + degrees;
    const u = Math.min(1, (r * r) / n);
    const terms = this.priors.map((g) => {
      const shrink = (n * g) / (1 + n * g);
      const rest = Math.max(1e-300, 1 - u * shrink);
      const symmetric = -0.5 * Math.log(1 + n * g) - (all / 2) * Math.log(rest);
      if (this.sided === 'two') return symmetric;
      const argument = (r * Math.sqrt((all * g) / (1 + n * g))) / Math.sqrt(rest);
      return symmetric + Math.LN2 + logStudentCdf(argument, all);
    });
    return logSumExp(terms) - Math.log(this.priors.length);
  }

  /** The smallest r ≥ 0 whose factor reaches 1/α (null if none can), by bisection; cached. */
  private criticalCorrelation(n: number, degrees: number, alpha: number): number | null {
    const key = `${n}:${degrees}:${alpha}`;
    const cached = this.critical.get(key);
    if (cached !== undefined) return Number.isNaN(cached) ? null : cached;
    const threshold = Math.log(1 / alpha);
    let low = 0;
    let high = Math.sqrt(n);
    let result: number | null = null;
    if (this.logFactor(n, degrees, high * (1 - 1e-12)) >= threshold) {
      for (let i = 0; i < 60; i++) {
        const mid = (low + high) / 2;
        if (this.logFactor(n, degrees, mid) >= threshold) high = mid;
        else low = mid;
      }
      result = high;
    }
    this.critical.set(key, result ?? Number.NaN);
    return result;
  }

  statistics(): Record<string, number | null> {
    const n = this.periods;
    const mean = this.meanLogRatio();
    const sd =
      n > 1 && mean !== null ? Math.sqrt(Math.max(0, (this.sumSquares - n * mean * mean) / (n - 1))) : null;
    return { periods: n, meanLogRatio: mean, sdLogRatio: sd, baselineMean: this.baselineMean() };
  }
}
