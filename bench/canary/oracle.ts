/*
 * The oracle: Wald's SPRT per metric with everything known — the true canary/baseline ratio of each
 * minute, the true overdispersion and the true latency noise. Each metric tests, minute by minute, the
 * true ratio against the nearest value on the other side of its tolerance ratio (by default 1.2 for
 * both, the 20% tolerance: healthy truth vs 1.2, regressed truth vs 1.2; a truth exactly at 1.2 tests
 * 1.0 vs 1.44). A tolerance with an absolute part is a ratio per run, which the oracle knows exactly
 * from the true base level (toleranceRatios). In a run that regresses late,
 * the minutes before the change are the same under both hypotheses and add nothing. Error rates
 * α = β = 0.01 per metric, no split over metrics. Rollback when any metric accepts its regression
 * hypothesis, promote once every metric has accepted its healthy one; inconclusive at 30 minutes.
 * Error counts use the same conditional binomial as the gate, tempered by the true dispersion;
 * latency uses the normal law of the per-minute log ratio, each arm's offset of the log of its period
 * value (an average or a p99 of few requests) included.
 *
 * Knowledge can be taken away, one piece at a time, to show what each piece is worth:
 * - `latencyNoise: 'estimated'`: the oracle knows the means but not the latency noise variance, as
 *   any real method must estimate it. For latency it runs the sequential t-type SPRT between the two
 *   known means, each hypothesis's likelihood integrated over σ with the right-Haar prior dσ/σ, i.e.
 *   with S_k = Σ (d − mean_k)² the ratio (S₀/S₁)^(n/2). The first minute only fixes the scale (under
 *   that prior it carries no evidence), so the ratio is the product of the predictive likelihood
 *   ratios of minutes 2, 3, …: (S₀/S₁)^(n/2) / (S₀/S₁ of minute 1)^(1/2).
 * - `start: 'unknown'`: the oracle knows the regressed ratio but not the minute the regression
 *   starts, as no real method can. Its rollback evidence is the average, with equal weights over the
 *   30 possible start minutes, of the SPRTs started at each minute (a copy not started yet counts
 *   1): every copy is a martingale under any healthy truth, so the average is one too and Ville's
 *   inequality keeps the false-rollback rate at α. Equal weights are the minimax choice when the
 *   start may be any minute; the price, against knowing it, is log 30 ≈ 3.4 nats of evidence.
 *   Promotion is judged as by the full oracle.
 */
import { logSumExp, twoLogNormalMixture } from '../../actions/canary-gate/src/engine/mixture.js';
import { RATE_TEST_DEFAULTS } from '../../actions/canary-gate/src/engine/rate-test.js';
import { ratioBoundary } from '../../actions/canary-gate/src/engine/tolerance.js';
import type { Tolerance } from '../../actions/canary-gate/src/engine/types.js';
import { trueLatency } from './latency.js';
import { ERRORS, LATENCY, PERIODS, type PeriodTruth, type Trace } from './traffic.js';
import type { Outcome } from './rules/outcome.js';

/** A truth exactly at the tolerance is tested one step of this ratio either side. */
const BOUNDARY_STEP = 1.2;
const UPPER = Math.log(0.99 / 0.01);
const LOWER = Math.log(0.01 / 0.99);

type Path = (minute: number) => number;

export interface OracleKnowledge {
  latencyNoise: 'known' | 'estimated';
  start: 'known' | 'unknown';
  /**
   * 'unknown': the rollback claim does not know how large the regression is, as the gate does not:
   * it mixes the likelihood ratios of candidate ratios beyond the tolerance against the tolerance
   * itself, with the gate's own mixture weights (rate-test.ts), the noise and the start still known.
   * Promotion is judged as by the full oracle.
   */
  effect: 'known' | 'unknown';
}

const FULL_KNOWLEDGE: OracleKnowledge = { latencyNoise: 'known', start: 'known', effect: 'known' };

/** Candidate log-ratio offsets beyond the tolerance and their log weights: the gate's rollback mixture. */
const EFFECT_MIXTURE = twoLogNormalMixture(
  RATE_TEST_DEFAULTS.step,
  { median: RATE_TEST_DEFAULTS.mixtureMedian, sigma: RATE_TEST_DEFAULTS.mixtureSigma },
  {
    median: RATE_TEST_DEFAULTS.tailMedian,
    sigma: RATE_TEST_DEFAULTS.tailSigma,
    weight: RATE_TEST_DEFAULTS.tailWeight,
  },
).map((c) => ({ delta: c.offset * RATE_TEST_DEFAULTS.step, logWeight: c.logWeight }));

/** The mixture of likelihood ratios over candidate effects, each accumulated minute by minute. */
class UnknownEffectEvidence {
  private readonly sums = EFFECT_MIXTURE.map(() => 0);

  /** `step(candidateRatio)` is one minute's log-likelihood ratio of that candidate against the tolerance. */
  add(tolerance: number, step: (candidate: number) => number | undefined): void {
    EFFECT_MIXTURE.forEach((c, k) => {
      this.sums[k] = (this.sums[k] as number) + (step(tolerance * Math.exp(c.delta)) ?? 0);
    });
  }

  logEvidence(): number {
    return logSumExp(EFFECT_MIXTURE.map((c, k) => c.logWeight + (this.sums[k] as number)));
  }
}

/** The canary/baseline ratio each metric may reach before it counts as a regression. */
export interface ToleranceRatios {
  errors: number;
  latency: number;
}

export const RELATIVE_20: ToleranceRatios = { errors: 1.2, latency: 1.2 };

/**
 * The ratios of tolerances with absolute parts, max(1 + relative, 1 + absolute / base level), at the
 * run's true base 5xx rate and true baseline latency statistic (mean or p99).
 */
export function toleranceRatios(trace: Trace, errors: Tolerance, latency: Tolerance): ToleranceRatios {
  const { baseRate, baseLatency, latencyStatistic } = trace.params;
  return {
    errors: ratioBoundary(errors, 'upper', baseRate),
    latency: ratioBoundary(latency, 'upper', trueLatency(latencyStatistic, baseLatency)),
  };
}

interface Hypotheses {
  good: Path;
  bad: Path;
  /** What each copy of an oracle that does not know the start tests, from its start on: the regressed
   * ratio of a run that regresses (the tolerance for a healthy run) against the nearest null value. */
  copyBad: number;
  copyGood: Path;
}

/** Per minute, the truth against the nearest value on the other side of the tolerance. */
function hypotheses(truth: Path, periods: number, tolerance: number): Hypotheses {
  let atBoundary = true;
  let worst = tolerance;
  for (let m = 0; m < periods; m++) {
    atBoundary &&= Math.abs(truth(m) - tolerance) < 1e-9;
    worst = Math.max(worst, truth(m));
  }
  if (atBoundary) {
    return {
      good: () => tolerance / BOUNDARY_STEP,
      bad: () => tolerance * BOUNDARY_STEP,
      copyBad: tolerance * BOUNDARY_STEP,
      copyGood: () => tolerance,
    };
  }
  if (worst > tolerance) {
    // A regressed run: its healthy minutes (before a late change) are the same under both hypotheses.
    return {
      good: (m) => (truth(m) > tolerance ? tolerance : truth(m)),
      bad: (m) => truth(m),
      copyBad: worst,
      copyGood: () => tolerance,
    };
  }
  return { good: truth, bad: () => tolerance, copyBad: tolerance, copyGood: truth };
}

/** Log-likelihood ratio of one minute's canary error count, `bad` against `good` ratio. */
function errorLogRatio(
  trace: Trace,
  m: number,
  truth: PeriodTruth,
  bad: number,
  good: number,
): number | undefined {
  const period = trace.periods[m];
  const e = period?.values[ERRORS];
  const x = e?.canary;
  const y = e?.baseline;
  if (!period || x === undefined || y === undefined) return undefined;
  if (!(period.canaryRequests > 0 && period.baselineRequests > 0)) return undefined;
  const n = x + y;
  const totalExpected = truth.canaryExpectedErrors + truth.baselineExpectedErrors;
  if (n === 0 || totalExpected === 0) return 0;
  if (bad === good) return 0;
  const r = period.canaryRequests / period.baselineRequests;
  const pTrue = truth.canaryExpectedErrors / totalExpected;
  // Both arms' rate factors wobble: the canary's share of the errors varies by about 2 × their variance.
  const phi = 1 + (n - 1) * pTrue * (1 - pTrue) * (2 * truth.errorFactorVariance);
  const p1 = (bad * r) / (bad * r + 1);
  const p0 = (good * r) / (good * r + 1);
  return (x * Math.log(p1 / p0) + (n - x) * Math.log((1 - p1) / (1 - p0))) / phi;
}

/**
 * The per-minute log ratio of canary to baseline latency, with its mean offset from the log of the
 * true ratio and its variance.
 */
function latencyObservation(
  trace: Trace,
  m: number,
  truth: PeriodTruth,
): { d: number; offset: number; variance: number } | undefined {
  const l = trace.periods[m]?.values[LATENCY];
  if (l?.canary === undefined || l.baseline === undefined) return undefined;
  return {
    d: Math.log(l.canary / l.baseline),
    offset: truth.canaryLatencyOffset - truth.baselineLatencyOffset,
    variance: truth.canaryLatencyVariance + truth.baselineLatencyVariance,
  };
}

function knownNoiseLogRatio(d: number, mean1: number, mean0: number, variance: number): number {
  return ((d - mean0) ** 2 - (d - mean1) ** 2) / (2 * variance);
}

/**
 * Rollback evidence when the start is unknown: copies of the SPRT started at every minute, averaged
 * with weight 1/PERIODS each (copies not started yet are worth their weight).
 */
class UnknownStartEvidence {
  private readonly copies: number[] = [];

  add(minuteLogRatio: number): void {
    this.copies.push(0);
    for (let i = 0; i < this.copies.length; i++) this.copies[i] = (this.copies[i] as number) + minuteLogRatio;
  }

  /** Opens the copy of a minute that carried no observation, so that it still counts. */
  skip(): void {
    this.copies.push(0);
  }

  logEvidence(): number {
    const pending = Math.max(0, PERIODS - this.copies.length);
    const terms = this.copies.map((s) => s - Math.log(PERIODS));
    if (pending > 0) terms.push(Math.log(pending / PERIODS));
    return logSumExp(terms);
  }
}

export function oracleRule(
  trace: Trace,
  knowledge: Partial<OracleKnowledge> = {},
  tolerance: ToleranceRatios = RELATIVE_20,
): Outcome {
  const { latencyNoise, start, effect } = { ...FULL_KNOWLEDGE, ...knowledge };
  const periods = trace.periods.length;
  const errors = hypotheses((m) => trace.truth[m]?.errorRatio ?? 1, periods, tolerance.errors);
  const latency = hypotheses((m) => trace.truth[m]?.latencyRatio ?? 1, periods, tolerance.latency);
  let errorLlr = 0;
  let latencyLlr = 0;
  const errorEffects = new UnknownEffectEvidence();
  const latencyEffects = new UnknownEffectEvidence();
  const errorCopies = new UnknownStartEvidence();
  const latencyCopies = new UnknownStartEvidence();
  const sums = { n: 0, s0: 0, s1: 0, first: 0 };
  let errorsHealthy = false;
  let latencyHealthy = false;
  for (let m = 0; m < periods; m++) {
    const truth = trace.truth[m];
    if (!truth) break;
    const errorStep = errorLogRatio(trace, m, truth, errors.bad(m), errors.good(m));
    if (!errorsHealthy && errorStep !== undefined) errorLlr += errorStep;
    if (start === 'unknown') {
      const step = errorLogRatio(trace, m, truth, errors.copyBad, errors.copyGood(m));
      if (step === undefined) errorCopies.skip();
      else errorCopies.add(step);
    }

    if (effect === 'unknown') {
      errorEffects.add(tolerance.errors, (candidate) =>
        errorLogRatio(trace, m, truth, candidate, tolerance.errors),
      );
    }

    const l = latencyObservation(trace, m, truth);
    if (effect === 'unknown' && l) {
      latencyEffects.add(tolerance.latency, (candidate) =>
        knownNoiseLogRatio(
          l.d,
          Math.log(candidate) + l.offset,
          Math.log(tolerance.latency) + l.offset,
          l.variance,
        ),
      );
    }
    if (!latencyHealthy && l) {
      const mean1 = Math.log(latency.bad(m)) + l.offset;
      const mean0 = Math.log(latency.good(m)) + l.offset;
      if (latencyNoise === 'known') {
        latencyLlr += knownNoiseLogRatio(l.d, mean1, mean0, l.variance);
      } else if (mean1 !== mean0) {
        sums.n += 1;
        sums.s0 += (l.d - mean0) ** 2;
        sums.s1 += (l.d - mean1) ** 2;
        if (sums.n === 1) sums.first = 0.5 * Math.log(sums.s0 / sums.s1);
        latencyLlr = (sums.n / 2) * Math.log(sums.s0 / sums.s1) - sums.first;
      }
    }
    if (start === 'unknown') {
      if (l) {
        latencyCopies.add(
          knownNoiseLogRatio(
            l.d,
            Math.log(latency.copyBad) + l.offset,
            Math.log(latency.copyGood(m)) + l.offset,
            l.variance,
          ),
        );
      } else latencyCopies.skip();
    }

    const rollback =
      effect === 'unknown'
        ? errorEffects.logEvidence() >= UPPER || latencyEffects.logEvidence() >= UPPER
        : start === 'known'
          ? errorLlr >= UPPER || latencyLlr >= UPPER
          : errorCopies.logEvidence() >= UPPER || latencyCopies.logEvidence() >= UPPER;
    if (rollback) return { decision: 'rollback', minutes: m + 1 };
    errorsHealthy ||= errorLlr <= LOWER;
    latencyHealthy ||= latencyLlr <= LOWER;
    if (errorsHealthy && latencyHealthy) return { decision: 'promote', minutes: m + 1 };
  }
  return { decision: 'inconclusive', minutes: periods };
}
