/*
 * One metric inside the gate: feeds its sequential test, keeps its series for the report, and turns
 * the test's evidence into a status against the tolerance boundaries.
 *
 * An absolute tolerance becomes a ratio boundary through the baseline's level, which is itself
 * estimated. It is shaded so that errors stay on the safe side: the rollback claim uses the boundary
 * computed from the baseline's lower bound (a wider tolerance), at −3 standard errors. A rate's promote
 * claim holds against every base rate the data allow (absolute-within.ts); a level's, and the
 * reported promote boundary, use the baseline's upper bound at +3 standard errors.
 */
import logNormalCdf from '@stdlib/stats-base-dists-normal-logcdf';
import { logEvidenceWithinAbsolute } from './absolute-within.js';
import { LevelTest } from './level-test.js';
import { RateTest } from './rate-test.js';
import { badSides, ratioBoundary, type Side } from './tolerance.js';
import type { ArmValues, MetricPoint, MetricRule, MetricSpec, MetricState, MetricStatus } from './types.js';

const BASELINE_Z = 3;
/** The canary-only test's alternative: a quarter of the absolute tolerance (see canaryBelowAbsolute). */
const ABSOLUTE_ALTERNATIVE = 0.25;
/** The canary-only test's share of the promote claim's e-value (the ratio test has the rest). */
const ABSOLUTE_WEIGHT = 0.2;
const rollbackEnd = 'any-start';
const promoteEnd = 'whole-run';

export interface Alphas {
  /** Level of each rollback claim (one per bad side). */
  rollback: number;
  /** Level of each promote claim. */
  promote: number;
}

export interface TrackerOptions {
  /** Periods the gate may run; sets the weights of the rate test's restarts. */
  horizon?: number;
}

export interface SideVerdict {
  side: Side;
  rollbackBoundary: number;
  /**
   * The promote claim's boundary at the baseline's upper bound. A rate with an absolute tolerance
   * proves its claim against every base rate instead (absolute-within.ts); this is then what is shown.
   */
  promoteBoundary: number;
  logEvidenceBeyond: number;
  logEvidenceWithin: number;
  /**
   * The critical tolerance's boundary, and the log p-value of "the canary is within it" for one look
   * at a fixed time (promote-if-bounded acts on it once, at max duration).
   */
  criticalBoundary: number | null;
  logPValueWithinCritical: number;
}

export interface MetricEvaluation {
  state: MetricState;
  sides: SideVerdict[];
}

export class MetricTracker {
  readonly series: MetricPoint[] = [];
  private readonly rate: RateTest | null;
  private readonly level: LevelTest | null;
  private skipped = 0;
  private usedCanaryRequests = 0;
  private usedBaselineRequests = 0;

  constructor(
    readonly spec: MetricSpec,
    options: TrackerOptions = {},
  ) {
    const relative = spec.tolerance.relative;
    const anchor =
      relative === undefined
        ? 0
        : Math.log(spec.direction === 'decrease' ? Math.max(1e-6, 1 - relative) : 1 + relative);
    this.rate =
      spec.kind === 'rate'
        ? new RateTest(options.horizon === undefined ? { anchor } : { anchor, horizon: options.horizon })
        : null;
    this.level = spec.kind === 'level' ? new LevelTest() : null;
  }

  /** Skipped periods (gaps or unusable values) so far. */
  get gaps(): number {
    return this.skipped;
  }

  /** One period of the baseline alone before the canary started: noise to learn, not evidence. */
  observeLookback(baselineRequests: number, baselineValue: number | undefined): void {
    const value = usable(baselineValue);
    if (value === null || !(baselineRequests > 0)) return;
    if (this.rate) this.rate.addLookback(value, baselineRequests);
    else (this.level as LevelTest).addLookback(value, baselineRequests);
  }

  observe(
    periodStart: number,
    canaryRequests: number,
    baselineRequests: number,
    values: ArmValues | undefined,
  ): void {
    const canary = usable(values?.canary);
    const baseline = usable(values?.baseline);
    this.series.push({ periodStart, canary, baseline, canaryRequests, baselineRequests });
    if (canary === null || baseline === null) {
      this.skipped += 1;
      return;
    }
    const used = this.rate
      ? this.rate.add(canary, canaryRequests, baseline, baselineRequests)
      : (this.level as LevelTest).add(canary, baseline, canaryRequests, baselineRequests);
    if (!used) {
      this.skipped += 1;
      return;
    }
    this.usedCanaryRequests += canaryRequests;
    this.usedBaselineRequests += baselineRequests;
  }

  evaluate(alphas: Alphas): MetricEvaluation {
    const sides = badSides(this.spec.direction).map((side) => this.verdict(side));
    const beyond = sides.find((s) => s.logEvidenceBeyond >= -Math.log(alphas.rollback));
    const within = sides.every((s) => s.logEvidenceWithin >= -Math.log(alphas.promote));
    const bounded =
      this.spec.criticalTolerance === undefined
        ? null
        : sides.every((s) => s.logPValueWithinCritical <= Math.log(alphas.promote));
    let status: MetricStatus = 'undecided';
    let rule: MetricRule = this.enoughData() ? 'undecided' : 'not-enough-data';
    if (beyond) {
      status = 'regression';
      rule = beyond.side === 'upper' ? 'above-tolerance' : 'below-tolerance';
    } else if (within) {
      status = 'healthy';
      rule = 'within-tolerance';
    }
    return { state: { ...this.describe(alphas), status, rule, bounded }, sides };
  }

  statistics(): Record<string, number | null> {
    const own = this.rate ? this.rate.statistics() : (this.level as LevelTest).statistics();
    return { ...own, gaps: this.skipped };
  }

  private enoughData(): boolean {
    if (this.rate) return this.rate.totals.canaryEvents + this.rate.totals.baselineEvents > 0;
    return (this.level as LevelTest).periods >= 2;
  }

  private verdict(side: Side): SideVerdict {
    const [low, high] = this.baselineBounds();
    const rollbackBoundary = Math.log(ratioBoundary(this.spec.tolerance, side, low));
    const promoteBoundary = Math.log(ratioBoundary(this.spec.tolerance, side, high));
    const critical = this.spec.criticalTolerance;
    const criticalBoundary = critical === undefined ? null : Math.log(ratioBoundary(critical, side, high));
    const withinCritical =
      criticalBoundary === null ? 0 : this.fixedTimeLogPValue(side, criticalBoundary, critical?.absolute);
    return {
      side,
      rollbackBoundary,
      promoteBoundary,
      logEvidenceBeyond: this.logEvidenceBeyond(side, rollbackBoundary),
      logEvidenceWithin: this.logEvidenceWithin(side, promoteBoundary, this.spec.tolerance.absolute),
      criticalBoundary,
      logPValueWithinCritical: withinCritical,
    };
  }

  /**
   * One look at a fixed time, so no anytime price: the whole run's likelihood ratio (rates; Wilks)
   * or the t-test (levels) against the boundary. A rate's "within" is also shown by the canary's own
   * rate below the absolute part (no events to split between the arms): the two p-values are
   * combined by Bonferroni.
   */
  private fixedTimeLogPValue(side: Side, boundary: number, absolute: number | undefined): number {
    if (this.rate) {
      const drop = this.rate.logLikelihoodDrop(boundary, side === 'upper' ? 1 : -1);
      const ratio = drop > 0 ? logNormalCdf(-Math.sqrt(2 * drop), 0, 1) : 0;
      if (side === 'lower') return ratio;
      return Math.min(0, Math.LN2 + Math.min(ratio, this.canaryBelowAbsoluteLogPValue(absolute)));
    }
    return (this.level as LevelTest).fixedTimeLogPValue(boundary, side === 'upper' ? 'below' : 'above');
  }

  /**
   * log p of "the canary's rate is ≥ r0" from its own events and requests, one look: the signed
   * root of the Poisson likelihood ratio, tempered by the rate test's dispersion as elsewhere.
   */
  private canaryBelowAbsoluteLogPValue(r0: number | undefined): number {
    if (this.rate === null || r0 === undefined || !(r0 > 0)) return 0;
    const t = this.rate.totals;
    const expected = t.canaryRequests * r0;
    if (!(expected > 0) || t.canaryEvents >= expected) return 0;
    const x = t.canaryEvents;
    const logRatio = (x > 0 ? x * Math.log(x / expected) : 0) - x + expected;
    const inflation = this.countInflation(x);
    return logNormalCdf(-Math.sqrt((2 * logRatio) / inflation), 0, 1);
  }

  /** Evidence that the canary has been beyond the boundary since some period (a rollback claim). */
  private logEvidenceBeyond(side: Side, boundary: number): number {
    if (this.rate) {
      // Rollback claims may rest on a change since some later period; promote claims on the whole run.
      return side === 'upper'
        ? this.rate.logEvidenceAbove(boundary, rollbackEnd)
        : this.rate.logEvidenceBelow(boundary, rollbackEnd);
    }
    const evidence = (this.level as LevelTest).signedLogEvidence(boundary);
    return side === 'upper' ? evidence.above : evidence.below;
  }

  /**
   * Evidence that the canary has been within the boundary all along (a promote claim); `absolute` is
   * the absolute part of the tolerance the boundary comes from, for the canary-only test.
   */
  private logEvidenceWithin(side: Side, boundary: number, absolute: number | undefined): number {
    if (this.rate) {
      if (side === 'lower') return this.rate.logEvidenceAbove(boundary, promoteEnd);
      // Two tests of one claim: their e-values averaged stay one test at the same level (taking the
      // larger would double the false-promotion rate). Weighted towards the ratio test, which decides
      // most canaries: it pays ln(1/0.8), the canary-only one ln 5.
      // With an absolute part, the ratio claim holds against every base rate the data allow
      // (absolute-within.ts), not at the boundary of the baseline's upper bound.
      const ratioClaim =
        logEvidenceWithinAbsolute({
          rate: this.rate,
          tolerance: this.spec.tolerance,
          inflation: (events) => this.countInflation(events),
          scope: promoteEnd,
        }) ?? this.rate.logEvidenceBelow(boundary, promoteEnd);
      return logWeightedMeanExp(ratioClaim, this.canaryBelowAbsolute(absolute), ABSOLUTE_WEIGHT);
    }
    const evidence = (this.level as LevelTest).signedLogEvidence(boundary);
    return side === 'upper' ? evidence.below : evidence.above;
  }

  /**
   * Evidence that the canary's own rate is below the absolute tolerance, which puts it within
   * "baseline + absolute" whatever the baseline's rate. The ratio test cannot see this when neither
   * arm has events (a healthy service with no 5xx at all): the split of zero events says nothing
   * about a ratio, while thousands of canary requests without one do bound the canary's rate.
   * A one-sided sequential probability ratio of rate r0 (the tolerance) against r0/4, for the
   * canary's events over its requests: a supermartingale under every rate ≥ r0, so by Ville's
   * inequality the promote claim keeps its level however often the gate looks. Overdispersed
   * counts scale it down (quasi-likelihood) by the rate test's estimated inflation.
   */
  private canaryBelowAbsolute(r0: number | undefined): number {
    if (this.rate === null || r0 === undefined || !(r0 > 0) || this.spec.direction === 'decrease')
      return -Infinity;
    const t = this.rate.totals;
    if (t.canaryRequests === 0) return -Infinity;
    const r1 = r0 * ABSOLUTE_ALTERNATIVE;
    const logLikelihood = t.canaryEvents * Math.log(r1 / r0) + (r0 - r1) * t.canaryRequests;
    // Quasi-likelihood, as the baseline's bounds: the rate test's dispersion scales the evidence
    // once the canary has more than one event a period. Not covered: errors in bursts rarer than
    // the decision (quiet periods carry full weight); min-duration and the watch after promotion
    // are the guard (see README, Tolerance).
    const inflation = this.countInflation(t.canaryEvents);
    return logLikelihood / inflation;
  }

  /**
   * The quasi-likelihood variance inflation of one arm's event total, by the rate test's dispersion:
   * 1 + ρ̂·(events a period − 1), so an arm with at most one event a period counts in full.
   */
  private countInflation(events: number): number {
    const rate = this.rate as RateTest;
    return 1 + rate.dispersion() * Math.max(0, events / Math.max(1, rate.totals.periods) - 1);
  }

  /** Lower and upper bound of the baseline's level, for absolute tolerances. */
  private baselineBounds(): [number, number] {
    if (this.spec.tolerance.absolute === undefined) return [1, 1];
    if (this.rate) {
      const t = this.rate.totals;
      if (t.baselineRequests === 0) return [0, Infinity];
      const inflation = this.countInflation(t.baselineEvents);
      const spread = BASELINE_Z * Math.sqrt(inflation / (t.baselineEvents + 0.5));
      const low = t.baselineEvents === 0 ? 0 : (t.baselineEvents / t.baselineRequests) * Math.exp(-spread);
      return [low, ((t.baselineEvents + 0.5) / t.baselineRequests) * Math.exp(spread)];
    }
    return (this.level as LevelTest).baselineBounds(BASELINE_Z) ?? [0, Infinity];
  }

  private describe(alphas: Alphas): Omit<MetricState, 'status' | 'rule' | 'bounded'> {
    const { name, kind, critical } = this.spec;
    if (this.rate) {
      const t = this.rate.totals;
      const ratio = this.rate.ratio();
      // Each end of the interval is the claim it stands for: a bad side's end is a rollback claim.
      const sides = badSides(this.spec.direction);
      const lowEnd = sides.includes('upper') ? rollbackEnd : promoteEnd;
      const highEnd = sides.includes('lower') ? rollbackEnd : promoteEnd;
      const [low, high] = this.rate.interval(
        lowEnd === rollbackEnd ? alphas.rollback : alphas.promote,
        highEnd === rollbackEnd ? alphas.rollback : alphas.promote,
        lowEnd,
        highEnd,
      );
      return {
        name,
        kind,
        critical,
        baselineValue: t.baselineRequests > 0 ? t.baselineEvents / t.baselineRequests : null,
        canaryValue: t.canaryRequests > 0 ? t.canaryEvents / t.canaryRequests : null,
        effect: ratio === null ? null : ratio - 1,
        interval: ratio === null ? null : [Math.exp(low) - 1, Math.exp(high) - 1],
        samples: {
          periods: t.periods,
          canaryRequests: t.canaryRequests,
          baselineRequests: t.baselineRequests,
        },
      };
    }
    const level = this.level as LevelTest;
    const mean = level.meanLogRatio();
    const interval = level.interval(alphas.rollback);
    return {
      name,
      kind,
      critical,
      baselineValue: level.baselineMean(),
      canaryValue: level.canaryMean(),
      effect: mean === null ? null : Math.exp(mean) - 1,
      interval: interval === null ? null : [Math.exp(interval[0]) - 1, Math.exp(interval[1]) - 1],
      samples: {
        periods: level.periods,
        canaryRequests: this.usedCanaryRequests,
        baselineRequests: this.usedBaselineRequests,
      },
    };
  }
}

/** log((1 − w)·e^a + w·e^b), exact for infinite arguments. */
export function logWeightedMeanExp(a: number, b: number, w: number): number {
  const high = Math.max(a, b);
  if (high === -Infinity) return -Infinity;
  if (high === Infinity) return Infinity;
  return high + Math.log((1 - w) * Math.exp(a - high) + w * Math.exp(b - high));
}

function usable(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : null;
}
