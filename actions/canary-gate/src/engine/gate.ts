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
 * Once the gate has decided, the decision is final: later observations are ignored.
 */
import {
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
  PeriodObservation,
} from './types.js';

export const DEFAULT_MIN_DURATION_PERIODS = 3;

export interface Gate {
  /** Feeds the next period (in order) and returns the gate's state after it. */
  observe(period: PeriodObservation): GateState;
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
    tracker: new MetricTracker(spec, { horizon: config.maxDurationPeriods }),
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
    if (periods > 0 && allHealthy && minimumsMet && !config.rollbackOnly) {
      return {
        ...base,
        decision: 'promote',
        rule: 'within-tolerance',
        reason: promoteReason(criticalPairs, ctx),
      };
    }
    if (periods >= config.maxDurationPeriods) {
      const decision: Decision =
        config.onTimeout === 'fail' || config.rollbackOnly
          ? 'inconclusive'
          : config.onTimeout === 'promote'
            ? 'promote'
            : 'rollback';
      return { ...base, decision, rule: 'timeout', reason: timeoutReason(criticalPairs, ctx) };
    }
    const rule: GateRule =
      allHealthy && periods > 0 && !config.rollbackOnly ? 'waiting-for-minimums' : 'waiting-for-evidence';
    const reason =
      rule === 'waiting-for-minimums' ? waitingForMinimumsReason(ctx) : waitingReason(criticalPairs, ctx);
    return { ...base, decision: 'continue', rule, reason };
  }

  return {
    observe(period: PeriodObservation): GateState {
      if (current.decision !== 'continue') return current;
      periods += 1;
      const canary = Number.isFinite(period.canaryRequests) ? Math.max(0, period.canaryRequests) : 0;
      const baseline = Number.isFinite(period.baselineRequests) ? Math.max(0, period.baselineRequests) : 0;
      canaryRequests += canary;
      for (const { spec, tracker } of trackers) {
        tracker.observe(period.periodStart, canary, baseline, period.values[spec.name]);
      }
      evaluations = trackers.map((t) => t.tracker.evaluate(t.alphas));
      current = decide();
      return current;
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
              ]),
            ),
          },
        })),
      };
    },
  };
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
