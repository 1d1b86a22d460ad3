import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ConfigurationError } from '@ecs-ship/shared/errors';
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
  const match = /(?:^|:)(targetgroup\/[^/\s]+\/[0-9a-f]+)$/.exec(input.trim());
  if (!match?.[1]) {
    throw new ConfigurationError(
      `Input "${inputName}" must be a target group ARN or its suffix targetgroup/<name>/<id>; got ${JSON.stringify(input)}.`,
    );
  }
  return match[1];
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

/** 5xx rate and response time of both target groups: what every HTTP canary should be judged on. */
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
    },
    {
      spec: {
        name: 'alb_latency',
        label: `response time (${options.latencyStatistic})`,
        kind: 'level',
        direction: 'increase',
        tolerance: options.latencyTolerance,
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
