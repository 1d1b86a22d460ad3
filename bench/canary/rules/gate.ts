/*
 * The canary gate as a rule, in two configurations: 20% relative tolerances failing at timeout (the
 * oracle's tolerance, to compare with it), and the action's defaults. Each run first feeds the hour
 * of baseline-only lookback, as the action does before the canary starts.
 */
import { createGate } from '../../../actions/canary-gate/src/engine/gate.js';
import { ratioBoundary } from '../../../actions/canary-gate/src/engine/tolerance.js';
import type { GateConfig, MetricSpec } from '../../../actions/canary-gate/src/engine/types.js';
import { trueLatency } from '../latency.js';
import { ERRORS, LATENCY, PERIODS, type RunParams, type Trace } from '../traffic.js';
import type { Outcome, Rule } from './outcome.js';

export const GATE_CONFIG: GateConfig = {
  metrics: [
    {
      name: ERRORS,
      label: '5xx rate',
      kind: 'rate',
      direction: 'increase',
      tolerance: { relative: 0.2 },
      critical: true,
    },
    {
      name: LATENCY,
      label: 'latency',
      kind: 'level',
      direction: 'increase',
      tolerance: { relative: 0.2 },
      critical: true,
      unit: 'seconds',
    },
  ],
  falseRollbackRate: 0.01,
  minDurationPeriods: 3,
  maxDurationPeriods: PERIODS,
  minRequests: 250,
  onTimeout: 'fail',
};

/** The action's defaults: 50% or 0.25 pp of 5xx, 20% or 10 ms of latency; promote if bounded at timeout. */
export const ACTION_DEFAULTS_CONFIG: GateConfig = {
  metrics: [
    {
      name: ERRORS,
      label: '5xx rate',
      kind: 'rate',
      direction: 'increase',
      tolerance: { relative: 0.5, absolute: 0.0025 },
      criticalTolerance: { relative: 1, absolute: 0.01 },
      critical: true,
    },
    {
      name: LATENCY,
      label: 'latency',
      kind: 'level',
      direction: 'increase',
      tolerance: { relative: 0.2, absolute: 0.01 },
      criticalTolerance: { relative: 0.5, absolute: 0.05 },
      critical: true,
      unit: 'seconds',
    },
  ],
  falseRollbackRate: 0.01,
  minDurationPeriods: 3,
  maxDurationPeriods: PERIODS,
  minRequests: 500,
  onTimeout: 'promote-if-bounded',
};

/** The two metrics' specs of a configuration, for the oracle that shares its tolerances. */
export function metricSpecs(config: GateConfig): { errors: MetricSpec; latency: MetricSpec } {
  const spec = (name: string): MetricSpec => {
    const found = config.metrics.find((m) => m.name === name);
    if (!found) throw new Error(`The gate configuration has no metric "${name}".`);
    return found;
  };
  return { errors: spec(ERRORS), latency: spec(LATENCY) };
}

/**
 * Whether a run's final regression lies beyond a configuration's critical tolerance on some metric,
 * at the true base levels: errors ×5 at a base rate under 0.25% is within "100% or 1 pp", latency
 * +100% at a 50 ms mean within "50% or 50 ms".
 */
export function beyondCriticalTolerance(config: GateConfig, params: RunParams): boolean {
  const { errors, latency } = metricSpecs(config);
  const last = PERIODS - 1;
  const beyond = (spec: MetricSpec, ratio: number, base: number): boolean =>
    spec.criticalTolerance !== undefined && ratio > ratioBoundary(spec.criticalTolerance, 'upper', base);
  return (
    beyond(errors, params.errorRatio(last), params.baseRate) ||
    beyond(latency, params.latencyRatio(last), trueLatency(params.latencyStatistic, params.baseLatency))
  );
}

export function gateRule(config: GateConfig): Rule {
  return (trace: Trace): Outcome => {
    const gate = createGate(config);
    for (const period of trace.lookback) gate.observeLookback(period);
    for (const period of trace.periods) {
      const state = gate.observe(period);
      if (state.decision === 'rollback') return { decision: 'rollback', minutes: state.periods };
      if (state.decision === 'promote') {
        const how =
          state.rule === 'bounded' ? 'bounded' : state.rule === 'within-tolerance' ? 'proven' : undefined;
        return { decision: 'promote', minutes: state.periods, ...(how && { how }) };
      }
      if (state.decision === 'inconclusive') break;
    }
    return { decision: 'inconclusive', minutes: trace.periods.length };
  };
}
