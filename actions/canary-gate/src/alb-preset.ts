import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { targetGroupSuffix } from '@ecs-ship/shared/traffic-roles';
import type { Tolerance } from './engine/types.js';
import type { MetricDefinition, RequestQueries } from './metric-definitions.js';

export interface AlbTargets {
  /** ARN suffix: app/<name>/<id> */
  loadBalancer: string;
  canaryTargetGroup: string;
  baselineTargetGroup: string;
}

export interface AlbPresetOptions {
  periodSeconds: number;
  errorTolerance: Tolerance;
  latencyTolerance: Tolerance;
  /** What promote-if-bounded must rule out (see MetricSpec.criticalTolerance). */
  errorCriticalTolerance?: Tolerance;
  latencyCriticalTolerance?: Tolerance;
  /** Average, or a percentile such as p99 (CloudWatch computes it; the emulator cannot). */
  latencyStatistic: string;
}

const NAMESPACE = 'AWS/ApplicationELB';

/** The load balancer as CloudWatch names it: `app/name/id`, from an ARN or the suffix itself. */
export function loadBalancerDimension(input: string, inputName: string): string {
  const match = /(?:^|:loadbalancer\/)(app\/[^/\s]+\/[0-9a-f]+)$/.exec(input.trim());
  if (!match?.[1]) {
    throw new ConfigurationError(
      `Input "${inputName}" must be an Application Load Balancer ARN or its suffix app/<name>/<id>; got ${JSON.stringify(input)}.`,
    );
  }
  return match[1];
}

/** A target group as CloudWatch names it: `targetgroup/name/id`, from an ARN or the suffix. */
export function targetGroupDimension(input: string, inputName: string): string {
  const suffix = targetGroupSuffix(input);
  if (!suffix) {
    throw new ConfigurationError(
      `Input "${inputName}" must be a target group ARN or its suffix targetgroup/<name>/<id>; got ${JSON.stringify(input)}.`,
    );
  }
  return suffix;
}

function albQuery(
  id: string,
  metricName: string,
  stat: string,
  loadBalancer: string,
  targetGroup: string,
  period: number,
): MetricDataQuery {
  return {
    Id: id,
    Label: `${metricName} ${targetGroup}`,
    MetricStat: {
      Metric: {
        Namespace: NAMESPACE,
        MetricName: metricName,
        Dimensions: [
          { Name: 'LoadBalancer', Value: loadBalancer },
          { Name: 'TargetGroup', Value: targetGroup },
        ],
      },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  };
}

export function albRequestQueries(targets: AlbTargets, periodSeconds: number): RequestQueries {
  return {
    canary: albQuery(
      'alb_requests_canary',
      'RequestCount',
      'Sum',
      targets.loadBalancer,
      targets.canaryTargetGroup,
      periodSeconds,
    ),
    baseline: albQuery(
      'alb_requests_baseline',
      'RequestCount',
      'Sum',
      targets.loadBalancer,
      targets.baselineTargetGroup,
      periodSeconds,
    ),
  };
}

/**
 * Unhealthy hosts per target group (Maximum per period). Not a statistic to compare: a canary group
 * with unhealthy hosts while the baseline's has none is rolled back (see the gate loop).
 */
export function albUnhealthyQueries(targets: AlbTargets, periodSeconds: number): RequestQueries {
  return {
    canary: albQuery(
      'alb_unhealthy_canary',
      'UnHealthyHostCount',
      'Maximum',
      targets.loadBalancer,
      targets.canaryTargetGroup,
      periodSeconds,
    ),
    baseline: albQuery(
      'alb_unhealthy_baseline',
      'UnHealthyHostCount',
      'Maximum',
      targets.loadBalancer,
      targets.baselineTargetGroup,
      periodSeconds,
    ),
  };
}

/** Query Ids an older replay export may lack: their counts are then read as zero. */
export const OPTIONAL_REPLAY_IDS: ReadonlySet<string> = new Set([
  'alb_conn_errors_canary',
  'alb_conn_errors_baseline',
  'alb_unhealthy_canary',
  'alb_unhealthy_baseline',
]);

/**
 * Error rate and response time of both target groups: what every HTTP canary should be judged on.
 * A canary that crashes, resets or hangs gets 502/504s from the load balancer itself, which are not
 * target 5xx and have no response time; TargetConnectionErrorCount counts them, so the error count
 * is HTTPCode_Target_5XX_Count + TargetConnectionErrorCount. The denominator is the group's
 * RequestCount, which counts every request the ALB routed to the group, those it then answered
 * itself included, so the rate stays a share of the group's requests (at most 1). The sum is taken
 * by the gate, not by metric math, so replayed exports and local emulators read the same numbers.
 */
export function albPresetMetrics(targets: AlbTargets, options: AlbPresetOptions): MetricDefinition[] {
  const { loadBalancer, canaryTargetGroup, baselineTargetGroup } = targets;
  const period = options.periodSeconds;
  return [
    {
      spec: {
        name: 'alb_5xx',
        label: '5xx rate',
        kind: 'rate',
        direction: 'increase',
        tolerance: options.errorTolerance,
        ...(options.errorCriticalTolerance ? { criticalTolerance: options.errorCriticalTolerance } : {}),
        critical: true,
      },
      canary: albQuery(
        'alb_5xx_canary',
        'HTTPCode_Target_5XX_Count',
        'Sum',
        loadBalancer,
        canaryTargetGroup,
        period,
      ),
      baseline: albQuery(
        'alb_5xx_baseline',
        'HTTPCode_Target_5XX_Count',
        'Sum',
        loadBalancer,
        baselineTargetGroup,
        period,
      ),
      addends: {
        canary: [
          albQuery(
            'alb_conn_errors_canary',
            'TargetConnectionErrorCount',
            'Sum',
            loadBalancer,
            canaryTargetGroup,
            period,
          ),
        ],
        baseline: [
          albQuery(
            'alb_conn_errors_baseline',
            'TargetConnectionErrorCount',
            'Sum',
            loadBalancer,
            baselineTargetGroup,
            period,
          ),
        ],
      },
    },
    {
      spec: {
        name: 'alb_latency',
        label: `response time (${options.latencyStatistic})`,
        kind: 'level',
        direction: 'increase',
        tolerance: options.latencyTolerance,
        ...(options.latencyCriticalTolerance ? { criticalTolerance: options.latencyCriticalTolerance } : {}),
        critical: true,
        unit: 'seconds',
      },
      canary: albQuery(
        'alb_latency_canary',
        'TargetResponseTime',
        options.latencyStatistic,
        loadBalancer,
        canaryTargetGroup,
        period,
      ),
      baseline: albQuery(
        'alb_latency_baseline',
        'TargetResponseTime',
        options.latencyStatistic,
        loadBalancer,
        baselineTargetGroup,
        period,
      ),
    },
  ];
}
