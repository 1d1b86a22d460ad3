/*
 * Anytime-valid comparison of an event rate (5xx / requests) between canary and baseline.
 *
 * Per period, condition on the total events n of both arms: canary events ~ Binomial(n, p) with
 * p = θ·Nc / (θ·Nc + Nb), θ = canary rate / baseline rate. Anything that multiplies both arms' rates in
 * the same minute (a shared incident, the daily traffic swing) cancels out of p.
 *
 * The log-likelihood of every θ on a fixed grid of log θ is accumulated period by period (O(grid) per
 * period, no re-scan). To claim θ > θ* the test mixes the likelihood ratios of grid points above θ*
 * against θ* (weights in mixture.ts); the binomial family has a monotone likelihood ratio, so that
 * mixture is a non-negative supermartingale whenever every period's θ is ≤ θ*, and by Ville's
 * inequality it exceeds 1/α with probability at most α however often it is looked at. The claim
 * θ < θ* is the mirror image. Each period's log-likelihood is tempered for overdispersion
 * (dispersion.ts).
 *
 * Two scopes of evidence: 'whole-run' accumulates from the first period (the promote claim: the
 * canary has been within tolerance all along), 'any-start' also mixes in copies restarted later
 * (change-points.ts; the rollback claim: the canary has been beyond tolerance since some period).
 */
import { RESTART_DEFAULTS, restartSchedule, type Restart } from './change-points.js';
import { DispersionEstimator, lookbackRateWobble } from './dispersion.js';
import {
  halfNormalMixture,
  logNormalMixture,
  logSumExp,
  twoLogNormalMixture,
  type MixtureComponent,
} from './mixture.js';

export type EvidenceScope = 'whole-run' | 'any-start';

export interface RateTestOptions {
  /** A log ratio that should be exactly on the grid (the relative tolerance boundary). */
  anchor: number;
  /** Grid step in log ratio. */
  step?: number;
  /** Grid extent below and above the anchor, in log ratio. */
  below?: number;
  above?: number;
  /** Mixture over effects beyond a boundary; default: log-normal (median, sigma below). */
  mixture?: MixtureComponent[];
  mixtureMedian?: number;
  mixtureSigma?: number;
  /** Share, median and sigma of a second log-normal component on large effects (0: none). */
  tailWeight?: number;
  tailMedian?: number;
  tailSigma?: number;
  /** Mixture for whole-run claims (promotion); default: half-normal with this scale. */
  promoteMixture?: MixtureComponent[];
  promoteMixtureScale?: number;
  /** Prior beta-binomial intra-period correlation ρ and its weight in periods. */
  priorDispersion?: number;
  priorPeriods?: number;
  /** Safety factor on ρ̂ for its estimation error, in standard errors. */
  inflation?: number;
  /** Periods with events whose ratio the dispersion residuals are taken against. */
  residualWindow?: number;
  /** Periods the test may run (sets the restart weights), restart spacing, weight of the first copy. */
  horizon?: number;
  restartEvery?: number;
  firstWeight?: number;
  /** Restart k gets a share of the restarts' weight proportional to k^(−decay). */
  restartDecay?: number;
}

export const RATE_TEST_DEFAULTS = {
  step: 0.025,
  below: 5,
  above: 6,
  // Rollback claims mix log-normally over the log-ratio δ beyond the boundary, median 0.6, σ 0.4:
  // 90% of the mass on δ between 0.31 and 1.16 (×1.4 to ×3.2 beyond it, ×1.6 to ×3.8 of the
  // baseline at a 20% tolerance), where regressions are worth a test; larger effects still win by
  // far. Measured on the bench's ×2 errors: +3 points of detection against a half-normal (scale
  // 0.6); a point mass at the true ×2, the unreachable ideal, would give about +4.
  mixtureMedian: 0.6,
  mixtureSigma: 0.4,
  // Plus 10% of the mass on a second log-normal, median 1.5 (×4.5 beyond the boundary, ×5.4 of the
  // baseline), σ 0.5: large regressions otherwise pay for the main component's thin tail. Bench:
  // errors ×5 rolled back in a median 4 minutes instead of 5, errors ×2 −0.3 points.
  tailWeight: 0.1,
  tailMedian: 1.5,
  tailSigma: 0.5,
  // Promote claims keep the wide half-normal: a healthy canary sits close below the boundary (×1
  // against ×1.2 is δ = 0.18), and a narrow mixture there promotes regressions that start late.
  promoteMixtureScale: 0.6,
  // Before any residual is seen, ρ = 0.02 (about a ±20% per-arm wobble of a minute's rate at a 20%
  // canary share); ρ̂ then takes over within a few periods. Inflation by half a standard error (was
  // 1.4): at the tolerance boundary the bench's false claims stay at 0.2% of runs (budget 0.8%). A
  // prior of 0.01 decided errors ×5 a minute sooner but let the rollback mixture's false claims reach
  // 4.2–5.7% at α = 5% under a ±25% lognormal wobble (rate-test.test.ts); 0.02 keeps them at 2.8–4.4%.
  priorDispersion: 0.02,
  priorPeriods: 3,
  inflation: 0.5,
  // Residuals against the ratio of the last 3 periods with events, not of all earlier periods: after a
  // regression starts, every period is far from the all-periods ratio, ρ̂ grew with each of them and
  // tempered the very evidence of the change away. Bench (1,000 runs): errors ×3 from minute 10
  // detected in 61.5% of runs instead of 52.7%, errors ×2 45.9% instead of 45.7%. False claims at the
  // boundary (α = 5%, 1,000 runs) as before: 3.0% / 7.3% under a ±25% / ±40% per-arm wobble, against
  // 3.0% / 7.5% (over α at ±40% either way: README, "Known limit"). A 1-period window estimates the
  // ratio too noisily for the correction in dispersion.ts: 3.4% / 9.5%.
  residualWindow: 3,
  horizon: 30,
  restartEvery: RESTART_DEFAULTS.every,
  firstWeight: RESTART_DEFAULTS.firstWeight,
  restartDecay: RESTART_DEFAULTS.decay,
};

export interface RateTotals {
  periods: number;
  canaryEvents: number;
  canaryRequests: number;
  baselineEvents: number;
  baselineRequests: number;
}

interface PeriodCounts {
  canaryEvents: number;
  canaryRequests: number;
  baselineEvents: number;
  baselineRequests: number;
}

interface MantelHaenszelSums {
  numerator: number;
  denominator: number;
}

function addToMantelHaenszel(sums: MantelHaenszelSums, p: PeriodCounts): void {
  const all = p.canaryRequests + p.baselineRequests;
  sums.numerator += (p.canaryEvents * p.baselineRequests) / all;
  sums.denominator += (p.baselineEvents * p.canaryRequests) / all;
}

/** Mantel–Haenszel rate ratio canary/baseline, or null before any event. */
function mantelHaenszelRatio(sums: MantelHaenszelSums): number | null {
  if (sums.numerator === 0 && sums.denominator === 0) return null;
  if (sums.denominator === 0) return Infinity;
  return sums.numerator / sums.denominator;
}

/** Ratio and event counts of some periods, as `DispersionEstimator.addResidual` takes them. */
function recentRatio(periods: PeriodCounts[]): {
  ratio: number | null;
  canaryEvents: number;
  baselineEvents: number;
} {
  const sums = { numerator: 0, denominator: 0 };
  let canaryEvents = 0;
  let baselineEvents = 0;
  for (const p of periods) {
    addToMantelHaenszel(sums, p);
    canaryEvents += p.canaryEvents;
    baselineEvents += p.baselineEvents;
  }
  return { ratio: mantelHaenszelRatio(sums), canaryEvents, baselineEvents };
}

interface Copy extends Restart {
  logLik: Float64Array;
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
  private readonly mixture: MixtureComponent[];
  private readonly promoteMixture: MixtureComponent[];
  private readonly dispersionEstimator: DispersionEstimator;
  private readonly origin: number;
  private readonly step: number;
  private readonly pending: Restart[];
  private readonly copies: Copy[] = [];
  private readonly mantelHaenszel: MantelHaenszelSums = { numerator: 0, denominator: 0 };
  private lastTemper = 1;
  private readonly residualWindow: number;
  /** The latest periods with events, for the ratio that dispersion residuals are taken against. */
  private readonly recent: PeriodCounts[] = [];
  private readonly scratch: Float64Array;
  /** The baseline's periods before the canary started (lookback). */
  private readonly lookback: { events: number; requests: number }[] = [];

  constructor(options: RateTestOptions) {
    const o = { ...RATE_TEST_DEFAULTS, ...options };
    const lowSteps = Math.ceil(o.below / o.step);
    const size = lowSteps + Math.ceil(o.above / o.step) + 1;
    this.step = o.step;
    this.origin = o.anchor - lowSteps * o.step;
    this.grid = Float64Array.from({ length: size }, (_, i) => this.origin + i * o.step);
    this.scratch = new Float64Array(size);
    this.mixture =
      o.mixture ??
      (o.tailWeight > 0
        ? twoLogNormalMixture(
            o.step,
            { median: o.mixtureMedian, sigma: o.mixtureSigma },
            { median: o.tailMedian, sigma: o.tailSigma, weight: o.tailWeight },
          )
        : logNormalMixture(o.step, o.mixtureMedian, o.mixtureSigma));
    this.promoteMixture = o.promoteMixture ?? halfNormalMixture(o.step, o.promoteMixtureScale);
    this.dispersionEstimator = new DispersionEstimator(o);
    this.residualWindow = Math.max(1, Math.round(o.residualWindow));
    this.pending = restartSchedule(o.horizon, o.restartEvery, o.firstWeight, o.restartDecay);
    this.startDueCopies();
  }

  /** One period of the baseline alone before the canary started: its wobble is the dispersion prior. */
  addLookback(events: number, requests: number): void {
    if (this.totals.periods > 0 || !(requests > 0)) return;
    this.lookback.push({ events, requests });
    this.dispersionEstimator.setLookbackWobble(lookbackRateWobble(this.lookback));
  }

  /** Adds one period; returns false when the period carries no comparison (an arm had no requests). */
  add(
    canaryEvents: number,
    canaryRequests: number,
    baselineEvents: number,
    baselineRequests: number,
  ): boolean {
    if (!(canaryRequests > 0 && baselineRequests > 0)) return false;
    this.startDueCopies();
    const t = this.totals;
    const earlier = {
      events: t.canaryEvents + t.baselineEvents,
      requests: t.canaryRequests + t.baselineRequests,
    };
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
    const size = earlier.requests > 0 ? (all * (earlier.events + 0.5)) / (earlier.requests + 1) : n;
    // The canary's expected share of the events at the earlier periods' ratio (1 before any).
    const earlierRatio = this.ratio();
    const weight =
      earlierRatio !== null && Number.isFinite(earlierRatio) && earlierRatio > 0 ? earlierRatio : 1;
    const share = (weight * canaryRequests) / (weight * canaryRequests + baselineRequests);
    const temper = this.dispersionEstimator.temper(size, share);
    this.lastTemper = temper;
    const logShare = Math.log(canaryRequests / baselineRequests);
    const terms = this.scratch;
    for (let i = 0; i < this.grid.length; i++) {
      const eta = (this.grid[i] as number) + logShare;
      // X·log p + (n − X)·log(1 − p) with logit p = η
      terms[i] = temper * (canaryEvents * eta - n * softplus(eta));
    }
    for (let c = 0; c < this.copies.length; c++) {
      const logLik = (this.copies[c] as Copy).logLik;
      for (let i = 0; i < logLik.length; i++) logLik[i] = (logLik[i] as number) + (terms[i] as number);
    }
    this.dispersionEstimator.addResidual(
      canaryEvents,
      n,
      canaryRequests,
      baselineRequests,
      recentRatio(this.recent),
    );
    const counts = { canaryEvents, canaryRequests, baselineEvents, baselineRequests };
    this.recent.push(counts);
    if (this.recent.length > this.residualWindow) this.recent.shift();
    addToMantelHaenszel(this.mantelHaenszel, counts);
    return true;
  }

  /** Beta-binomial ρ̂ from earlier periods (inflated for its own error). */
  dispersion(size?: number): number {
    return this.dispersionEstimator.rho(size);
  }

  /** Mantel–Haenszel rate ratio θ̂, or null before any event. */
  ratio(): number | null {
    return mantelHaenszelRatio(this.mantelHaenszel);
  }

  /**
   * For one look at a fixed time (promote-if-bounded at max duration): how far the whole run's
   * tempered log-likelihood at the boundary lies below its maximum on the side away from it, 0 when
   * the estimate is on the boundary's side. `sign` 1 tests θ < boundary (the upper side), −1 θ >
   * boundary. The boundary is rounded to the grid point on the estimate's side (a smaller drop).
   * By Wilks, 2·drop is χ²₁ at the boundary: one-sided, drop ≥ z²/2 rejects at Φ(−z).
   */
  logLikelihoodDrop(logBoundary: number, sign: 1 | -1): number {
    if (!Number.isFinite(logBoundary)) return (sign === 1) === (logBoundary === Infinity) ? Infinity : 0;
    const logLik = (this.copies[0] as Copy).logLik;
    const position = (logBoundary - this.origin) / this.step;
    const index =
      sign === 1
        ? Math.min(this.grid.length - 1, Math.max(0, Math.floor(position + 1e-9)))
        : Math.max(0, Math.min(this.grid.length - 1, Math.ceil(position - 1e-9)));
    const top = this.argmax();
    if (sign === 1 ? top >= index : top <= index) return 0;
    return (logLik[top] as number) - (logLik[index] as number);
  }

  /** log of the mixture evidence that θ > exp(logBoundary). */
  logEvidenceAbove(logBoundary: number, scope: EvidenceScope = 'whole-run'): number {
    if (logBoundary === -Infinity) return Infinity;
    const index = Math.max(0, Math.ceil((logBoundary - this.origin) / this.step - 1e-9));
    return this.evidence(index, 1, scope);
  }

  /** log of the mixture evidence that θ < exp(logBoundary). */
  logEvidenceBelow(logBoundary: number, scope: EvidenceScope = 'whole-run'): number {
    if (logBoundary === Infinity) return Infinity;
    const index = Math.min(this.grid.length - 1, Math.floor((logBoundary - this.origin) / this.step + 1e-9));
    return this.evidence(index, -1, scope);
  }

  /**
   * Confidence sequence for log θ: every grid value not rejected at the given levels, each end with the
   * scope of the claim it stands for. Ends are ±Infinity while the data cannot exclude the grid's edge.
   */
  interval(
    alphaLow: number,
    alphaHigh: number,
    scopeLow: EvidenceScope = 'whole-run',
    scopeHigh: EvidenceScope = 'whole-run',
  ): [number, number] {
    const top = this.argmax();
    const low = this.firstRejected(top, -1, 1, -Math.log(alphaLow), scopeLow);
    const high = this.firstRejected(top, 1, -1, -Math.log(alphaHigh), scopeHigh);
    return [
      low === null ? -Infinity : (this.grid[low] as number),
      high === null ? Infinity : (this.grid[high] as number),
    ];
  }

  statistics(): Record<string, number | null> {
    return {
      ...this.totals,
      ratio: this.ratio(),
      dispersion: this.dispersion(),
      lastTemper: this.lastTemper,
      restarts: this.copies.length - 1,
    };
  }

  /** Opens the copies whose start is the coming period. */
  private startDueCopies(): void {
    while (this.pending.length > 0 && (this.pending[0] as Restart).start <= this.totals.periods) {
      const restart = this.pending.shift() as Restart;
      this.copies.push({ ...restart, logLik: new Float64Array(this.grid.length) });
    }
  }

  /**
   * The first grid point from the estimate in direction `walk` whose mixture (towards `sign`) reaches
   * the threshold, by bisection. Exact because the evidence is monotone along the walk: every copy's
   * log-likelihood is a sum of tempered binomial log-likelihoods, concave in log θ, so each term
   * L(i + k) − L(i) of a mixture grows as the tested point i moves away from the data.
   */
  private firstRejected(
    from: number,
    walk: 1 | -1,
    sign: 1 | -1,
    threshold: number,
    scope: EvidenceScope,
  ): number | null {
    const rejects = (j: number): boolean => this.evidence(j, sign, scope) >= threshold;
    if (rejects(from)) return from;
    const edge = walk === 1 ? this.grid.length - 1 : 0;
    if (!rejects(edge)) return null;
    let inside = from;
    let outside = edge;
    while (Math.abs(outside - inside) > 1) {
      const mid = Math.trunc((inside + outside) / 2);
      if (rejects(mid)) outside = mid;
      else inside = mid;
    }
    return outside;
  }

  private evidence(index: number, sign: 1 | -1, scope: EvidenceScope): number {
    const whole = this.copies[0] as Copy;
    if (scope === 'whole-run') return this.mix(whole.logLik, index, sign, this.promoteMixture);
    // Copies not started yet are worth their weight times 1.
    const terms = this.copies.map((c) => c.logWeight + this.mix(c.logLik, index, sign));
    for (const p of this.pending) terms.push(p.logWeight);
    return logSumExp(terms);
  }

  private mix(
    logLik: Float64Array,
    index: number,
    sign: 1 | -1,
    mixture: MixtureComponent[] = this.mixture,
  ): number {
    if (index < 0 || index >= this.grid.length) return -Infinity;
    const base = logLik[index] as number;
    // log Σ exp(terms) in two passes over the components, without allocating (this is the hot loop).
    let max = -Infinity;
    let count = 0;
    for (const c of mixture) {
      const j = index + sign * c.offset;
      if (j < 0 || j >= this.grid.length) break;
      const t = c.logWeight + (logLik[j] as number) - base;
      if (t > max) max = t;
      count += 1;
    }
    if (max === -Infinity) return -Infinity;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const c = mixture[k] as MixtureComponent;
      sum += Math.exp(c.logWeight + (logLik[index + sign * c.offset] as number) - base - max);
    }
    return max + Math.log(sum);
  }

  private argmax(): number {
    const logLik = (this.copies[0] as Copy).logLik;
    let best = 0;
    for (let i = 1; i < this.grid.length; i++) {
      if ((logLik[i] as number) > (logLik[best] as number)) best = i;
    }
    return best;
  }
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
