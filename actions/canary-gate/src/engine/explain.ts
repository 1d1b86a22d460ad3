/*
 * Words for people: every sentence a paged engineer reads is built here from the gate's numbers.
 * Rates read as percentages with the canary/baseline ratio (×3.8); levels read in their unit with a
 * percentage change (+52%).
 */
import { describeTolerance } from './tolerance.js';
import type { MetricSpec, MetricState, TimeoutAction } from './types.js';

export interface ExplainContext {
  periods: number;
  periodSeconds: number;
  canaryRequests: number;
  minRequests: number;
  minDurationPeriods: number;
  maxDurationPeriods: number;
  onTimeout: TimeoutAction;
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatDuration(periods: number, periodSeconds: number): string {
  const seconds = periods * periodSeconds;
  if (seconds % 60 !== 0) return `${formatCount(seconds)} seconds`;
  const minutes = seconds / 60;
  return minutes === 1 ? '1 minute' : `${formatCount(minutes)} minutes`;
}

function significant(value: number, digits = 2): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const text = abs >= 10 ** digits ? String(Math.round(abs)) : String(Number(abs.toPrecision(digits)));
  return value < 0 ? `-${text}` : text;
}

export function formatValue(spec: MetricSpec, value: number | null): string {
  if (value === null) return 'no data';
  if (spec.kind === 'rate') return `${significant(value * 100)}%`;
  if (spec.unit === 'seconds') {
    const ms = value * 1000;
    return ms >= 10_000 ? `${significant(value, 3)} s` : `${significant(ms, ms >= 100 ? 3 : 2)} ms`;
  }
  return significant(value, 3);
}

/** ×3.8 for rates, +52% for levels. */
export function formatChange(spec: MetricSpec, effect: number): string {
  if (spec.kind === 'rate') return effect === Infinity ? '×∞' : `×${significant(1 + effect)}`;
  if (effect === Infinity) return '+∞%';
  const percent = effect * 100;
  const text = Math.abs(percent) >= 1 ? String(Math.round(percent)) : significant(percent, 1);
  return percent > 0 ? `+${text}%` : `${text}%`;
}

export function formatInterval(spec: MetricSpec, interval: [number, number]): string {
  const [low, high] = interval;
  if (spec.kind === 'rate') return `interval ${formatChange(spec, low)}–${formatChange(spec, high)}`;
  return `interval ${formatChange(spec, low)} to ${formatChange(spec, high)}`;
}

export function labelOf(spec: MetricSpec): string {
  return spec.label ?? spec.name;
}

/** "5xx rate on the canary is 1.9% against 0.5% on the baseline (×3.8, interval ×2.6–×5.4)" */
export function comparison(spec: MetricSpec, state: MetricState): string {
  const head = `${labelOf(spec)} on the canary is ${formatValue(spec, state.canaryValue)} against ${formatValue(
    spec,
    state.baselineValue,
  )} on the baseline`;
  if (state.effect === null) return head;
  const interval = state.interval ? `, ${formatInterval(spec, state.interval)}` : '';
  return `${head} (${formatChange(spec, state.effect)}${interval})`;
}

/** "5xx rate ×0.8 (interval ×0.6–×1.1)": the short form for lists. */
export function shortComparison(spec: MetricSpec, state: MetricState): string {
  // A rate the canary's own requests bounded below the absolute tolerance (upper side only):
  // without baseline events there is no ratio to print.
  if (
    spec.kind === 'rate' &&
    spec.direction !== 'decrease' &&
    state.baselineValue === 0 &&
    state.status === 'healthy'
  )
    return `${labelOf(spec)} ${formatValue(spec, state.canaryValue)} in ${formatCount(state.samples.canaryRequests)} canary requests, none on the baseline (below the absolute tolerance)`;
  if (state.effect === null) {
    if (spec.kind === 'rate' && state.canaryValue === 0 && state.baselineValue === 0)
      return `${labelOf(spec)} 0 on both sides so far`;
    return `${labelOf(spec)} has no data`;
  }
  const interval = state.interval ? ` (${formatInterval(spec, state.interval)})` : '';
  return `${labelOf(spec)} ${formatValue(spec, state.canaryValue)} vs ${formatValue(
    spec,
    state.baselineValue,
  )}, ${formatChange(spec, state.effect)}${interval}`;
}

export function toleranceClause(spec: MetricSpec): string {
  const text = describeTolerance(spec.tolerance, spec.kind, spec.unit);
  return spec.tolerance.relative !== undefined && spec.tolerance.absolute !== undefined
    ? `the tolerance (${text})`
    : `the ${text} tolerance`;
}

function after(ctx: ExplainContext): string {
  return `after ${formatDuration(ctx.periods, ctx.periodSeconds)} and ${formatCount(ctx.canaryRequests)} canary requests`;
}

function list(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join('; ')} and ${items[items.length - 1]}`;
}

export function rollbackReason(
  spec: MetricSpec,
  state: MetricState,
  others: number,
  ctx: ExplainContext,
): string {
  const more = others > 0 ? ` (${others} more critical metric${others > 1 ? 's' : ''} also regressed)` : '';
  const side = state.rule === 'below-tolerance' ? 'below' : 'beyond';
  return `${comparison(spec, state)}, ${side} ${toleranceClause(spec)}, ${after(ctx)}${more}.`;
}

export function promoteReason(pairs: [MetricSpec, MetricState][], ctx: ExplainContext): string {
  if (pairs.length === 0) return `No critical metric to watch; promoting ${after(ctx)}.`;
  const details = list(pairs.map(([spec, state]) => shortComparison(spec, state)));
  return `All critical metrics are within tolerance ${after(ctx)}: ${details}.`;
}

export function waitingForMinimumsReason(ctx: ExplainContext): string {
  const needs: string[] = [];
  if (ctx.canaryRequests < ctx.minRequests) {
    needs.push(`${formatCount(ctx.minRequests)} canary requests (${formatCount(ctx.canaryRequests)} so far)`);
  }
  if (ctx.periods < ctx.minDurationPeriods) {
    needs.push(
      `${formatDuration(ctx.minDurationPeriods, ctx.periodSeconds)} (${formatDuration(ctx.periods, ctx.periodSeconds)} so far)`,
    );
  }
  return `All critical metrics are within tolerance, but promotion waits for at least ${needs.join(' and ')}.`;
}

export function waitingReason(pairs: [MetricSpec, MetricState][], ctx: ExplainContext): string {
  const open = pairs.filter(([, state]) => state.status === 'undecided');
  const details = list(open.map(([spec, state]) => shortComparison(spec, state)));
  return `No decision yet ${after(ctx)}: ${details || 'no data'} ${
    open.length === 1 ? 'is' : 'are'
  } not yet clearly inside or outside tolerance.`;
}

/**
 * Promotion at max duration under promote-if-bounded: nothing was proven within tolerance, but no
 * regression was shown and every critical metric's interval rules out its critical tolerance.
 */
export function boundedReason(pairs: [MetricSpec, MetricState][], ctx: ExplainContext): string {
  const details = list(
    pairs.map(
      ([spec, state]) =>
        `${shortComparison(spec, state)}, ruled out worse than ${criticalClause(spec)}${
          state.status === 'healthy' ? ' (and proven within tolerance)' : ''
        }`,
    ),
  );
  return `No regression seen ${after(ctx)}, and worse than the critical tolerance is ruled out: ${details}; on-timeout is promote-if-bounded, so the gate promotes.`;
}

function criticalClause(spec: MetricSpec): string {
  return spec.criticalTolerance
    ? `+${describeTolerance(spec.criticalTolerance, spec.kind, spec.unit)}`
    : 'no critical tolerance';
}

export function timeoutReason(pairs: [MetricSpec, MetricState][], ctx: ExplainContext): string {
  const unbounded = pairs.filter(([, state]) => state.bounded !== true);
  const action =
    ctx.onTimeout === 'promote'
      ? 'promotes'
      : ctx.onTimeout === 'rollback'
        ? 'rolls back'
        : ctx.onTimeout === 'promote-if-bounded'
          ? `stops without a verdict (inconclusive): ${list(
              unbounded.map(([spec]) =>
                spec.criticalTolerance
                  ? `${spec.label ?? spec.name} is not yet ruled out worse than ${criticalClause(spec)}`
                  : `${spec.label ?? spec.name} has no critical tolerance`,
              ),
            )}, so promote-if-bounded does not promote`
          : 'stops without a verdict (inconclusive)';
  const details = list(pairs.map(([spec, state]) => shortComparison(spec, state)));
  return `No decision within the ${formatDuration(ctx.maxDurationPeriods, ctx.periodSeconds)} limit (${formatCount(
    ctx.canaryRequests,
  )} canary requests), so the gate ${action} as on-timeout says${details ? `: ${details}` : ''}.`;
}

export function warningText(spec: MetricSpec, state: MetricState): string {
  const side = state.rule === 'below-tolerance' ? 'below' : 'beyond';
  return `Warning: ${comparison(spec, state)}, ${side} ${toleranceClause(spec)}; it is not critical, so it does not roll back on its own.`;
}

/** Which way the undecided critical metrics point: "Leaning rollback: latency +25% ... (tolerance 20%)". */
export function leaningText(pairs: [MetricSpec, MetricState, boolean][]): string {
  const open = pairs.filter(([, state]) => state.status === 'undecided' && state.effect !== null);
  if (open.length === 0) return pairs.length === 0 ? 'No critical metrics.' : 'Nothing undecided.';
  const bad = open.filter(([, , beyond]) => beyond);
  const shown = bad.length > 0 ? bad : open;
  const details = list(
    shown.map(([spec, state]) => `${shortComparison(spec, state)} against ${toleranceClause(spec)}`),
  );
  return `${bad.length > 0 ? 'Leaning rollback' : 'Leaning promote'}: ${details}.`;
}
