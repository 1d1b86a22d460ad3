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
 */
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

  constructor(options: LevelTestOptions = {}) {
    this.priors = options.effectPriors ?? DEFAULT_EFFECT_PRIORS;
    this.sided = options.sided ?? 'one';
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

  /**
   * log BF for "μ > b" (above) and "μ < b" (below). Two-sided: the symmetric factor, on the side the
   * data are on (−Infinity on the other).
   */
  signedLogEvidence(b: number): { above: number; below: number } {
    if (b === -Infinity) return { above: Infinity, below: -Infinity };
    if (b === Infinity) return { above: -Infinity, below: Infinity };
    if (this.periods < 2) return { above: 0, below: 0 };
    const r = this.correlation(b);
    if (this.sided === 'one') {
      return { above: this.logFactor(this.periods, r), below: this.logFactor(this.periods, -r) };
    }
    const logBf = this.logFactor(this.periods, r);
    return r > 0 ? { above: logBf, below: -Infinity } : { above: -Infinity, below: logBf };
  }

  /** Confidence sequence for μ at level α (both ends), or null before two periods. */
  interval(alpha: number): [number, number] | null {
    const n = this.periods;
    if (n < 2) return null;
    const mean = this.sum / n;
    const variance = Math.max(0, this.sumSquares / n - mean * mean);
    const rStar = this.criticalCorrelation(n, alpha);
    // r(b)² = n(m − b)² / (V + (m − b)²) reaches r*² at |m − b| = r*·√(V / (n − r*²)).
    if (rStar === null || rStar * rStar >= n) return [-Infinity, Infinity];
    const half = rStar * Math.sqrt(variance / (n - rStar * rStar));
    return [mean - half, mean + half];
  }

  /** r = Σx / √Σx² for x = d − b, in [−√n, √n]; the t-statistic is a monotone function of it. */
  private correlation(b: number): number {
    const n = this.periods;
    const shifted = this.sum - n * b;
    const squares = this.sumSquares - 2 * b * this.sum + n * b * b;
    if (!(squares > 0)) return shifted === 0 ? 0 : Math.sign(shifted) * Math.sqrt(n);
    return Math.max(-Math.sqrt(n), Math.min(Math.sqrt(n), shifted / Math.sqrt(squares)));
  }

  /** log of the equal-weight average over the effect priors of the factor for "μ > b", given n and r. */
  private logFactor(n: number, r: number): number {
    const u = Math.min(1, (r * r) / n);
    const terms = this.priors.map((g) => {
      const shrink = (n * g) / (1 + n * g);
      const rest = Math.max(1e-300, 1 - u * shrink);
      const symmetric = -0.5 * Math.log(1 + n * g) - (n / 2) * Math.log(rest);
      if (this.sided === 'two') return symmetric;
      const argument = (r * Math.sqrt(shrink)) / Math.sqrt(rest);
      return symmetric + Math.log(2 * studentCdf(argument, n));
    });
    return logSumExp(terms) - Math.log(this.priors.length);
  }

  /** The smallest r ≥ 0 whose factor reaches 1/α (null if none can), by bisection; cached. */
  private criticalCorrelation(n: number, alpha: number): number | null {
    const key = `${n}:${alpha}`;
    const cached = this.critical.get(key);
    if (cached !== undefined) return Number.isNaN(cached) ? null : cached;
    const threshold = Math.log(1 / alpha);
    let low = 0;
    let high = Math.sqrt(n);
    let result: number | null = null;
    if (this.logFactor(n, high * (1 - 1e-12)) >= threshold) {
      for (let i = 0; i < 60; i++) {
        const mid = (low + high) / 2;
        if (this.logFactor(n, mid) >= threshold) high = mid;
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

/**
 * Student-t distribution function for a whole number ν ≥ 1 of degrees of freedom, by the finite series
 * of Abramowitz & Stegun 26.7.3–4 in θ = atan(t/√ν) (O(ν), exact up to rounding). That series loses
 * the far lower tail to cancellation, and there log F matters (a one-sided factor against the data
 * must stay tiny), so tails below 1e-6 come from the incomplete beta function instead.
 */
export function studentCdf(t: number, nu: number): number {
  if (t === Infinity) return 1;
  if (t === -Infinity) return 1e-300;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(nu));
  const sin = Math.sin(theta);
  const cos2 = Math.cos(theta) ** 2;
  let within: number;
  if (nu % 2 === 1) {
    // (2/π)·[θ + sin θ·cos θ·(1 + (2/3)cos²θ + (2·4)/(3·5)cos⁴θ + …)], ν − 2 powers of cos θ.
    let term = 1;
    let sum = nu > 1 ? 1 : 0;
    for (let k = 3; k <= nu - 2; k += 2) {
      term *= ((k - 1) / k) * cos2;
      sum += term;
    }
    within = (2 / Math.PI) * (theta + sin * Math.cos(theta) * sum);
  } else {
    // sin θ·(1 + (1/2)cos²θ + (1·3)/(2·4)cos⁴θ + …), up to cos^(ν−2)θ.
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= nu - 2; k += 2) {
      term *= ((k - 1) / k) * cos2;
      sum += term;
    }
    within = sin * sum;
  }
  const tail = 0.5 - within / 2;
  const exactTail = tail < 1e-6 ? 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5) : tail;
  const cdf = t >= 0 ? 1 - exactTail : exactTail;
  return Math.min(1, Math.max(1e-300, cdf));
}

/** Regularized incomplete beta I_x(a, b) (continued fraction, Numerical Recipes §6.4). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < 9; i++) sum += (c[i] as number) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}
