/*
 * The promote claim of a rate with an absolute tolerance, without pretending to know the baseline's
 * rate. "Within 50% or 0.25 pp" means p_c < max(1.5·p_b, p_b + 0.25 pp): a ratio boundary that
 * depends on the baseline's rate p_b, which is estimated. The claim is rejected only when every
 * possible base rate q is: for each q, the canary at its boundary θ₀(q) = max(1 + relative,
 * 1 + absolute/q) is ruled out.
 *
 * For one q, two pieces of evidence about the same run are multiplied: the ratio test's promote
 * evidence at θ₀(q) (from the split of each period's events between the arms, given their total)
 * and the evidence that the total events are too few for q (a canary at θ₀(q) beside a baseline at
 * q expects q·N_b + θ₀(q)·q·N_c of them). A period's likelihood is the split given the total times
 * the total, so under that q the product is a test supermartingale; the ratio test's evidence
 * alone is one too. Each q uses a fixed average of the two, E(q) = E_ratio·(w + (1 − w)·E_total),
 * and the claim holds when min over q of E(q) ≥ 1/α.
 *
 * The weights: w = 0.99 from θ₀(q) within ×e^(1/2) of the relative boundary upwards (q from
 * e^(−1/2)·absolute/relative on), where the ratio test alone does nearly as well, so that a canary
 * whose relative part decides pays ln(1/0.99) and no more; w = 0.5 below, where base rates far
 * above the data's are ruled out by the total. Over each cell [q_{k+1}, q_k] of the grid the ratio
 * evidence is smallest at q_k (the tighter boundary) and the total evidence at q_{k+1} (fewer events
 * expected), so pairing those bounds the infimum over the cell from below: the grid only makes the
 * claim more careful (a step of 0.05 in log q proved a few more runs than 0.1). The former claim put
 * the boundary at the baseline's upper 3-σ bound, as if the base rate were known to be there.
 * Bench, 6,000 healthy runs at the action's defaults: proven within tolerance 24.9% → 29.5% of runs
 * (the oracle at the same tolerances 35.4%), 18.8% → 27.6% where the absolute part decides (true
 * base rate below 0.5%), 31.9% → 31.8% where the relative part does; no false rollback, no
 * promotion beyond the tolerance in the diagnostic runs of errors ×1.5 and ×2.
 *
 * A base rate that changes during the run (a shared incident) counts as its run-long average here,
 * as it did in the former claim's bound.
 */
import { halfNormalMixture, logSumExp } from './mixture.js';
import type { EvidenceScope, RateTest } from './rate-test.js';
import type { Tolerance } from './types.js';

/** Grid of base rates: steps of this in log q, from the relative part's reach down to the data's. */
const GRID_STEP = 0.05;
/** Below the estimated base rate, the grid goes this far in log q (e^−4: ×0.018) before one last cell. */
const GRID_REACH = 4;
const MAX_CELLS = 200;
/** Log-q band below the relative part's reach, and above it, where the ratio test has the larger share. */
const NEAR_REACH_BAND = 0.5;
const NEAR_REACH_WEIGHT = 0.99;
/** The ratio test's share of E(q) elsewhere. */
const RATIO_WEIGHT = 0.5;
/** Lower total rates the total-events evidence mixes over: half-normal in their log, scale 0.6. */
const TOTAL_MIXTURE = halfNormalMixture(0.025, 0.6).map((c) => ({
  logRatio: -c.offset * 0.025,
  logWeight: c.logWeight,
}));

export interface AbsoluteWithinInputs {
  rate: RateTest;
  tolerance: Tolerance;
  /** The quasi-likelihood variance inflation of an event total (MetricTracker.countInflation). */
  inflation: (events: number) => number;
  /** The claim's scope, as the ratio test's other promote claims. */
  scope: EvidenceScope;
}

/**
 * log min over base rates q of E(q); null when the tolerance has no absolute part or an arm has no
 * requests yet (the caller's plain ratio claim applies).
 */
export function logEvidenceWithinAbsolute(inputs: AbsoluteWithinInputs): number | null {
  const { rate, tolerance, inflation, scope } = inputs;
  const absolute = tolerance.absolute;
  const relative = tolerance.relative ?? 0;
  const t = rate.totals;
  if (absolute === undefined || !(absolute > 0) || !(t.canaryRequests > 0 && t.baselineRequests > 0)) {
    return null;
  }
  const events = t.canaryEvents + t.baselineEvents;
  const scale = inflation(events);
  const boundary = (q: number): number => Math.max(1 + relative, 1 + absolute / q);
  const ratioEvidence = (q: number): number => rate.logEvidenceBelow(Math.log(boundary(q)), scope);
  // Evidence that the total is below what base rate q expects: a mixture of lower rates' ratios.
  const totalEvidence = (q: number): number => {
    // θ₀(q)·q, written so that q = 0 (the canary at the absolute part alone) is finite.
    const canaryRate = Math.max((1 + relative) * q, q + absolute);
    const expected = q * t.baselineRequests + canaryRate * t.canaryRequests;
    return logSumExp(
      TOTAL_MIXTURE.map(
        (c) => c.logWeight + (events * c.logRatio + (1 - Math.exp(c.logRatio)) * expected) / scale,
      ),
    );
  };
  const combined = (ratio: number, total: number, weight: number): number =>
    weight === 1 ? ratio : ratio + logMeanExp(weight, total);

  const estimate = (t.baselineEvents + 0.5) / t.baselineRequests;
  const reach = relative > 0 ? absolute / relative : Infinity;
  const bottom = estimate * Math.exp(-GRID_REACH);
  let minimum: number;
  let top: number;
  if (Number.isFinite(reach)) {
    // Every q ≥ reach has the relative boundary; the fewest events are expected at q = reach.
    minimum = combined(ratioEvidence(reach), totalEvidence(reach), NEAR_REACH_WEIGHT);
    top = reach;
  } else {
    // No relative part: the open cell above the grid has the boundary → 1 and its fewest events at its bottom.
    top = estimate * Math.exp(GRID_REACH);
    minimum = combined(rate.logEvidenceBelow(0, scope), totalEvidence(top), RATIO_WEIGHT);
  }
  for (let k = 0; k < MAX_CELLS && top > bottom; k++) {
    const next = top * Math.exp(-GRID_STEP);
    const weight =
      Number.isFinite(reach) && next >= reach * Math.exp(-NEAR_REACH_BAND) ? NEAR_REACH_WEIGHT : RATIO_WEIGHT;
    minimum = Math.min(minimum, combined(ratioEvidence(top), totalEvidence(next), weight));
    top = next;
  }
  // The last cell, (0, top]: the tightest boundary of it at top, the fewest events expected at q → 0.
  const weight =
    Number.isFinite(reach) && top >= reach * Math.exp(-NEAR_REACH_BAND) ? NEAR_REACH_WEIGHT : RATIO_WEIGHT;
  return Math.min(minimum, combined(ratioEvidence(top), totalEvidence(0), weight));
}

/** log(w + (1 − w)·e^x). */
function logMeanExp(weight: number, x: number): number {
  if (x === Infinity) return Infinity;
  const high = Math.max(0, x);
  return high + Math.log(weight * Math.exp(-high) + (1 - weight) * Math.exp(x - high));
}
