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
}

/** Request counts of both arms: the denominators of every rate metric. */
export interface RequestQueries {
  canary: MetricDataQuery;
  baseline: MetricDataQuery;
}

export interface MetricPlan {
  requests: RequestQueries;
  metrics: MetricDefinition[];
}

export function allQueries(plan: MetricPlan): MetricDataQuery[] {
  return [
    plan.requests.canary,
    plan.requests.baseline,
    ...plan.metrics.flatMap((metric) => [metric.canary, metric.baseline]),
  ];
}
