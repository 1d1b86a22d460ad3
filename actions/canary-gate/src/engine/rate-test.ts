/*
 * Anytime-valid comparison of an event rate (5xx / requests) between canary and baseline.
 *
 * Per period, condition on the total events n of both arms: canary events ~ Binomial(n, p) with
 * p = θ·Nc / (θ·Nc + Nb), θ = canary rate / baseline rate. Anything that multiplies both arms' rates in
 * the same minute (a shared incident, the daily traffic swing) cancels out of p.
 *
 * The log-likelihood of every θ on a fixed grid of log θ is accumulated period by period (O(grid) per
 * period, no re-scan). To claim θ > θ* the test mixes the likelihood ratios of grid points above θ*
 * against θ*, with half-normal weights; the binomial family has a monotone likelihood ratio, so that
 * mixture is a non-negative supermartingale for every θ ≤ θ*, and by Ville's inequality it exceeds 1/α
 * with probability at most α however often it is looked at. The claim θ < θ* is the mirror image.
 *
 * Overdispersion: real per-minute error rates wobble more than a binomial allows, which makes a plain
 * binomial test far too eager at high counts. Each period's log-likelihood is multiplied by
 * 1/φ, φ = 1 + (n − 1)·ρ̂, the beta-binomial variance inflation, with ρ̂ estimated from the Pearson
 * residuals of earlier periods only (and a mild prior). Because 1/φ ≤ 1 and is fixed before the
 * period is seen, E[LR^(1/φ)] ≤ E[LR]^(1/φ) ≤ 1: the tempered test stays valid when the binomial model
 * holds, and it is approximately calibrated (quasi-likelihood) when it does not.
 */
import { halfNormalMixture, logSumExp, type MixtureComponent } from './mixture.js';

export interface RateTestOptions {
  /** A log ratio that should be exactly on the grid (the relative tolerance boundary). */
  anchor: number;
  /** Grid step in log ratio. */
  step?: number;
  /** Grid extent below and above the anchor, in log ratio. */
  below?: number;
  above?: number;
  /** Scale (log-ratio units) of the half-normal mixture over alternatives. */
  mixtureScale?: number;
  /** Prior beta-binomial intra-period correlation ρ and its weight in periods. */
  priorDispersion?: number;
  priorPeriods?: number;
  /** Safety factor on ρ̂ for its estimation error, in standard errors. */
  inflation?: number;
}

export const RATE_TEST_DEFAULTS = {
  step: 0.025,
  below: 5,
  above: 6,
  mixtureScale: 0.6,
  priorDispersion: 0.02,
  priorPeriods: 3,
  inflation: 1.4,
};

const MIN_EVENTS_FOR_RESIDUALS = 5;

export interface RateTotals {
  periods: number;
  canaryEvents: number;
  canaryRequests: number;
  baselineEvents: number;
  baselineRequests: number;
}

export class RateTest {
  readonly totals: RateTotals = {
    periods: 0,
    canaryEvents: 0,
    canaryRequests: 0,
    baselineEvents: 0,
    baselineRequests: 0,
  };
  private readonly grid: Float64Array;
  private readonly logLik: Float64Array;
  private readonly mixture: MixtureComponent[];
  private readonly priorDispersion: number;
  private readonly priorPeriods: number;
  private readonly inflation: number;
  private readonly origin: number;
  private readonly step: number;
  private mhNumerator = 0;
  private mhDenominator = 0;
  private residualExcess = 0;
  private residualSize = 0;
  private residualPeriods = 0;
  private lastTemper = 1;

  constructor(options: RateTestOptions) {
    const o = { ...RATE_TEST_DEFAULTS, ...options };
    const lowSteps = Math.ceil(o.below / o.step);
    const size = lowSteps + Math.ceil(o.above / o.step) + 1;
    this.step = o.step;
    this.origin = o.anchor - lowSteps * o.step;
    this.grid = Float64Array.from({ length: size }, (_, i) => this.origin + i * o.step);
    this.logLik = new Float64Array(size);
    this.mixture = halfNormalMixture(o.step, o.mixtureScale);
    this.priorDispersion = o.priorDispersion;
    this.priorPeriods = o.priorPeriods;
    this.inflation = o.inflation;
  }

  /** Adds one period; returns false when the period carries no comparison (an arm had no requests). */
  add(
    canaryEvents: number,
    canaryRequests: number,
    baselineEvents: number,
    baselineRequests: number,
  ): boolean {
    if (!(canaryRequests > 0 && baselineRequests > 0)) return false;
    const t = this.totals;
    t.periods += 1;
    t.canaryEvents += canaryEvents;
    t.canaryRequests += canaryRequests;
    t.baselineEvents += baselineEvents;
    t.baselineRequests += baselineRequests;
    const n = canaryEvents + baselineEvents;
    const all = canaryRequests + baselineRequests;
    if (n === 0) return true;

    // The inflation is sized from the events this period's requests should bring at the earlier periods'
    // rate, not from n itself: when one arm's rate wobbles, n and the canary's share are correlated, and
    // weights that depend on n would tilt the sum of scores towards "canary worse".
    const earlierEvents = t.canaryEvents + t.baselineEvents - n;
    const earlierRequests = t.canaryRequests + t.baselineRequests - all;
    const size = earlierRequests > 0 ? (all * (earlierEvents + 0.5)) / (earlierRequests + 1) : n;
    const temper = 1 / (1 + Math.max(0, size - 1) * this.dispersion(size));
    this.lastTemper = temper;
    const logShare = Math.log(canaryRequests / baselineRequests);
    for (let i = 0; i < this.grid.length; i++) {
      const eta = (this.grid[i] as number) + logShare;
      // X·log p + (n − X)·log(1 − p) with logit p = η
      this.logLik[i] = (this.logLik[i] as number) + temper * (canaryEvents * eta - n * softplus(eta));
    }

    // Pearson residual at the estimate from earlier periods, so that it is independent of this period;
    // the estimate's own error inflates E[z²] by about n·p(1 − p)·Var(log θ̂), which is taken off.
    // Residuals wait until each arm has had 5 events: before that the estimate is mostly noise.
    const earlierCanary = t.canaryEvents - canaryEvents;
    const earlierBaseline = t.baselineEvents - baselineEvents;
    if (earlierCanary >= MIN_EVENTS_FOR_RESIDUALS && earlierBaseline >= MIN_EVENTS_FOR_RESIDUALS) {
      const previous = this.mhNumerator / this.mhDenominator;
      const p = (previous * canaryRequests) / (previous * canaryRequests + baselineRequests);
      const variance = n * p * (1 - p);
      const estimateVariance = 1 / earlierCanary + 1 / earlierBaseline;
      this.residualExcess += (canaryEvents - n * p) ** 2 / variance - 1 - variance * estimateVariance;
      this.residualSize += n - 1;
      this.residualPeriods += 1;
    }
    this.mhNumerator += (canaryEvents * baselineRequests) / all;
    this.mhDenominator += (baselineEvents * canaryRequests) / all;
    return true;
  }

  /** Beta-binomial ρ̂ from earlier periods, shrunk towards the prior; `size` is the coming period's n. */
  dispersion(size?: number): number {
    const typical =
      this.residualPeriods > 0
        ? Math.max(1, this.residualSize / this.residualPeriods)
        : Math.max(1, (size ?? 1) - 1);
    const priorSize = this.priorPeriods * typical;
    const estimate = Math.max(
      0,
      (this.residualExcess + priorSize * this.priorDispersion) / (this.residualSize + priorSize),
    );
    // An estimate from few periods is as likely to be too low as too high, and too low costs validity:
    // inflate it by about one standard error of a χ² average over the periods seen (plus the prior).
    return estimate * (1 + this.inflation / Math.sqrt(this.residualPeriods + this.priorPeriods));
  }

  /** Mantel–Haenszel rate ratio θ̂, or null before any event. */
  ratio(): number | null {
    if (this.mhNumerator === 0 && this.mhDenominator === 0) return null;
    if (this.mhDenominator === 0) return Infinity;
    return this.mhNumerator / this.mhDenominator;
  }

  /** log of the mixture evidence that θ > exp(logBoundary). */
  logEvidenceAbove(logBoundary: number): number {
    if (logBoundary === -Infinity) return Infinity;
    const index = Math.max(0, Math.ceil((logBoundary - this.origin) / this.step - 1e-9));
    return this.mix(index, 1);
  }

  /** log of the mixture evidence that θ < exp(logBoundary). */
  logEvidenceBelow(logBoundary: number): number {
    if (logBoundary === Infinity) return Infinity;
    const index = Math.min(this.grid.length - 1, Math.floor((logBoundary - this.origin) / this.step + 1e-9));
    return this.mix(index, -1);
  }

  /**
   * Confidence sequence for log θ: every grid value not rejected at the given levels. Ends are ±Infinity
   * while the data cannot exclude the grid's edge.
   */
  interval(alphaLow: number, alphaHigh: number): [number, number] {
    const top = this.argmax();
    const low = this.firstRejected(top, -1, 1, -Math.log(alphaLow));
    const high = this.firstRejected(top, 1, -1, -Math.log(alphaHigh));
    return [
      low === null ? -Infinity : (this.grid[low] as number),
      high === null ? Infinity : (this.grid[high] as number),
    ];
  }

  /**
   * Walks from the estimate in direction `walk` to the first grid point whose mixture (towards `sign`)
   * reaches the threshold: in strides of 8, then back one step at a time within the last stride.
   */
  private firstRejected(from: number, walk: 1 | -1, sign: 1 | -1, threshold: number): number | null {
    const stride = 8;
    let previous = from;
    for (let i = from; i >= 0 && i < this.grid.length; i += walk * stride) {
      if (this.mix(i, sign) >= threshold) {
        for (let j = previous; j !== i; j += walk) if (this.mix(j, sign) >= threshold) return j;
        return i;
      }
      previous = i;
    }
    const edge = walk === 1 ? this.grid.length - 1 : 0;
    for (let j = previous; j !== edge + walk; j += walk) if (this.mix(j, sign) >= threshold) return j;
    return null;
  }

  statistics(): Record<string, number | null> {
    return {
      ...this.totals,
      ratio: this.ratio(),
      dispersion: this.dispersion(),
      lastTemper: this.lastTemper,
    };
  }

  private mix(index: number, sign: 1 | -1): number {
    if (index < 0 || index >= this.grid.length) return -Infinity;
    const base = this.logLik[index] as number;
    const terms: number[] = [];
    for (const c of this.mixture) {
      const j = index + sign * c.offset;
      if (j < 0 || j >= this.grid.length) break;
      terms.push(c.logWeight + (this.logLik[j] as number) - base);
    }
    return logSumExp(terms);
  }

  private argmax(): number {
    let best = 0;
    for (let i = 1; i < this.grid.length; i++) {
      if ((this.logLik[i] as number) > (this.logLik[best] as number)) best = i;
    }
    return best;
  }
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
