/*
 * The oracle: Wald's SPRT per metric with everything known — the true canary/baseline ratio of each
 * minute, the true overdispersion and the true latency noise. Each metric tests, minute by minute, the
 * true ratio against the nearest value on the other side of the 20% tolerance (healthy truth vs 1.2,
 * regressed truth vs 1.2; a minute on the healthy side of a late regression adds nothing; a truth
 * exactly at 1.2 tests 1.0 vs 1.44), with error rates α = β = 0.01 per metric
 * and no split over metrics. Rollback when any metric accepts its regression hypothesis, promote
 * once every metric has accepted its healthy one; inconclusive at 30 minutes. Error counts use the
 * same conditional binomial as the gate, tempered by the true dispersion; latency uses the normal
 * law of the per-minute log ratio, bias of the log of an average included.
 *
 * A second oracle knows the same means but not the latency noise variance, as any real method must
 * estimate it: for latency it runs the sequential t-type SPRT between the two known means, each
 * hypothesis's likelihood integrated over σ with the right-Haar prior dσ/σ, i.e. with
 * S_k = Σ (d − mean_k)² the ratio (S₀/S₁)^(n/2). The first minute only fixes the scale (under that
 * prior it carries no evidence), so the ratio is the product of the predictive likelihood ratios of
 * minutes 2, 3, …: (S₀/S₁)^(n/2) / (S₀/S₁ of minute 1)^(1/2). Error counts as in the first oracle.
 */
import { ERROR_SHAPE, ERRORS, LATENCY, type Trace } from './traffic.js';
import type { Outcome } from './rules/outcome.js';

const TOLERANCE = 1.2;
const UPPER = Math.log(0.99 / 0.01);
const LOWER = Math.log(0.01 / 0.99);

type Path = (minute: number) => number;

/** Per minute, the truth against the nearest value on the other side of the tolerance. */
function hypotheses(truth: Path, periods: number): { good: Path; bad: Path } {
  let atBoundary = true;
  for (let m = 0; m < periods; m++) atBoundary &&= Math.abs(truth(m) - TOLERANCE) < 1e-9;
  if (atBoundary) return { good: () => TOLERANCE / 1.2, bad: () => TOLERANCE * 1.2 };
  return { good: (m) => Math.min(truth(m), TOLERANCE), bad: (m) => Math.max(truth(m), TOLERANCE) };
}

export type LatencyNoise = 'known' | 'estimated';

export function oracleRule(trace: Trace, latencyNoise: LatencyNoise = 'known'): Outcome {
  const periods = trace.periods.length;
  const errors = hypotheses((m) => trace.truth[m]?.errorRatio ?? 1, periods);
  const latency = hypotheses((m) => trace.truth[m]?.latencyRatio ?? 1, periods);
  let errorLlr = 0;
  let latencyLlr = 0;
  const sums = { n: 0, s0: 0, s1: 0, first: 0 };
  let errorsHealthy = false;
  let latencyHealthy = false;
  for (const [m, period] of trace.periods.entries()) {
    const truth = trace.truth[m];
    if (!truth) break;
    const e = period.values[ERRORS];
    const x = e?.canary;
    const y = e?.baseline;
    if (
      !errorsHealthy &&
      x !== undefined &&
      y !== undefined &&
      period.canaryRequests > 0 &&
      period.baselineRequests > 0
    ) {
      const n = x + y;
      const r = period.canaryRequests / period.baselineRequests;
      const totalExpected = truth.canaryExpectedErrors + truth.baselineExpectedErrors;
      if (n > 0 && totalExpected > 0) {
        const pTrue = truth.canaryExpectedErrors / totalExpected;
        const phi = 1 + (n - 1) * pTrue * (1 - pTrue) * (2 / ERROR_SHAPE);
        const p1 = (errors.bad(m) * r) / (errors.bad(m) * r + 1);
        const p0 = (errors.good(m) * r) / (errors.good(m) * r + 1);
        errorLlr += (x * Math.log(p1 / p0) + (n - x) * Math.log((1 - p1) / (1 - p0))) / phi;
      }
    }
    const l = period.values[LATENCY];
    if (!latencyHealthy && l?.canary !== undefined && l.baseline !== undefined) {
      const d = Math.log(l.canary / l.baseline);
      const bias = (truth.canaryLatencyVariance - truth.baselineLatencyVariance) / 2;
      const variance = truth.canaryLatencyVariance + truth.baselineLatencyVariance;
      const mean1 = Math.log(latency.bad(m)) - bias;
      const mean0 = Math.log(latency.good(m)) - bias;
      if (latencyNoise === 'known') {
        latencyLlr += ((d - mean0) ** 2 - (d - mean1) ** 2) / (2 * variance);
      } else {
        sums.n += 1;
        sums.s0 += (d - mean0) ** 2;
        sums.s1 += (d - mean1) ** 2;
        if (sums.n === 1) sums.first = 0.5 * Math.log(sums.s0 / sums.s1);
        latencyLlr = (sums.n / 2) * Math.log(sums.s0 / sums.s1) - sums.first;
      }
    }
    if (errorLlr >= UPPER || latencyLlr >= UPPER) return { decision: 'rollback', minutes: m + 1 };
    errorsHealthy ||= errorLlr <= LOWER;
    latencyHealthy ||= latencyLlr <= LOWER;
    if (errorsHealthy && latencyHealthy) return { decision: 'promote', minutes: m + 1 };
  }
  return { decision: 'inconclusive', minutes: periods };
}
