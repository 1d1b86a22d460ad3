/*
 * The oracle: Wald's SPRT per metric with everything known — the true canary/baseline ratio of each
 * minute, the true overdispersion and the true latency noise. Each metric tests, minute by minute, the
 * true ratio against the nearest value on the other side of its tolerance ratio (by default 1.2 for
 * both, the 20% tolerance: healthy truth vs 1.2, regressed truth vs 1.2; a truth exactly at 1.2 tests
 * 1.0 vs 1.44). A tolerance with an absolute part is a ratio per minute, which the oracle knows
 * exactly from that minute's true base level (minuteToleranceRatios). In a run that regresses late,
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
import {
  halfNormalMixture,
  logSumExp,
  twoLogNormalMixture,
} from '../../actions/canary-gate/src/engine/mixture.js';
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
   * 'unknown': neither claim knows how large the effect is, as the gate does not. Rollback mixes
   * the likelihood ratios of candidate ratios beyond the tolerance against the tolerance itself,
   * promotion those of candidates within it, with the gate's own mixture weights (rate-test.ts:
   * the two log-normals beyond, the half-normal within); the start is known. With
   * `latencyNoise: 'estimated'` each latency candidate's ratio is the t-type SPRT, so that the
   * oracle knows what the gate knows of latency: neither the effect nor the noise.
   */
  effect: 'known' | 'unknown';
  /**
   * α of the latency rollback claim (default 0.01, as every other claim). The gate splits its
   * false-rollback-rate over its metrics, 4 : 1 for a rate and a level (gate.ts): 0.002 for
   * latency at 0.01, the level at which an oracle with the gate's budget compares.
   */
  latencyRollbackAlpha?: number;
}

const FULL_KNOWLEDGE: OracleKnowledge = { latencyNoise: 'known', start: 'known', effect: 'known' };

interface Candidate {
  /** Log-ratio offset of the candidate from the tolerance: > 0 beyond it (rollback), < 0 within (promote). */
  delta: number;
  logWeight: number;
}

/** Candidate effects beyond the tolerance and their log weights: the gate's rollback mixture. */
const ROLLBACK_MIXTURE: Candidate[] = twoLogNormalMixture(
  RATE_TEST_DEFAULTS.step,
  { median: RATE_TEST_DEFAULTS.mixtureMedian, sigma: RATE_TEST_DEFAULTS.mixtureSigma },
  {
    median: RATE_TEST_DEFAULTS.tailMedian,
    sigma: RATE_TEST_DEFAULTS.tailSigma,
    weight: RATE_TEST_DEFAULTS.tailWeight,
  },
).map((c) => ({ delta: c.offset * RATE_TEST_DEFAULTS.step, logWeight: c.logWeight }));

/** Candidate effects within the tolerance and their log weights: the gate's promote mixture. */
const PROMOTE_MIXTURE: Candidate[] = halfNormalMixture(
  RATE_TEST_DEFAULTS.step,
  RATE_TEST_DEFAULTS.promoteMixtureScale,
).map((c) => ({ delta: -c.offset * RATE_TEST_DEFAULTS.step, logWeight: c.logWeight }));

/** The mixture of likelihood ratios over candidate effects, each accumulated minute by minute. */
class UnknownEffectEvidence {
  private readonly sums: number[];

  constructor(private readonly mixture: Candidate[]) {
    this.sums = mixture.map(() => 0);
  }

  /** `step(candidateRatio)` is one minute's log-likelihood ratio of that candidate against the tolerance. */
  add(tolerance: number, step: (candidate: number) => number | undefined): void {
    this.mixture.forEach((c, k) => {
      this.sums[k] = (this.sums[k] as number) + (step(tolerance * Math.exp(c.delta)) ?? 0);
    });
  }

  logEvidence(): number {
    return logSumExp(this.mixture.map((c, k) => c.logWeight + (this.sums[k] as number)));
  }
}

/**
 * The same mixture when the latency noise is not known either: each candidate's t-type SPRT against
 * the tolerance (see `latencyNoise: 'estimated'`), all on the same scale-invariant statistics, so the
 * mixture is still a test martingale under the tolerance.
 */
class UnknownEffectAndNoiseEvidence {
  private n = 0;
  private atTolerance = 0;
  private readonly squares: number[];
  private readonly first: number[];

  constructor(private readonly mixture: Candidate[]) {
    this.squares = mixture.map(() => 0);
    this.first = mixture.map(() => 0);
  }

  /** `x` is the minute's log ratio less its offset and the log tolerance. */
  add(x: number): void {
    this.n += 1;
    this.atTolerance += x * x;
    this.mixture.forEach((c, k) => {
      this.squares[k] = (this.squares[k] as number) + (x - c.delta) ** 2;
      if (this.n === 1) this.first[k] = 0.5 * Math.log(this.atTolerance / (this.squares[k] as number));
    });
  }

  logEvidence(): number {
    if (this.n < 2) return 0;
    return logSumExp(
      this.mixture.map(
        (c, k) =>
          c.logWeight +
          (this.n / 2) * Math.log(this.atTolerance / (this.squares[k] as number)) -
          (this.first[k] as number),
      ),
    );
  }
}

/** Rollback and promote evidence of one metric when the effect is not known. */
interface EffectClaims {
  beyond: { logEvidence(): number };
  within: { logEvidence(): number };
}

/** The canary/baseline ratio each metric may reach before it counts as a regression. */
export interface ToleranceRatios {
  errors: number;
  latency: number;
}

export const RELATIVE_20: ToleranceRatios = { errors: 1.2, latency: 1.2 };

/** The same, minute by minute: a tolerance with an absolute part is a ratio per minute's base level. */
export interface MinuteToleranceRatios {
  errors: Path;
  latency: Path;
}

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

/**
 * The ratios minute by minute, at each minute's TRUE baseline levels: in a shared incident (×10
 * errors, ×1.5 latency on both arms) "0.25 pp" is a smaller ratio of the raised rate, as the
 * tolerance says of every minute.
 */
export function minuteToleranceRatios(
  trace: Trace,
  errors: Tolerance,
  latency: Tolerance,
): MinuteToleranceRatios {
  const { baseRate, baseLatency, latencyStatistic, incident } = trace.params;
  return {
    errors: (m) => ratioBoundary(errors, 'upper', Math.min(0.5, baseRate * incident(m))),
    latency: (m) =>
      ratioBoundary(
        latency,
        'upper',
        trueLatency(latencyStatistic, baseLatency * (incident(m) > 1 ? 1.5 : 1)),
      ),
  };
}

interface Hypotheses {
  good: Path;
  bad: Path;
  /** What each copy of an oracle that does not know the start tests, from its start on: the regressed
   * ratio of a run that regresses (the tolerance for a healthy run) against the nearest null value. */
  copyBad: Path;
  copyGood: Path;
}

/** Per minute, the truth against the nearest value on the other side of the tolerance. */
function hypotheses(truth: Path, periods: number, tolerance: Path): Hypotheses {
  let atBoundary = true;
  let regressed = false;
  let worst = 0;
  for (let m = 0; m < periods; m++) {
    atBoundary &&= Math.abs(truth(m) - tolerance(m)) < 1e-9;
    regressed ||= truth(m) > tolerance(m);
    worst = Math.max(worst, truth(m));
  }
  if (atBoundary) {
    return {
      good: (m) => tolerance(m) / BOUNDARY_STEP,
      bad: (m) => tolerance(m) * BOUNDARY_STEP,
      copyBad: (m) => tolerance(m) * BOUNDARY_STEP,
      copyGood: tolerance,
    };
  }
  if (regressed) {
    // A regressed run: its healthy minutes (before a late change) are the same under both hypotheses.
    return {
      good: (m) => (truth(m) > tolerance(m) ? tolerance(m) : truth(m)),
      bad: (m) => truth(m),
      copyBad: () => worst,
      copyGood: tolerance,
    };
  }
  return { good: truth, bad: tolerance, copyBad: tolerance, copyGood: truth };
}

/** One minute's error counts as the conditional binomial sees them, with the minute's true dispersion. */
export interface ErrorMinute {
  canary: number;
  total: number;
  /** Canary requests over baseline requests. */
  requestRatio: number;
  dispersion: number;
}

/** The minute's error counts; undefined when a value or an arm's requests are missing. */
export function errorMinute(trace: Trace, m: number, truth: PeriodTruth): ErrorMinute | undefined {
  const period = trace.periods[m];
  const e = period?.values[ERRORS];
  const x = e?.canary;
  const y = e?.baseline;
  if (!period || x === undefined || y === undefined) return undefined;
  if (!(period.canaryRequests > 0 && period.baselineRequests > 0)) return undefined;
  const n = x + y;
  const totalExpected = truth.canaryExpectedErrors + truth.baselineExpectedErrors;
  const pTrue = totalExpected > 0 ? truth.canaryExpectedErrors / totalExpected : 0;
  return {
    canary: x,
    total: n,
    requestRatio: period.canaryRequests / period.baselineRequests,
    // Both arms' rate factors wobble: the canary's share of the errors varies by about 2 × their variance.
    dispersion: 1 + Math.max(0, n - 1) * pTrue * (1 - pTrue) * (2 * truth.errorFactorVariance),
  };
}

/** Log-likelihood ratio of one minute's canary error count, `bad` against `good` ratio. */
function errorLogRatio(
  trace: Trace,
  m: number,
  truth: PeriodTruth,
  bad: number,
  good: number,
): number | undefined {
  const e = errorMinute(trace, m, truth);
  if (!e) return undefined;
  if (e.total === 0 || truth.canaryExpectedErrors + truth.baselineExpectedErrors === 0) return 0;
  if (bad === good) return 0;
  const r = e.requestRatio;
  const p1 = (bad * r) / (bad * r + 1);
  const p0 = (good * r) / (good * r + 1);
  return (e.canary * Math.log(p1 / p0) + (e.total - e.canary) * Math.log((1 - p1) / (1 - p0))) / e.dispersion;
}

/**
 * The per-minute log ratio of canary to baseline latency, with its mean offset from the log of the
 * true ratio and its variance.
 */
export function latencyObservation(
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
  ratios: ToleranceRatios | MinuteToleranceRatios = RELATIVE_20,
): Outcome {
  const { latencyNoise, start, effect } = { ...FULL_KNOWLEDGE, ...knowledge };
  const latencyUpper = Math.log(0.99 / (knowledge.latencyRollbackAlpha ?? 0.01));
  const periods = trace.periods.length;
  const perMinute = (x: number | Path): Path => (typeof x === 'number' ? () => x : x);
  const tolerance = { errors: perMinute(ratios.errors), latency: perMinute(ratios.latency) };
  const errors = hypotheses((m) => trace.truth[m]?.errorRatio ?? 1, periods, tolerance.errors);
  const latency = hypotheses((m) => trace.truth[m]?.latencyRatio ?? 1, periods, tolerance.latency);
  let errorLlr = 0;
  let latencyLlr = 0;
  const errorEffects = {
    beyond: new UnknownEffectEvidence(ROLLBACK_MIXTURE),
    within: new UnknownEffectEvidence(PROMOTE_MIXTURE),
  };
  const knownNoiseEffects = {
    beyond: new UnknownEffectEvidence(ROLLBACK_MIXTURE),
    within: new UnknownEffectEvidence(PROMOTE_MIXTURE),
  };
  const estimatedNoiseEffects = {
    beyond: new UnknownEffectAndNoiseEvidence(ROLLBACK_MIXTURE),
    within: new UnknownEffectAndNoiseEvidence(PROMOTE_MIXTURE),
  };
  const latencyEffects: EffectClaims = latencyNoise === 'known' ? knownNoiseEffects : estimatedNoiseEffects;
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
      const step = errorLogRatio(trace, m, truth, errors.copyBad(m), errors.copyGood(m));
      if (step === undefined) errorCopies.skip();
      else errorCopies.add(step);
    }

    if (effect === 'unknown') {
      for (const claim of [errorEffects.beyond, errorEffects.within]) {
        claim.add(tolerance.errors(m), (candidate) =>
          errorLogRatio(trace, m, truth, candidate, tolerance.errors(m)),
        );
      }
    }

    const l = latencyObservation(trace, m, truth);
    if (effect === 'unknown' && l) {
      const atTolerance = Math.log(tolerance.latency(m)) + l.offset;
      if (latencyNoise === 'known') {
        for (const claim of [knownNoiseEffects.beyond, knownNoiseEffects.within]) {
          claim.add(tolerance.latency(m), (candidate) =>
            knownNoiseLogRatio(l.d, Math.log(candidate) + l.offset, atTolerance, l.variance),
          );
        }
      } else {
        estimatedNoiseEffects.beyond.add(l.d - atTolerance);
        estimatedNoiseEffects.within.add(l.d - atTolerance);
      }
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
            Math.log(latency.copyBad(m)) + l.offset,
            Math.log(latency.copyGood(m)) + l.offset,
            l.variance,
          ),
        );
      } else latencyCopies.skip();
    }

    const rollback =
      effect === 'unknown'
        ? errorEffects.beyond.logEvidence() >= UPPER || latencyEffects.beyond.logEvidence() >= latencyUpper
        : start === 'known'
          ? errorLlr >= UPPER || latencyLlr >= latencyUpper
          : errorCopies.logEvidence() >= UPPER || latencyCopies.logEvidence() >= latencyUpper;
    if (rollback) return { decision: 'rollback', minutes: m + 1 };
    if (effect === 'unknown') {
      errorsHealthy ||= errorEffects.within.logEvidence() >= UPPER;
      latencyHealthy ||= latencyEffects.within.logEvidence() >= UPPER;
    } else {
      errorsHealthy ||= errorLlr <= LOWER;
      latencyHealthy ||= latencyLlr <= LOWER;
    }
    if (errorsHealthy && latencyHealthy) return { decision: 'promote', minutes: m + 1 };
  }
  return { decision: 'inconclusive', minutes: periods };
}
