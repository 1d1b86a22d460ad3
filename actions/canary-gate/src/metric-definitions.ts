import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricSpec } from './engine/types.js';

/**
 * A metric the gate judges, with the CloudWatch queries that read it for each arm. Query Ids are
 * what replay files must carry (`aws cloudwatch get-metric-data` prints them back as `Id`).
 */
export interface MetricDefinition {
  spec: MetricSpec;
  canary: MetricDataQuery;
  baseline: MetricDataQuery;
  /** Rate metrics only: more event counts added to each arm's (e.g. ALB connection errors). */
  addends?: { canary: MetricDataQuery[]; baseline: MetricDataQuery[] };
}

/** Request counts of both arms: the denominators of every rate metric. */
export interface RequestQueries {
  canary: MetricDataQuery;
  baseline: MetricDataQuery;
}

export interface MetricPlan {
  requests: RequestQueries;
  metrics: MetricDefinition[];
  /** Unhealthy host counts of both arms (the ALB preset): a guard, not a compared metric. */
  unhealthy?: RequestQueries;
}

export function allQueries(plan: MetricPlan): MetricDataQuery[] {
  return [
    plan.requests.canary,
    plan.requests.baseline,
    ...plan.metrics.flatMap((metric) => [
      metric.canary,
      metric.baseline,
      ...(metric.addends ? [...metric.addends.canary, ...metric.addends.baseline] : []),
    ]),
    ...(plan.unhealthy ? [plan.unhealthy.canary, plan.unhealthy.baseline] : []),
  ];
}
