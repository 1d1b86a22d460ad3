/*
 * The reference for promote-if-bounded: at the end of the window, one look per metric at the
 * hypothesis "the canary is at its critical tolerance", one-sided at the gate's own promote α per
 * metric. A metric is bounded when the test rejects its critical tolerance; a run is promoted as
 * bounded when both are.
 * - errors: the score test at the critical ratio (the locally most powerful test of it) of the
 *   conditional binomial of the canary's share of each minute's errors, each minute's score divided
 *   by the TRUE dispersion φ of that minute, as the oracle's SPRT does;
 * - latency, `noise: 'known'`: the precision-weighted mean of the per-minute log ratios, each arm's
 *   known offset of its period value removed, against log(critical ratio) with the TRUE variance of
 *   every minute: the most powerful test, so no method that must estimate the noise can bound more
 *   healthy runs at that α;
 * - latency, `noise: 'estimated'`: the same mean and offsets, equal weights, and the t-test on n − 1
 *   degrees of freedom (the uniformly most powerful invariant test when the variance is unknown):
 *   the gate's knowledge of the run itself, without its hour of lookback.
 * The normal law of the error score is an approximation: at a few errors in the whole run it is not
 * exact in either direction.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import studentQuantile from '@stdlib/stats-base-dists-t-quantile';
import { errorMinute, latencyObservation, type ToleranceRatios } from './oracle.js';
import type { Trace } from './traffic.js';

export type BoundedNoise = 'known' | 'estimated';

function errorsBounded(trace: Trace, critical: number, alpha: number): boolean {
  let score = 0;
  let information = 0;
  let canaryExpectedErrors = 0;
  trace.truth.forEach((truth, m) => {
    canaryExpectedErrors += truth.canaryExpectedErrors;
    const e = errorMinute(trace, m, truth);
    if (!e) return;
    const p0 = (critical * e.requestRatio) / (critical * e.requestRatio + 1);
    score += (e.canary - e.total * p0) / e.dispersion;
    information += (e.total * p0 * (1 - p0)) / e.dispersion;
  });
  // No error on either arm says nothing of the ratio, but the canary's own silence still rules out its
  // critical rate (the gate's canary-only test): Poisson at the true base rate times the critical ratio.
  if (!(information > 0)) return -critical * canaryExpectedErrors <= Math.log(alpha);
  return score / Math.sqrt(information) <= normalQuantile(alpha, 0, 1);
}

function latencyBounded(trace: Trace, critical: number, alpha: number, noise: BoundedNoise): boolean {
  const minutes = trace.truth.flatMap((truth, m) => {
    const l = latencyObservation(trace, m, truth);
    return l && Number.isFinite(l.variance) ? [{ x: l.d - l.offset, variance: l.variance }] : [];
  });
  const n = minutes.length;
  const boundary = Math.log(critical);
  if (noise === 'known') {
    const precision = minutes.reduce((sum, o) => sum + 1 / o.variance, 0);
    if (!(precision > 0)) return false;
    const mean = minutes.reduce((sum, o) => sum + o.x / o.variance, 0) / precision;
    return (boundary - mean) * Math.sqrt(precision) >= normalQuantile(1 - alpha, 0, 1);
  }
  if (n < 2) return false;
  const mean = minutes.reduce((sum, o) => sum + o.x, 0) / n;
  const variance = minutes.reduce((sum, o) => sum + (o.x - mean) ** 2, 0) / (n - 1);
  return (boundary - mean) / Math.sqrt(variance / n) >= studentQuantile(1 - alpha, n - 1);
}

/** Whether one look at the end rejects "the canary is at the critical ratio" on both metrics. */
export function boundedAtEnd(
  trace: Trace,
  critical: ToleranceRatios,
  alpha: number,
  noise: BoundedNoise,
): boolean {
  return (
    errorsBounded(trace, critical.errors, alpha) && latencyBounded(trace, critical.latency, alpha, noise)
  );
}
