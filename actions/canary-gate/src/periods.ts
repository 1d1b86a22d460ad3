import type { PeriodObservation } from './engine/types.js';
import type { MetricPlan } from './metric-definitions.js';
import type { Series } from './metric-source.js';

/**
 * One complete period as the engine sees it. Request and event counts are sums that CloudWatch (and
 * the ALB) simply do not publish when nothing happened, so a missing count is zero. A missing level
 * (a latency) is a gap: there is no zero latency.
 */
export function observePeriod(
  plan: MetricPlan,
  series: Map<string, Series>,
  periodStart: number,
): PeriodObservation {
  const value = (id: string | undefined): number | undefined => series.get(id ?? '')?.get(periodStart);
  const count = (id: string | undefined): number => value(id) ?? 0;
  const observation: PeriodObservation = {
    periodStart,
    canaryRequests: count(plan.requests.canary.Id),
    baselineRequests: count(plan.requests.baseline.Id),
    values: {},
  };
  for (const metric of plan.metrics) {
    observation.values[metric.spec.name] =
      metric.spec.kind === 'rate'
        ? {
            canary: (metric.addends?.canary ?? []).reduce(
              (sum, query) => sum + count(query.Id),
              count(metric.canary.Id),
            ),
            baseline: (metric.addends?.baseline ?? []).reduce(
              (sum, query) => sum + count(query.Id),
              count(metric.baseline.Id),
            ),
          }
        : {
            ...(value(metric.canary.Id) !== undefined ? { canary: value(metric.canary.Id) } : {}),
            ...(value(metric.baseline.Id) !== undefined ? { baseline: value(metric.baseline.Id) } : {}),
          };
  }
  return observation;
}

/** Period starts aligned to the period, as CloudWatch aligns them. */
export function alignToPeriod(time: number, periodMs: number): number {
  return Math.floor(time / periodMs) * periodMs;
}

/**
 * A period is complete once it has ended and CloudWatch has had `publishDelayMs` to publish it; the
 * newest, still-filling period is never read.
 */
export function isPeriodComplete(
  periodStart: number,
  periodMs: number,
  publishDelayMs: number,
  now: number,
): boolean {
  return periodStart + periodMs + publishDelayMs <= now;
}

/** "14:07": how a period is named in logs and charts (UTC, as CloudWatch shows it). */
export function periodLabel(periodStart: number): string {
  return new Date(periodStart).toISOString().slice(11, 16);
}
