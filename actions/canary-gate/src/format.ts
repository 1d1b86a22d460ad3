import type { MetricSpec, MetricState } from './engine/types.js';

/** A metric's value as a person reads it: rates in percent, seconds in milliseconds. */
export function formatValue(
  spec: Pick<MetricSpec, 'kind' | 'unit'>,
  value: number | null | undefined,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (spec.kind === 'rate') return `${trim(value * 100, value * 100 < 1 ? 3 : 2)}%`;
  if (spec.unit === 'seconds') return `${trim(value * 1000, value < 0.01 ? 2 : 0)} ms`;
  return trim(value, 3);
}

/** A relative change: +12%, −8%. */
export function formatEffect(effect: number | null | undefined): string {
  if (effect === null || effect === undefined || !Number.isFinite(effect)) return '—';
  const percent = effect * 100;
  return `${percent >= 0 ? '+' : '−'}${trim(Math.abs(percent), Math.abs(percent) < 10 ? 1 : 0)}%`;
}

export function formatInterval(interval: [number, number] | null | undefined): string {
  if (!interval) return '—';
  const [low, high] = interval;
  const end = (value: number): string =>
    Number.isFinite(value) ? formatEffect(value) : value > 0 ? '+∞' : '−∞';
  return `${end(low)} … ${end(high)}`;
}

export function metricLine(spec: MetricSpec, state: MetricState): string {
  const label = spec.label ?? spec.name;
  return `${label} ${formatValue(spec, state.canaryValue)} vs ${formatValue(spec, state.baselineValue)} (${formatEffect(
    state.effect,
  )}, interval ${formatInterval(state.interval)}) ${state.status}`;
}

function trim(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}
