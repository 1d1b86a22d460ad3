import { describe, expect, it } from '@jest/globals';
import { InputReader } from '@ecs-ship/shared/inputs';
import { getInputs } from '../src/inputs.js';

const alb = {
  'load-balancer': 'app/api/50dc6c495c0c9188',
  'canary-target-group': 'targetgroup/green/6d0ecf831eec9f09',
  'baseline-target-group': 'targetgroup/blue/1d0ecf831eec9f01',
};
const read = (values: Record<string, string>) => getInputs(new InputReader((name) => values[name] ?? ''));
const arn = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/abc123';

describe('canary-gate inputs', () => {
  it('builds the load balancer preset with defaults', () => {
    const inputs = read({ ...alb, 'service-deployment-arn': arn });
    expect(inputs).toMatchObject({
      deployment: { serviceDeploymentArn: arn },
      falseRollbackRate: 0.01,
      periodMs: 60_000,
      publishDelayMs: 60_000,
      minDurationMs: 180_000,
      maxDurationMs: 1_800_000,
      minRequests: 500,
      onTimeout: 'promote-if-bounded',
      lookbackMs: 3_600_000,
      action: 'act',
      failOnRollback: true,
    });
    expect(inputs.plan.metrics.map((metric) => metric.spec.criticalTolerance)).toEqual([
      { relative: 1, absolute: 0.01 },
      { relative: 0.5, absolute: 0.05 },
    ]);
    expect(inputs.plan.requests.canary.Id).toBe('alb_requests_canary');
    expect(inputs.plan.metrics.map((metric) => [metric.spec.name, metric.spec.tolerance])).toEqual([
      ['alb_5xx', { relative: 0.5, absolute: 0.0025 }],
      ['alb_latency', { relative: 0.2, absolute: 0.01 }],
    ]);
    expect(inputs.plan.metrics[1]?.canary.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: 'app/api/50dc6c495c0c9188' },
      { Name: 'TargetGroup', Value: 'targetgroup/green/6d0ecf831eec9f09' },
    ]);
  });

  it('reads critical tolerances, lookback and the timeout policies', () => {
    const inputs = read({
      ...alb,
      action: 'decide-only',
      'error-critical-tolerance': '200%',
      'latency-critical-tolerance': '100ms',
      lookback: '0',
      'on-timeout': 'leave',
    });
    expect(inputs.plan.metrics.map((metric) => metric.spec.criticalTolerance)).toEqual([
      { relative: 2 },
      { absolute: 0.1 },
    ]);
    expect(inputs).toMatchObject({ lookbackMs: 0, onTimeout: 'leave' });
    expect(() => read({ ...alb, action: 'decide-only', 'error-critical-tolerance': 'double' })).toThrow(
      'Input "error-critical-tolerance" must be a tolerance such as 20%, 0.1pp, 50ms, or "20% or 0.1pp"; got "double".',
    );
  });

  it('with a deployment to act on, takes the load balancer alone: ECS says which group is the canary', () => {
    const inputs = read({ 'load-balancer': alb['load-balancer'], 'service-deployment-arn': arn });
    expect(inputs.alb).toMatchObject({ loadBalancer: 'app/api/50dc6c495c0c9188' });
    expect(inputs.alb?.canaryTargetGroup).toBeUndefined();
    expect(inputs.alb?.baselineTargetGroup).toBeUndefined();
    // One group given is kept as a cross-check against what ECS reports.
    const one = read({
      'load-balancer': alb['load-balancer'],
      'canary-target-group': alb['canary-target-group'],
      'service-deployment-arn': arn,
    });
    expect(one.alb).toMatchObject({ canaryTargetGroup: 'targetgroup/green/6d0ecf831eec9f09' });
    expect(one.alb?.baselineTargetGroup).toBeUndefined();
  });

  it('answers a cancelled gate with ROLLBACK unless on-cancel says leave', () => {
    expect(read({ ...alb, 'service-deployment-arn': arn }).onCancel).toBe('rollback');
    expect(read({ ...alb, 'service-deployment-arn': arn, 'on-cancel': 'leave' }).onCancel).toBe('leave');
  });

  it.each([
    [
      { ...alb },
      'Input "service-deployment-arn" (or "cluster" and "service") is required when "action" is act',
    ],
    [{ ...alb, cluster: 'prod' }, 'Inputs "cluster" and "service" go together'],
    [
      { ...alb, 'service-deployment-arn': arn, 'on-cancel': 'continue' },
      'Input "on-cancel" must be one of rollback, leave; got "continue".',
    ],
    [
      { 'canary-target-group': alb['canary-target-group'], 'service-deployment-arn': arn },
      'Inputs "canary-target-group" and "baseline-target-group" need "load-balancer"',
    ],
    [
      { 'load-balancer': alb['load-balancer'], action: 'decide-only' },
      'Inputs "load-balancer", "canary-target-group" and "baseline-target-group" go together',
    ],
    [{ action: 'decide-only' }, 'No request counts'],
    [
      { ...alb, action: 'decide-only', 'false-rollback-rate': '5' },
      'Input "false-rollback-rate" must be a number from 0.0001 to 0.2; got "5".',
    ],
    [
      { ...alb, action: 'decide-only', 'error-tolerance': 'a lot' },
      'Input "error-tolerance" must be a tolerance such as 20%',
    ],
    [
      { ...alb, action: 'decide-only', 'on-timeout': 'wait' },
      'Input "on-timeout" must be one of promote-if-bounded, promote, rollback, fail, leave; got "wait".',
    ],
    [{ ...alb, action: 'decide-only', 'period-seconds': '10' }, 'Input "period-seconds" must be 60 or 300'],
    [
      { ...alb, action: 'decide-only', 'latency-statistic': 'median' },
      'Input "latency-statistic" must be Average or a percentile',
    ],
    [
      { ...alb, 'service-deployment-arn': 'deployment-1' },
      'Input "service-deployment-arn" must be an ECS service deployment ARN',
    ],
    [
      { ...alb, action: 'decide-only', 'max-duration': '30s' },
      'Input "max-duration" must be a duration such as 90s, 5m or 1h, from 1m to 24h',
    ],
    [
      { ...alb, action: 'decide-only', 'canary-target-group': alb['baseline-target-group'] },
      'name the same target group',
    ],
    [
      { ...alb, action: 'decide-only', 'start-time': 'yesterday' },
      'Input "start-time" must be an ISO 8601 time',
    ],
  ])('rejects %j', (values, message) => {
    expect(() => read(values as Record<string, string>)).toThrow(message);
  });
});
