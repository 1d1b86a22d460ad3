import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  StopServiceDeploymentCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { albTraffic, type TrafficOptions } from '../__fixtures__/traffic.js';
import { albPresetMetrics, albRequestQueries } from '../src/alb-preset.js';
import { AlarmWatch } from '../src/alarms.js';
import { DeploymentControl } from '../src/deployment-control.js';
import { parseTolerance } from '../src/engine/tolerance.js';
import type { GateConfig } from '../src/engine/types.js';
import { runGateLoop } from '../src/gate-loop.js';
import { allQueries, type MetricPlan } from '../src/metric-definitions.js';
import { ReplaySource } from '../src/replay-source.js';

// The gate's loop with scripted AWS: the ECS deployment lifecycle (pauses, continue, rollback) is an
// aws-sdk-client-mock script in the API's real shapes, metrics come from seeded traffic, and the
// clock is simulated, so a 30-minute canary runs in milliseconds.
const start = Date.UTC(2026, 10, 23, 12, 0);
const arn = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/dep-2';
const targets = {
  loadBalancer: 'app/api/50dc6c495c0c9188',
  canaryTargetGroup: 'targetgroup/green/6d0ecf831eec9f09',
  baselineTargetGroup: 'targetgroup/blue/1d0ecf831eec9f01',
};

function plan(errorTolerance = '20% or 0.5pp', latencyTolerance = '20%'): MetricPlan {
  return {
    requests: albRequestQueries(targets, 60),
    metrics: albPresetMetrics(targets, {
      periodSeconds: 60,
      errorTolerance: parseTolerance(errorTolerance),
      latencyTolerance: parseTolerance(latencyTolerance),
      latencyStatistic: 'Average',
    }),
  };
}

function gateConfig(metricPlan: MetricPlan, overrides: Partial<GateConfig> = {}): GateConfig {
  return {
    metrics: metricPlan.metrics.map((metric) => metric.spec),
    falseRollbackRate: 0.01,
    minDurationPeriods: 3,
    maxDurationPeriods: 30,
    minRequests: 500,
    onTimeout: 'fail',
    ...overrides,
  };
}

async function source(metricPlan: MetricPlan, traffic: Partial<TrafficOptions>): Promise<ReplaySource> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gate-loop-')), 'metrics.json');
  const exported = albTraffic({
    start,
    minutes: 40,
    canaryRequestsPerMinute: 600,
    baselineRequestsPerMinute: 2400,
    baselineErrorRate: 0.002,
    errorRatio: 1,
    baselineLatency: 0.2,
    latencyRatio: 1,
    seed: 7,
    ...traffic,
  });
  writeFileSync(file, JSON.stringify(exported));
  return ReplaySource.load([file], allQueries(metricPlan));
}

/** A canary deployment that waits at a PAUSE hook before each production traffic shift. */
function scriptDeployment(pauses: number) {
  const ecs = mockClient(ECSClient);
  let hook = 1;
  let status: ServiceDeployment['status'] = 'IN_PROGRESS';
  const current = (): ServiceDeployment => ({
    serviceDeploymentArn: arn,
    status,
    lifecycleStage: status === 'IN_PROGRESS' ? 'PRODUCTION_TRAFFIC_SHIFT' : 'CLEAN_UP',
    lifecycleHookDetails:
      status === 'IN_PROGRESS'
        ? [{ hookId: `hook-${hook}`, targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
        : [],
    targetServiceRevision: { arn: 'rev-2', requestedProductionTrafficWeight: Math.min(100, hook * 20) },
  });
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => ({ serviceDeployments: [current()] }));
  ecs.on(ContinueServiceDeploymentCommand).callsFake((input: { action?: string }) => {
    if (input.action === 'ROLLBACK') status = 'ROLLBACK_IN_PROGRESS';
    else if (hook >= pauses) status = 'SUCCESSFUL';
    else hook += 1;
    return { serviceDeploymentArn: arn };
  });
  ecs.on(StopServiceDeploymentCommand).callsFake(() => {
    status = 'ROLLBACK_IN_PROGRESS';
    return { serviceDeploymentArn: arn };
  });
  return ecs;
}

const settings = (metricPlan: MetricPlan, overrides: Partial<GateConfig> = {}) => ({
  plan: metricPlan,
  gate: gateConfig(metricPlan, overrides),
  start,
  periodMs: 60_000,
  publishDelayMs: 60_000,
  maxDurationMs: 30 * 60_000,
});

describe('runGateLoop', () => {
  it('rolls back a 5xx regression at the waiting pause, with the reason', async () => {
    const metricPlan = plan();
    const ecs = scriptDeployment(1);
    const logger = new MemoryLogger();
    const control = await DeploymentControl.attach(new ECSClient({ region: 'eu-west-1' }), logger, {
      serviceDeploymentArn: arn,
    });
    const outcome = await runGateLoop(
      {
        source: await source(metricPlan, { errorRatio: 8 }),
        clock: new SimulatedClock(start),
        logger,
        control,
      },
      settings(metricPlan),
    );
    expect(outcome.decision).toBe('rollback');
    expect(outcome.reason).toMatch(/5xx rate/);
    expect(outcome.actions).toEqual(['ContinueServiceDeployment ROLLBACK (hook hook-1)']);
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(outcome.elapsedMs).toBeLessThan(15 * 60_000);
    expect(logger.lines.some((line) => /^\[12:0\d\] canary \d+ req/.test(line))).toBe(true);
  });

  it('promotes a healthy canary through every pause of a linear deployment until ECS finishes', async () => {
    const metricPlan = plan('20% or 0.5pp', '20% or 50ms');
    const ecs = scriptDeployment(3);
    const logger = new MemoryLogger();
    const control = await DeploymentControl.attach(new ECSClient({ region: 'eu-west-1' }), logger, {
      serviceDeploymentArn: arn,
    });
    const outcome = await runGateLoop(
      { source: await source(metricPlan, {}), clock: new SimulatedClock(start), logger, control },
      settings(metricPlan),
    );
    expect(outcome.decision).toBe('promote');
    expect(outcome.deploymentStatus).toBe('SUCCESSFUL');
    expect(
      ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.hookId),
    ).toEqual(['hook-1', 'hook-2', 'hook-3']);
    expect(logger.lines.some((line) => line.startsWith('Promote: '))).toBe(true);
  });

  it('rolls back at once when an alarm fires, by stopping the deployment when no pause waits', async () => {
    const metricPlan = plan();
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: 'IN_PROGRESS',
          lifecycleStage: 'BAKE_TIME',
          lifecycleHookDetails: [],
        },
      ],
    });
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'api-p99', StateValue: 'OK' }] })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'api-p99', StateValue: 'OK' }] })
      .resolves({
        MetricAlarms: [
          { AlarmName: 'api-p99', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 3 datapoints > 1.5' },
        ],
      });
    const logger = new MemoryLogger();
    const alarms = new AlarmWatch(new CloudWatchClient({ region: 'eu-west-1' }), ['api-p99']);
    await alarms.verify();
    const control = await DeploymentControl.attach(new ECSClient({ region: 'eu-west-1' }), logger, {
      serviceDeploymentArn: arn,
    });
    const outcome = await runGateLoop(
      { source: await source(metricPlan, {}), clock: new SimulatedClock(start), logger, control, alarms },
      settings(metricPlan),
    );
    expect(outcome).toMatchObject({
      decision: 'rollback',
      rule: 'alarm',
      actions: ['StopServiceDeployment ROLLBACK'],
    });
    expect(outcome.reason).toBe(
      'Alarm "api-p99" went into ALARM (Threshold Crossed: 3 datapoints > 1.5), so the canary is rolled back without waiting for the statistics.',
    );
    expect(outcome.triggeredAlarms).toEqual([
      { name: 'api-p99', state: 'ALARM', reason: 'Threshold Crossed: 3 datapoints > 1.5' },
    ]);
  });

  it('reports a deployment that ECS ended by itself', async () => {
    const metricPlan = plan();
    const ecs = mockClient(ECSClient);
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [{ serviceDeploymentArn: arn, status: 'IN_PROGRESS' }] })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: arn, status: 'ROLLBACK_SUCCESSFUL' }] });
    const logger = new MemoryLogger();
    const control = await DeploymentControl.attach(new ECSClient({ region: 'eu-west-1' }), logger, {
      serviceDeploymentArn: arn,
    });
    const outcome = await runGateLoop(
      { source: await source(metricPlan, {}), clock: new SimulatedClock(start), logger, control },
      settings(metricPlan),
    );
    expect(outcome).toMatchObject({ decision: 'rollback', rule: 'deployment-ended', actions: [] });
    expect(outcome.reason).toBe('ECS ended the deployment as ROLLBACK_SUCCESSFUL before the gate decided.');
  });

  it('decides only, without a deployment, and stays inconclusive on thin data until the timeout', async () => {
    const metricPlan = plan('20%', '20%');
    const clock = new SimulatedClock(start);
    const outcome = await runGateLoop(
      {
        source: await source(metricPlan, { canaryRequestsPerMinute: 5, baselineRequestsPerMinute: 20 }),
        clock,
        logger: new MemoryLogger(),
      },
      {
        ...settings(metricPlan),
        maxDurationMs: 10 * 60_000,
        ...{ gate: gateConfig(metricPlan, { maxDurationPeriods: 10 }) },
      },
    );
    expect(outcome.decision).toBe('inconclusive');
    expect(outcome.actions).toEqual([]);
    expect(outcome.timeline.length).toBeLessThanOrEqual(10);
    expect(clock.now() - start).toBeLessThanOrEqual(10 * 60_000 + 2 * 60_000);
  });

  it('never reads a period before CloudWatch has published it', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    const replay = await source(metricPlan, { errorRatio: 8 });
    const reads: Array<{ end: number; now: number }> = [];
    const watched = {
      get calls() {
        return replay.calls;
      },
      read: (queries: Parameters<ReplaySource['read']>[0], window: Parameters<ReplaySource['read']>[1]) => {
        reads.push({ end: window.end, now: clock.now() });
        return replay.read(queries, window);
      },
    };
    await runGateLoop({ source: watched, clock, logger: new MemoryLogger() }, settings(metricPlan));
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.end + 60_000).toBeLessThanOrEqual(read.now);
  });
});
