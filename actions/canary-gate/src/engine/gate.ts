/*
 * The canary gate: one sequential test per metric, combined into promote / rollback / continue.
 *
 * Error budget. A rollback of a canary that is within tolerance needs some critical metric's rollback
 * claim to be wrong, so α (falseRollbackRate) is split over the critical metrics' bad sides
 * (weighted Bonferroni, weights summing to 1; 'either' counts two sides of the same weight). A wrong promotion needs the promote claim of the regressed metric
 * to be wrong, and promotion requires every critical metric's claim, so each promote claim gets the
 * full α (an intersection–union test needs no split).
 *
 * Non-critical metrics are warnings: they are tested with their own α split the same way, reported in
 * `warnings` and in the JSON report, and never roll back or hold back a promotion.
 *
 * A rollback or an inconclusive end is final. A promotion is not the end of the evidence: observed
 * further (a linear deployment's later steps, the bake time), the same rollback claims keep
 * accumulating, and a critical regression shown later turns the decision into a rollback. That costs
 * no extra budget: each rollback claim is one supermartingale over the whole run, before and after
 * the promotion, so Ville's inequality bounds the chance it EVER reaches 1/α by α.
 *
 * Lookback: periods of the baseline alone before the canary started (observeLookback) teach each
 * metric the per-period noise of the service: the prior the first canary periods are read with.
 */
import {
  boundedReason,
  leaningText,
  promoteReason,
  rollbackReason,
  timeoutReason,
  waitingForMinimumsReason,
  waitingReason,
  warningText,
  type ExplainContext,
} from './explain.js';
import { MetricTracker, type Alphas, type MetricEvaluation } from './metric-tracker.js';
import { badSides, validateTolerance } from './tolerance.js';
import type {
  Decision,
  GateConfig,
  GateReport,
  GateRule,
  GateState,
  MetricSpec,
  MetricState,
  PeriodObservation,
} from './types.js';

export const DEFAULT_MIN_DURATION_PERIODS = 3;
/** Restarts of the rollback claims are scheduled over this many times max duration. */
export const WATCH_HORIZON_FACTOR = 4;

export interface Gate {
  /**
   * Feeds one period of the baseline before the canary started (canary values are ignored). Only
   * before the first `observe`: afterwards it is refused.
   */
  observeLookback(period: PeriodObservation): void;
  /** Feeds the next period (in order) and returns the gate's state after it. */
  observe(period: PeriodObservation): GateState;
  /**
   * Records a promotion decided outside the engine (on-timeout at the caller's clock): from here the
   * gate watches, as after its own promotion.
   */
  markPromoted(state: GateState): void;
  /** The latest state (a 'continue' with no data before the first period). */
  state(): GateState;
  /** Full per-metric series and statistics, for a JSON report. */
  report(): GateReport;
}

export function validateGateConfig(config: GateConfig): void {
  const { metrics, falseRollbackRate, maxDurationPeriods, minRequests } = config;
  if (metrics.length === 0) throw new RangeError('The gate needs at least one metric.');
  const names = new Set<string>();
  for (const metric of metrics) {
    if (names.has(metric.name)) throw new RangeError(`Metric "${metric.name}" is listed twice.`);
    names.add(metric.name);
    validateTolerance(metric.tolerance, metric.name);
    const weight = metric.alphaWeight;
    if (weight !== undefined && !(Number.isFinite(weight) && weight > 0)) {
      throw new RangeError(`Metric "${metric.name}": alphaWeight must be a number > 0, got ${weight}.`);
    }
  }
  if (!(falseRollbackRate > 0 && falseRollbackRate < 0.5)) {
    throw new RangeError(`false-rollback-rate must be between 0 and 0.5, got ${falseRollbackRate}.`);
  }
  if (!(Number.isInteger(maxDurationPeriods) && maxDurationPeriods >= 1)) {
    throw new RangeError(`max duration must be a whole number of periods ≥ 1, got ${maxDurationPeriods}.`);
  }
  const minDuration = config.minDurationPeriods ?? DEFAULT_MIN_DURATION_PERIODS;
  if (!(Number.isInteger(minDuration) && minDuration >= 1 && minDuration <= maxDurationPeriods)) {
    throw new RangeError(
      `min duration must be a whole number of periods between 1 and ${maxDurationPeriods}.`,
    );
  }
  if (!(Number.isFinite(minRequests) && minRequests >= 0)) {
    throw new RangeError(`min-requests must be a number ≥ 0, got ${minRequests}.`);
  }
}

/**
 * Default share of the rollback budget. A rate test's evidence grows with the events seen, often a
 * few per minute, so every nat of threshold costs it minutes; a level test gains about
 * ½·log(1 + effect²/noise²) nats per period once it has learnt the noise, so a smaller α costs it
 * little. Hence rates get four times a level's share (bench: errors ×2 detected in 45% of runs
 * instead of 41% with an even split; latency regressions decided about one period later).
 */
export const DEFAULT_ALPHA_WEIGHTS: Record<MetricSpec['kind'], number> = { rate: 4, level: 1 };

function alphaWeight(metric: MetricSpec): number {
  return metric.alphaWeight ?? DEFAULT_ALPHA_WEIGHTS[metric.kind];
}

/** α per claim: rollback split over the bad sides of the metrics that share its consequence. */
export function alphasFor(config: GateConfig, metric: MetricSpec): Alphas {
  const peers = config.metrics.filter((m) => m.critical === metric.critical);
  const total = peers.reduce((sum, m) => sum + alphaWeight(m) * badSides(m.direction).length, 0);
  return {
    rollback: (config.falseRollbackRate * alphaWeight(metric)) / total,
    promote: config.falseRollbackRate,
  };
}

export function createGate(config: GateConfig): Gate {
  validateGateConfig(config);
  const trackers = config.metrics.map((spec) => ({
    spec,
    // Restarts reach past max duration: after a promotion the same test watches the later steps.
    tracker: new MetricTracker(spec, { horizon: WATCH_HORIZON_FACTOR * config.maxDurationPeriods }),
    alphas: alphasFor(config, spec),
  }));
  const minDurationPeriods = config.minDurationPeriods ?? DEFAULT_MIN_DURATION_PERIODS;
  let periods = 0;
  let canaryRequests = 0;
  let evaluations: MetricEvaluation[] = trackers.map((t) => t.tracker.evaluate(t.alphas));
  let current = decide();

  function context(): ExplainContext {
    return {
      periods,
      periodSeconds: config.periodSeconds ?? 60,
      canaryRequests,
      minRequests: config.minRequests,
      minDurationPeriods,
      maxDurationPeriods: config.maxDurationPeriods,
      onTimeout: config.onTimeout,
    };
  }

  function decide(): GateState {
    const ctx = context();
    const states = evaluations.map((e) => e.state);
    const critical = trackers.flatMap((t, i) =>
      t.spec.critical ? [{ ...t, evaluation: evaluations[i] as MetricEvaluation }] : [],
    );
    const criticalPairs = critical.map(
      (c) => [c.spec, c.evaluation.state] as [MetricSpec, typeof c.evaluation.state],
    );
    const warnings = trackers.flatMap((t, i) => {
      const state = states[i];
      return !t.spec.critical && state?.status === 'regression' ? [warningText(t.spec, state)] : [];
    });
    const regressions = critical.filter((c) => c.evaluation.state.status === 'regression');
    const leaning = leaningText(
      critical.map(
        (c) =>
          [c.spec, c.evaluation.state, pointBeyond(c.evaluation)] as [
            MetricSpec,
            typeof c.evaluation.state,
            boolean,
          ],
      ),
    );
    const base = { leaning, periods, canaryRequests, metrics: states, warnings };

    const first = regressions[0];
    if (first) {
      const reason = rollbackReason(first.spec, first.evaluation.state, regressions.length - 1, ctx);
      return { ...base, decision: 'rollback', rule: 'critical-regression', reason };
    }
    const allHealthy = critical.every((c) => c.evaluation.state.status === 'healthy');
    const minimumsMet = periods >= minDurationPeriods && canaryRequests >= config.minRequests;
    if (periods > 0 && allHealthy && minimumsMet) {
      return {
        ...base,
        decision: 'promote',
        rule: 'within-tolerance',
        reason: promoteReason(criticalPairs, ctx),
      };
    }
    if (periods >= config.maxDurationPeriods) {
      if (config.onTimeout === 'promote-if-bounded' && minimumsMet && allBounded(criticalPairs)) {
        return { ...base, decision: 'promote', rule: 'bounded', reason: boundedReason(criticalPairs, ctx) };
      }
      const decision: Decision =
        config.onTimeout === 'promote'
          ? 'promote'
          : config.onTimeout === 'rollback'
            ? 'rollback'
            : 'inconclusive';
      return { ...base, decision, rule: 'timeout', reason: timeoutReason(criticalPairs, ctx) };
    }
    const rule: GateRule = allHealthy && periods > 0 ? 'waiting-for-minimums' : 'waiting-for-evidence';
    const reason =
      rule === 'waiting-for-minimums' ? waitingForMinimumsReason(ctx) : waitingReason(criticalPairs, ctx);
    return { ...base, decision: 'continue', rule, reason };
  }

  /** After a promotion: the same rollback claims, a later critical regression rolls back. */
  function watch(promotion: GateState): GateState {
    const states = evaluations.map((e) => e.state);
    const regressed = trackers.flatMap((t, i) =>
      t.spec.critical && states[i]?.status === 'regression' ? [[t.spec, states[i]] as const] : [],
    );
    const first = regressed[0];
    const base = { ...promotion, periods, canaryRequests, metrics: states };
    if (!first) return base;
    const reason = rollbackReason(first[0], first[1], regressed.length - 1, context());
    return {
      ...base,
      decision: 'rollback',
      rule: 'critical-regression',
      reason: `After the promotion, ${reason[0]?.toLowerCase()}${reason.slice(1)}`,
    };
  }

  let promotion: GateState | undefined;
  return {
    observeLookback(period: PeriodObservation): void {
      if (periods > 0) throw new RangeError('Lookback periods come before the first canary period.');
      const baseline = Number.isFinite(period.baselineRequests) ? Math.max(0, period.baselineRequests) : 0;
      for (const { spec, tracker } of trackers) {
        tracker.observeLookback(baseline, period.values[spec.name]?.baseline);
      }
    },
    observe(period: PeriodObservation): GateState {
      if (current.decision === 'rollback' || current.decision === 'inconclusive') return current;
      periods += 1;
      const canary = Number.isFinite(period.canaryRequests) ? Math.max(0, period.canaryRequests) : 0;
      const baseline = Number.isFinite(period.baselineRequests) ? Math.max(0, period.baselineRequests) : 0;
      canaryRequests += canary;
      for (const { spec, tracker } of trackers) {
        tracker.observe(period.periodStart, canary, baseline, period.values[spec.name]);
      }
      evaluations = trackers.map((t) => t.tracker.evaluate(t.alphas));
      if (current.decision === 'promote') {
        promotion ??= current;
        current = watch(promotion);
      } else current = decide();
      return current;
    },
    markPromoted(state: GateState): void {
      if (current.decision === 'rollback' || current.decision === 'inconclusive') return;
      promotion ??= { ...current, ...state, decision: 'promote' };
      current = promotion;
    },
    state: () => current,
    report(): GateReport {
      return {
        config,
        state: current,
        metrics: trackers.map((t, i) => ({
          ...(evaluations[i] as MetricEvaluation).state,
          spec: t.spec,
          series: [...t.tracker.series],
          statistics: {
            ...t.tracker.statistics(),
            rollbackAlpha: t.alphas.rollback,
            promoteAlpha: t.alphas.promote,
            ...Object.fromEntries(
              (evaluations[i] as MetricEvaluation).sides.flatMap((s) => [
                [`${s.side}RollbackRatio`, Math.exp(s.rollbackBoundary)],
                [`${s.side}PromoteRatio`, Math.exp(s.promoteBoundary)],
                [`${s.side}LogEvidenceBeyond`, finiteOrNull(s.logEvidenceBeyond)],
                [`${s.side}LogEvidenceWithin`, finiteOrNull(s.logEvidenceWithin)],
                // What promote-if-bounded reads at max duration: the critical boundary and the
                // one-look p-value of "within it" (null where the metric has no critical tolerance).
                [`${s.side}CriticalRatio`, s.criticalBoundary === null ? null : Math.exp(s.criticalBoundary)],
                [
                  `${s.side}PValueWithinCritical`,
                  s.criticalBoundary === null ? null : Math.exp(s.logPValueWithinCritical),
                ],
              ]),
            ),
          },
        })),
      };
    },
  };
}

/** Every critical metric's interval rules out its critical tolerance (none: nothing to rule out). */
function allBounded(pairs: [MetricSpec, MetricState][]): boolean {
  return pairs.every(([, state]) => state.status !== 'regression' && state.bounded === true);
}

/** Whether the point estimate lies beyond a bad-side boundary (for the leaning text only). */
function pointBeyond(evaluation: MetricEvaluation): boolean {
  const effect = evaluation.state.effect;
  if (effect === null) return false;
  const logRatio = Math.log(1 + effect);
  return evaluation.sides.some((s) =>
    s.side === 'upper' ? logRatio > s.promoteBoundary : logRatio < s.promoteBoundary,
  );
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
