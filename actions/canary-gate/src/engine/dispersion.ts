/*
 * Overdispersion of per-period event counts. Real per-minute error rates wobble more than a binomial
 * allows, which makes a plain binomial test far too eager at high counts. The rate test multiplies
 * each period's log-likelihood by 1/φ, φ = 1 + (n − 1)·ρ̂, the beta-binomial variance inflation, with
 * ρ̂ estimated from the Pearson residuals of EARLIER periods only (and a mild prior), each taken
 * against the ratio of the few periods before it (a change of the ratio is not noise). Because 1/φ ≤ 1
 * and is fixed before the period is seen, E[LR^(1/φ)] ≤ E[LR]^(1/φ) ≤ 1: the tempered test stays
 * valid when the binomial model holds, and it is approximately calibrated (quasi-likelihood) when it
 * does not.
 */
export interface DispersionOptions {
  /** Prior beta-binomial intra-period correlation ρ and its weight in periods. */
  priorDispersion: number;
  priorPeriods: number;
  /** Safety factor on ρ̂ for its estimation error, in standard errors. */
  inflation: number;
}

const MIN_EVENTS_FOR_RESIDUALS = 5;

export class DispersionEstimator {
  private excess = 0;
  private size = 0;
  private periods = 0;

  constructor(private readonly options: DispersionOptions) {}

  /**
   * Adds the residual of one period at the ratio estimated from the latest earlier periods (so that it
   * is independent of this period, and follows a change of the ratio within a few periods); the
   * estimate's own error inflates E[z²] by about n·p(1 − p)·Var(log θ̂), which is taken off.
   * Residuals wait until each arm has had 5 events in those periods: before that the estimate is
   * mostly noise.
   */
  addResidual(
    canaryEvents: number,
    n: number,
    canaryRequests: number,
    baselineRequests: number,
    earlier: { ratio: number | null; canaryEvents: number; baselineEvents: number },
  ): void {
    const { ratio, canaryEvents: ec, baselineEvents: eb } = earlier;
    if (n === 0 || ratio === null || !(ec >= MIN_EVENTS_FOR_RESIDUALS && eb >= MIN_EVENTS_FOR_RESIDUALS)) {
      return;
    }
    const p = (ratio * canaryRequests) / (ratio * canaryRequests + baselineRequests);
    const variance = n * p * (1 - p);
    this.excess += (canaryEvents - n * p) ** 2 / variance - 1 - variance * (1 / ec + 1 / eb);
    this.size += n - 1;
    this.periods += 1;
  }

  /** ρ̂ from earlier periods, shrunk towards the prior; `size` is the coming period's n. */
  rho(size?: number): number {
    const { priorDispersion, priorPeriods, inflation } = this.options;
    const typical = this.periods > 0 ? Math.max(1, this.size / this.periods) : Math.max(1, (size ?? 1) - 1);
    const priorSize = priorPeriods * typical;
    const estimate = Math.max(0, (this.excess + priorSize * priorDispersion) / (this.size + priorSize));
    // An estimate from few periods is as likely to be too low as too high, and too low costs validity:
    // inflate it by about one standard error of a χ² average over the periods seen (plus the prior).
    return estimate * (1 + inflation / Math.sqrt(this.periods + priorPeriods));
  }

  /** The multiplier 1/φ of a coming period's log-likelihood that should bring `size` events. */
  temper(size: number): number {
    return 1 / (1 + Math.max(0, size - 1) * this.rho(size));
  }
}
