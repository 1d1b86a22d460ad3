import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { InputReader } from '@ecs-ship/shared/inputs';
import {
  albPresetMetrics,
  albRequestQueries,
  albUnhealthyQueries,
  loadBalancerDimension,
  targetGroupDimension,
} from './alb-preset.js';
import { parseTolerance } from './engine/tolerance.js';
import type { TimeoutAction, Tolerance } from './engine/types.js';
import type { DeploymentTarget } from './deployment-control.js';
import type { AlbPresetOptions, AlbTargets } from './alb-preset.js';
import type { MetricDefinition, MetricPlan } from './metric-definitions.js';
import { parseMetrics } from './parse-metrics.js';

export interface CanaryGateInputs {
  region?: string;
  deployment?: DeploymentTarget;
  /**
   * The metrics as the inputs give them. With action act, a deployment and the ALB preset, the
   * target groups are read from ECS instead and the plan is rebuilt with `albPlan`.
   */
  plan: MetricPlan;
  /** The ALB preset's inputs, when load-balancer is given. */
  alb?: AlbSelection;
  /** What to do with a waiting pause when the gate cannot finish (cancelled, error, refusal). */
  onCancel: 'rollback' | 'leave';
  alarms: string[];
  falseRollbackRate: number;
  periodMs: number;
  publishDelayMs: number;
  minDurationMs: number;
  maxDurationMs: number;
  minRequests: number;
  onTimeout: TimeoutAction;
  /** How far before the start the baseline's own periods are read for its noise. */
  lookbackMs: number;
  action: 'act' | 'decide-only';
  failOnRollback: boolean;
  /** Pattern (path or glob) of exported get-metric-data files. */
  replay?: string;
  /** Metrics before this moment are not the canary's (default: when the gate starts). */
  startTime?: number;
}

export interface AlbSelection {
  loadBalancer: string;
  /** As given (suffixes), to check against what ECS says; absent when left out. */
  canaryTargetGroup?: string;
  baselineTargetGroup?: string;
  options: AlbPresetOptions;
  custom: MetricDefinition[];
}

/** The ALB preset for the target groups of one deployment, plus the custom metrics. */
export function albPlan(
  alb: AlbSelection,
  canaryTargetGroup: string,
  baselineTargetGroup: string,
): MetricPlan {
  const targets: AlbTargets = {
    loadBalancer: alb.loadBalancer,
    canaryTargetGroup: targetGroupDimension(canaryTargetGroup, 'canary-target-group'),
    baselineTargetGroup: targetGroupDimension(baselineTargetGroup, 'baseline-target-group'),
  };
  return {
    requests: albRequestQueries(targets, alb.options.periodSeconds),
    metrics: [...albPresetMetrics(targets, alb.options), ...alb.custom],
    unhealthy: albUnhealthyQueries(targets, alb.options.periodSeconds),
  };
}

const PERIODS = [60, 300] as const;
/**
 * Proving an error rate "no more than 20% worse" takes many hundreds of canary errors: a healthy
 * canary of a busy API (10,000 requests a minute, 0.5% errors) is still unproven after 30 minutes,
 * and the step would fail as inconclusive. Half as many errors again, or a quarter of a point, is
 * proven within about 15 minutes there, and a tripled error rate still rolls back in about 5.
 */
const DEFAULT_ERROR_TOLERANCE = '50% or 0.25pp';
const DEFAULT_LATENCY_TOLERANCE = '20% or 10ms';
/**
 * What on-timeout promote-if-bounded must rule out before promoting a canary not proven within
 * tolerance: a doubled error rate (or one more point of errors), half again the response time (or
 * 50 ms more). Kayenta's "critical" effect size, in the same notation as the tolerances.
 */
const DEFAULT_ERROR_CRITICAL_TOLERANCE = '100% or 1pp';
const DEFAULT_LATENCY_CRITICAL_TOLERANCE = '50% or 50ms';
const TIMEOUT_ACTIONS = ['promote-if-bounded', 'promote', 'rollback', 'fail', 'leave'] as const;

/** Reads and checks every input before the gate reads a metric or touches the deployment. */
export function getInputs(inputs: InputReader): CanaryGateInputs {
  const periodSeconds = inputs.integer('period-seconds', 60);
  if (!(PERIODS as readonly number[]).includes(periodSeconds)) {
    inputs.fail(
      'period-seconds',
      '60 or 300 (the periods of standard CloudWatch metrics)',
      String(periodSeconds),
    );
  }
  const replay = inputs.optional('replay');
  const action = inputs.enumeration('action', ['act', 'decide-only'] as const, 'act');
  const deployment = deploymentTarget(inputs);
  if (action === 'act' && !deployment && !replay) {
    throw new ConfigurationError(
      'Input "service-deployment-arn" (or "cluster" and "service") is required when "action" is act; use action: decide-only to only decide.',
    );
  }
  // With a deployment to act on, ECS says which group is the canary: the group inputs are optional.
  const rolesFromEcs = action === 'act' && deployment !== undefined && !replay;
  const { plan, alb } = metricPlan(inputs, periodSeconds, rolesFromEcs);
  const maxDurationMs = inputs.duration('max-duration', '30m', {
    min: periodSeconds * 1000,
    max: 24 * 3_600_000,
  });
  const minDurationMs = inputs.duration('min-duration', `${3 * periodSeconds}s`, {
    min: periodSeconds * 1000,
    max: maxDurationMs,
  });
  const startText = inputs.optional('start-time');
  const startTime = startText === undefined ? undefined : Date.parse(startText);
  if (startTime !== undefined && !Number.isFinite(startTime)) {
    inputs.fail('start-time', 'an ISO 8601 time such as 2026-11-23T17:00:00Z', startText ?? '');
  }
  const region = inputs.optional('region');
  return {
    ...(region ? { region } : {}),
    ...(deployment ? { deployment } : {}),
    plan,
    ...(alb ? { alb } : {}),
    onCancel: inputs.enumeration('on-cancel', ['rollback', 'leave'] as const, 'rollback'),
    alarms: inputs.list('alarms'),
    falseRollbackRate: inputs.number('false-rollback-rate', 0.01, { min: 0.0001, max: 0.2 }),
    periodMs: periodSeconds * 1000,
    publishDelayMs: inputs.duration('publish-delay', '60s', { min: 0, max: 600_000 }),
    minDurationMs,
    maxDurationMs,
    minRequests: inputs.integer('min-requests', 500, { min: 0 }),
    onTimeout: inputs.enumeration('on-timeout', TIMEOUT_ACTIONS, 'promote-if-bounded'),
    lookbackMs: inputs.duration('lookback', '60m', { min: 0, max: 24 * 3_600_000 }),
    action,
    failOnRollback: inputs.boolean('fail-on-rollback', true),
    ...(replay ? { replay } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
  };
}

function deploymentTarget(inputs: InputReader): DeploymentTarget | undefined {
  const arn = inputs.optional('service-deployment-arn');
  const cluster = inputs.optional('cluster');
  const service = inputs.optional('service');
  if (arn) {
    if (!/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/.+/.test(arn)) {
      inputs.fail(
        'service-deployment-arn',
        'an ECS service deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/...)',
        arn,
      );
    }
    return { serviceDeploymentArn: arn };
  }
  if (cluster && service) return { cluster, service };
  if (cluster || service) {
    throw new ConfigurationError(
      'Inputs "cluster" and "service" go together: give both, or "service-deployment-arn".',
    );
  }
  return undefined;
}

function tolerance(inputs: InputReader, name: string, fallback: string): Tolerance {
  const text = inputs.string(name, fallback);
  try {
    return parseTolerance(text);
  } catch {
    return inputs.fail(name, 'a tolerance such as 20%, 0.1pp, 50ms, or "20% or 0.1pp"', text);
  }
}

function metricPlan(
  inputs: InputReader,
  periodSeconds: number,
  rolesFromEcs: boolean,
): { plan: MetricPlan; alb?: AlbSelection } {
  const loadBalancer = inputs.optional('load-balancer');
  const canaryTargetGroup = inputs.optional('canary-target-group');
  const baselineTargetGroup = inputs.optional('baseline-target-group');
  const groupsGiven = [canaryTargetGroup, baselineTargetGroup].filter(Boolean).length;
  if (!loadBalancer && groupsGiven > 0) {
    throw new ConfigurationError(
      'Inputs "canary-target-group" and "baseline-target-group" need "load-balancer": give it for the load balancer metrics.',
    );
  }
  if (loadBalancer && groupsGiven < 2 && !rolesFromEcs) {
    throw new ConfigurationError(
      'Inputs "load-balancer", "canary-target-group" and "baseline-target-group" go together without a deployment to act on: give all three, or action act with the deployment so the gate reads the target groups from ECS.',
    );
  }
  const custom = inputs.yaml('metrics');
  const parsed = custom ? parseMetrics(custom.value, periodSeconds) : { metrics: [] };
  if (loadBalancer) {
    const lb = loadBalancerDimension(loadBalancer, 'load-balancer');
    const canary = canaryTargetGroup
      ? targetGroupDimension(canaryTargetGroup, 'canary-target-group')
      : undefined;
    const baseline = baselineTargetGroup
      ? targetGroupDimension(baselineTargetGroup, 'baseline-target-group')
      : undefined;
    if (canary && canary === baseline) {
      throw new ConfigurationError(
        'Inputs "canary-target-group" and "baseline-target-group" name the same target group.',
      );
    }
    if (parsed.requests) {
      throw new ConfigurationError(
        'Input "metrics" has a metric of kind "requests", but the load balancer inputs already give the request counts.',
      );
    }
    const alb: AlbSelection = {
      loadBalancer: lb,
      ...(canary ? { canaryTargetGroup: canary } : {}),
      ...(baseline ? { baselineTargetGroup: baseline } : {}),
      options: {
        periodSeconds,
        errorTolerance: tolerance(inputs, 'error-tolerance', DEFAULT_ERROR_TOLERANCE),
        latencyTolerance: tolerance(inputs, 'latency-tolerance', DEFAULT_LATENCY_TOLERANCE),
        errorCriticalTolerance: tolerance(
          inputs,
          'error-critical-tolerance',
          DEFAULT_ERROR_CRITICAL_TOLERANCE,
        ),
        latencyCriticalTolerance: tolerance(
          inputs,
          'latency-critical-tolerance',
          DEFAULT_LATENCY_CRITICAL_TOLERANCE,
        ),
        latencyStatistic: latencyStatistic(inputs),
      },
      custom: parsed.metrics,
    };
    // Until ECS names the groups, placeholders keep the plan's shape (its specs and query Ids).
    const plan = albPlan(
      alb,
      canary ?? 'targetgroup/canary-from-ecs/0',
      baseline ?? 'targetgroup/baseline-from-ecs/1',
    );
    return { plan, alb };
  }
  if (!parsed.requests) {
    throw new ConfigurationError(
      'No request counts: give "load-balancer" (and, without a deployment to act on, "canary-target-group" and "baseline-target-group"), or a metric of kind "requests" in "metrics".',
    );
  }
  if (parsed.metrics.length === 0)
    throw new ConfigurationError('Input "metrics" has no metric of kind rate or level to judge.');
  return { plan: { requests: parsed.requests, metrics: parsed.metrics } };
}

function latencyStatistic(inputs: InputReader): string {
  const value = inputs.string('latency-statistic', 'Average');
  if (!/^(Average|p\d{1,2}(\.\d+)?)$/.test(value))
    inputs.fail('latency-statistic', 'Average or a percentile such as p90 or p99.9', value);
  return value;
}
