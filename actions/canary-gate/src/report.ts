import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { GateOutcome } from './gate-loop.js';

export interface CanaryGateReport {
  decision: string;
  reason: string;
  rule: string;
  elapsedSeconds: number;
  mode: 'live' | 'replay';
  deployment?: { arn: string; status?: string; actions: string[] };
  triggeredAlarms: GateOutcome['triggeredAlarms'];
  queries: MetricDataQuery[];
  apiCalls: { getMetricData: number; describeAlarms: number };
  gate: GateOutcome['report'];
  timeline: GateOutcome['timeline'];
}

/** The machine-readable account: every metric's series, statistics and the rule that fired. */
export function buildReport(
  outcome: GateOutcome,
  context: {
    mode: 'live' | 'replay';
    queries: MetricDataQuery[];
    deploymentArn?: string;
    apiCalls: CanaryGateReport['apiCalls'];
  },
): CanaryGateReport {
  return {
    decision: outcome.decision,
    reason: outcome.reason,
    rule: outcome.rule,
    elapsedSeconds: Math.round(outcome.elapsedMs / 1000),
    mode: context.mode,
    ...(context.deploymentArn
      ? {
          deployment: {
            arn: context.deploymentArn,
            ...(outcome.deploymentStatus ? { status: outcome.deploymentStatus } : {}),
            actions: outcome.actions,
          },
        }
      : {}),
    triggeredAlarms: outcome.triggeredAlarms,
    queries: context.queries,
    apiCalls: context.apiCalls,
    gate: outcome.report,
    timeline: outcome.timeline,
  };
}
