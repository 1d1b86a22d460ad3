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
import { albTraffic, HEALTHY_TRAFFIC, type TrafficOptions } from '../__fixtures__/traffic.js';
import { albPresetMetrics, albRequestQueries, albUnhealthyQueries } from '../src/alb-preset.js';
import { AlarmWatch } from '../src/alarms.js';
import { DeploymentControl } from '../src/deployment-control.js';
import { parseTolerance } from '../src/engine/tolerance.js';
import type { GateConfig } from '../src/engine/types.js';
import { runGateLoop, shareContradictsWeight, type GateLoopDependencies } from '../src/gate-loop.js';
import { allQueries, type MetricPlan } from '../src/metric-definitions.js';
import type { MetricSource } from '../src/metric-source.js';
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

function plan(errorTolerance = '20% or 0.5pp', latencyTolerance = '20% or 50ms'): MetricPlan {
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

function settings(metricPlan: MetricPlan, gate: Partial<GateConfig> = {}, maxDurationMs = 30 * 60_000) {
  return {
    plan: metricPlan,
    gate: {
      metrics: metricPlan.metrics.map((metric) => metric.spec),
      falseRollbackRate: 0.01,
      minDurationPeriods: 3,
      maxDurationPeriods: maxDurationMs / 60_000,
      minRequests: 500,
      onTimeout: 'fail' as const,
      ...gate,
    },
    start,
    periodMs: 60_000,
    publishDelayMs: 60_000,
    maxDurationMs,
  };
}

async function source(metricPlan: MetricPlan, traffic: Partial<TrafficOptions>): Promise<ReplaySource> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gate-loop-')), 'metrics.json');
  writeFileSync(file, JSON.stringify(albTraffic({ ...HEALTHY_TRAFFIC, start, ...traffic })));
  return ReplaySource.load([file], allQueries(metricPlan));
}

interface ScriptOptions {
  /** Pauses before production traffic shifts, the first at 0% traffic when `firstAtZero`. */
  pauses: number;
  strategy?: 'CANARY' | 'LINEAR';
  firstAtZero?: boolean;
  /** Time ECS takes after a CONTINUE before the next pause (a step's bake). */
  stepMs?: number;
  /** A status ECS reaches by itself at this moment (its own alarm or bake). */
  endsAs?: { at: number; status: ServiceDeployment['status']; statusReason?: string };
  /** ECS does not report requestedProductionTrafficWeight (an optional field left out). */
  weightUnknown?: boolean;
  /** ECS reports this weight at every step (the traffic fixture does not follow the steps). */
  fixedWeight?: number;
  /**
   * The n-th CONTINUE (1-based) fails this way; `applied` means ECS took the answer but the response
   * was lost, so the resend is refused as already answered.
   */
  continueFault?: { call: number; error: Error; applied?: boolean };
}

/** A canary or linear deployment that waits at a PAUSE hook before each production traffic shift. */
function scriptDeployment(clock: SimulatedClock, options: ScriptOptions) {
  const ecs = mockClient(ECSClient);
  let hook = options.firstAtZero ? 0 : 1;
  let status: ServiceDeployment['status'] = 'IN_PROGRESS';
  let awaitingFrom = clock.now();
  const weight = () => options.fixedWeight ?? Math.min(100, hook * (100 / options.pauses));
  const current = (): ServiceDeployment => {
    if (options.endsAs && clock.now() >= options.endsAs.at && status === 'IN_PROGRESS')
      status = options.endsAs.status;
    const waiting = status === 'IN_PROGRESS' && clock.now() >= awaitingFrom;
    return {
      serviceDeploymentArn: arn,
      status,
      lifecycleStage: status === 'IN_PROGRESS' ? 'PRODUCTION_TRAFFIC_SHIFT' : 'CLEAN_UP',
      deploymentConfiguration: { strategy: options.strategy ?? 'LINEAR' },
      lifecycleHookDetails: waiting
        ? [{ hookId: `hook-${hook}`, targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
        : [],
      ...(status === 'STOPPED' && options.endsAs?.statusReason
        ? { statusReason: options.endsAs.statusReason }
        : {}),
      targetServiceRevision: {
        arn: 'rev-2',
        ...(options.weightUnknown ? {} : { requestedProductionTrafficWeight: weight() }),
      },
    };
  };
  let continueCalls = 0;
  let lostAnswer: string | undefined;
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => ({ serviceDeployments: [current()] }));
  ecs.on(ContinueServiceDeploymentCommand).callsFake((input: { action?: string; hookId?: string }) => {
    continueCalls += 1;
    if (lostAnswer === input.hookId) {
      // ECS moved on with the answer it took; the resend is refused.
      lostAnswer = undefined;
      hook += 1;
      awaitingFrom = clock.now() + (options.stepMs ?? 0);
      throw Object.assign(new Error(`The lifecycle hook ${input.hookId} has already been answered.`), {
        name: 'InvalidParameterException',
      });
    }
    const fault = options.continueFault;
    if (fault && continueCalls === fault.call && !fault.applied) throw fault.error;
    if (input.hookId !== `hook-${hook}` || clock.now() < awaitingFrom) {
      throw Object.assign(new Error(`hook ${input.hookId} is not awaiting action`), {
        name: 'InvalidParameterException',
      });
    }
    if (input.action === 'ROLLBACK') status = 'ROLLBACK_IN_PROGRESS';
    else if (fault?.applied && continueCalls === fault.call) {
      // ECS took the answer, the response was lost: the hook waits a moment more, then moves on.
      lostAnswer = input.hookId;
      throw fault.error;
    } else if (hook >= options.pauses) status = 'SUCCESSFUL';
    else {
      hook += 1;
      awaitingFrom = clock.now() + (options.stepMs ?? 0);
    }
    return { serviceDeploymentArn: arn };
  });
  ecs.on(StopServiceDeploymentCommand).callsFake(() => {
    status = 'ROLLBACK_IN_PROGRESS';
    return { serviceDeploymentArn: arn };
  });
  return ecs;
}

async function attached(
  clock: SimulatedClock,
  metricSource: MetricSource,
  logger = new MemoryLogger(),
): Promise<GateLoopDependencies> {
  const control = await DeploymentControl.attach(new ECSClient({ region: 'eu-west-1' }), logger, {
    serviceDeploymentArn: arn,
  });
  return { source: metricSource, clock, logger, control };
}

describe('runGateLoop', () => {
  it('rolls back a 5xx regression at the waiting pause, with the reason, reading each period once', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    const ecs = scriptDeployment(clock, { pauses: 1, strategy: 'CANARY' });
    const deps = await attached(clock, await source(metricPlan, { errorRatio: 8 }));
    const outcome = await runGateLoop(deps, settings(metricPlan));
    expect(outcome).toMatchObject({
      decision: 'rollback',
      rule: 'critical-regression',
      actions: ['ContinueServiceDeployment ROLLBACK (hook hook-1)'],
    });
    expect(outcome.reason).toMatch(/^5xx rate on the canary is/);
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    const starts = outcome.timeline.map((entry) => entry.periodStart);
    expect(starts).toEqual(starts.map((_, index) => start + index * 60_000));
    expect((deps.logger as MemoryLogger).lines.some((line) => /^\[12:0\d\] canary \d+ req/.test(line))).toBe(
      true,
    );
  });

  it('continues the zero-traffic first pause, promotes, then continues every step until ECS finishes', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    const ecs = scriptDeployment(clock, { pauses: 4, firstAtZero: true, stepMs: 3 * 60_000 });
    const outcome = await runGateLoop(
      await attached(clock, await source(metricPlan, { canaryStartMinute: 1 })),
      settings(metricPlan),
    );
    expect(outcome).toMatchObject({ decision: 'promote', deploymentStatus: 'SUCCESSFUL' });
    expect(
      ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.hookId),
    ).toEqual(['hook-0', 'hook-1', 'hook-2', 'hook-3', 'hook-4']);
    expect(outcome.timeline[0]?.leaning).toBe('waiting for the canary to take traffic');
  });

  it('keeps judging after the promotion and rolls back a regression that appears at a later step', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    scriptDeployment(clock, { pauses: 10, stepMs: 4 * 60_000 });
    const traffic = await source(metricPlan, { minutes: 60, lateFromMinute: 14, lateErrorRatio: 12 });
    const outcome = await runGateLoop(await attached(clock, traffic), settings(metricPlan));
    expect(outcome.decision).toBe('rollback');
    expect(outcome.reason).toMatch(/^After the promotion, 5xx rate/);
    expect(
      outcome.actions.filter((action) => action.startsWith('ContinueServiceDeployment CONTINUE')).length,
    ).toBeGreaterThan(0);
    expect(outcome.actions.at(-1)).toMatch(/ROLLBACK/);
  });

  it('still judges 40 minutes into a promoted linear deployment, past the first watch, and rolls back', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    const logger = new MemoryLogger();
    scriptDeployment(clock, { pauses: 10, stepMs: 6 * 60_000 });
    const traffic = await source(metricPlan, { minutes: 90, lateFromMinute: 40, lateErrorRatio: 12 });
    const outcome = await runGateLoop(
      await attached(clock, traffic, logger),
      settings(metricPlan, {}, 15 * 60_000),
    );
    expect(outcome.decision).toBe('rollback');
    expect(outcome.reason).toMatch(/^After the promotion, 5xx rate/);
    expect(outcome.actions.at(-1)).toMatch(/ROLLBACK/);
    // One test from the first period on, at the one false-rollback rate: no second budget.
    expect(outcome.report.metrics[0]?.statistics.rollbackAlpha).toBeCloseTo(0.01 * 0.8, 12);
    expect(logger.lines.some((line) => /fresh one|false-rollback rate 0\.005/.test(line))).toBe(false);
    expect(clock.now() - start).toBeGreaterThan(40 * 60_000);
  });

  it('tells when a promoted canary has no pause left, so a cancel then leaves it to finish', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    // The pause is answered, then ECS bakes for 20 minutes before its own last step.
    scriptDeployment(clock, { pauses: 2, strategy: 'CANARY', stepMs: 20 * 60_000 });
    const cancel = new AbortController();
    const deps = { ...(await attached(clock, await source(metricPlan, {}))), signal: cancel.signal };
    const outcome = await runGateLoop(deps, {
      ...settings(metricPlan),
      onPromotedWithoutPausesLeft: () => cancel.abort(),
    });
    expect(outcome).toMatchObject({
      decision: 'inconclusive',
      rule: 'cancelled',
      promoted: true,
      pauseMayFollow: false,
    });
  });

  it('never says so for a promoted linear deployment: its next step pauses again', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    scriptDeployment(clock, { pauses: 4, firstAtZero: true, stepMs: 3 * 60_000 });
    let told = 0;
    const outcome = await runGateLoop(
      await attached(clock, await source(metricPlan, { canaryStartMinute: 1 })),
      { ...settings(metricPlan), onPromotedWithoutPausesLeft: () => (told += 1) },
    );
    expect(outcome).toMatchObject({ decision: 'promote', promoted: true, pauseMayFollow: false });
    expect(told).toBe(0);
  });

  it('rolls back at once when an alarm fires, by stopping the deployment when no pause waits', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    scriptDeployment(clock, { pauses: 1, stepMs: 0, endsAs: undefined });
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
    const alarms = new AlarmWatch(new CloudWatchClient({ region: 'eu-west-1' }), ['api-p99']);
    await alarms.verify();
    const outcome = await runGateLoop(
      { ...(await attached(clock, await source(metricPlan, {}))), alarms },
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
    const clock = new SimulatedClock(start);
    scriptDeployment(clock, { pauses: 3, endsAs: { at: start + 90_000, status: 'ROLLBACK_SUCCESSFUL' } });
    const outcome = await runGateLoop(
      await attached(clock, await source(metricPlan, {})),
      settings(metricPlan),
    );
    expect(outcome).toMatchObject({ decision: 'rollback', rule: 'deployment-ended', actions: [] });
    expect(outcome.reason).toBe('ECS ended the deployment as ROLLBACK_SUCCESSFUL before the gate decided.');
  });

  it('keeps a rollback decided in the poll in which ECS completed the deployment', async () => {
    const metricPlan = plan();
    const traffic = { errorRatio: 30 };
    // When does the evidence decide? Then let ECS complete on its own (bake time, no pause) at
    // exactly that moment, so both arrive in the same poll.
    const alone = await runGateLoop(
      {
        source: await source(metricPlan, traffic),
        clock: new SimulatedClock(start),
        logger: new MemoryLogger(),
      },
      settings(metricPlan),
    );
    expect(alone.decision).toBe('rollback');
    const clock = new SimulatedClock(start);
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: clock.now() >= start + alone.elapsedMs ? 'SUCCESSFUL' : 'IN_PROGRESS',
          lifecycleHookDetails: [],
        },
      ],
    }));
    const outcome = await runGateLoop(
      await attached(clock, await source(metricPlan, traffic)),
      settings(metricPlan),
    );
    expect(outcome.decision).toBe('rollback');
    expect(outcome.reason).toMatch(
      /ECS had already completed the deployment: redeploy the previous revision\.$/,
    );
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  const timeouts: Array<[GateConfig['onTimeout'], string, string[]]> = [
    ['promote', 'promote', ['ContinueServiceDeployment CONTINUE (hook hook-1)']],
    ['rollback', 'rollback', ['ContinueServiceDeployment ROLLBACK (hook hook-1)']],
    ['fail', 'inconclusive', []],
  ];
  it.each(timeouts)('at max-duration with on-timeout %s decides %s', async (onTimeout, decision, actions) => {
    const metricPlan = plan('20%', '20%');
    const clock = new SimulatedClock(start);
    scriptDeployment(clock, { pauses: 1 });
    const thin = await source(metricPlan, { canaryRequestsPerMinute: 20, baselineRequestsPerMinute: 80 });
    const outcome = await runGateLoop(
      await attached(clock, thin),
      settings(metricPlan, { onTimeout }, 8 * 60_000),
    );
    expect(outcome).toMatchObject({ decision, actions });
    expect(outcome.rule).toBe('timeout');
    if (onTimeout === 'fail') expect(outcome.reason).toMatch(/The deployment waits at pause hook-1\.$/);
  });

  it('stops when cancelled and says where the deployment waits', async () => {
    const metricPlan = plan();
    const controller = new AbortController();
    const clock = new SimulatedClock(start, (now) => {
      if (now >= start + 5 * 60_000) controller.abort();
    });
    scriptDeployment(clock, { pauses: 1 });
    const deps = await attached(clock, await source(metricPlan, { canaryRequestsPerMinute: 20 }));
    const outcome = await runGateLoop({ ...deps, signal: controller.signal }, settings(metricPlan));
    expect(outcome).toMatchObject({ decision: 'inconclusive', rule: 'cancelled', actions: [] });
    expect(outcome.reason).toBe(
      'The workflow run was cancelled before the gate decided. The deployment waits at pause hook-1.',
    );
  });

  it('outlives a few failed reads, and gives up with the error after four in a row', async () => {
    const metricPlan = plan();
    const replay = await source(metricPlan, { errorRatio: 8 });
    const throttled = () =>
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    let failures = 2;
    const flaky: MetricSource = {
      calls: 0,
      read: async (queries, window) => {
        if (failures-- > 0) throw throttled();
        return replay.read(queries, window);
      },
    };
    const logger = new MemoryLogger();
    const outcome = await runGateLoop(
      { source: flaky, clock: new SimulatedClock(start), logger },
      settings(metricPlan),
    );
    expect(outcome.decision).toBe('rollback');
    expect(logger.lines.filter((line) => line.startsWith('Poll failed'))).toEqual([
      'Poll failed (1 of 4 in a row): ThrottlingException: Rate exceeded',
      'Poll failed (2 of 4 in a row): ThrottlingException: Rate exceeded',
    ]);
    const broken: MetricSource = {
      calls: 0,
      read: async () => {
        throw throttled();
      },
    };
    const failed = await runGateLoop(
      { source: broken, clock: new SimulatedClock(start), logger },
      settings(metricPlan),
    );
    expect(failed).toMatchObject({ decision: 'inconclusive', rule: 'error' });
    expect(failed.reason).toBe('The gate stopped on an error: ThrottlingException: Rate exceeded.');
  });

  it('decides only, without a deployment, and stays inconclusive on thin data until the timeout', async () => {
    const metricPlan = plan('20%', '20%');
    const clock = new SimulatedClock(start);
    const thin = await source(metricPlan, { canaryRequestsPerMinute: 5, baselineRequestsPerMinute: 20 });
    const outcome = await runGateLoop(
      { source: thin, clock, logger: new MemoryLogger() },
      settings(metricPlan, {}, 10 * 60_000),
    );
    expect(outcome).toMatchObject({ decision: 'inconclusive', rule: 'timeout', actions: [] });
    expect(outcome.timeline.length).toBeLessThanOrEqual(10);
    expect(clock.now() - start).toBeLessThanOrEqual(12 * 60_000);
  });

  it('never reads a period before CloudWatch has published it, and reads once per new period', async () => {
    const metricPlan = plan();
    const clock = new SimulatedClock(start);
    const replay = await source(metricPlan, { errorRatio: 8 });
    const reads: Array<{ end: number; now: number }> = [];
    const watched: MetricSource = {
      get calls() {
        return replay.calls;
      },
      read: (queries, window) => {
        reads.push({ end: window.end, now: clock.now() });
        return replay.read(queries, window);
      },
    };
    const outcome = await runGateLoop(
      { source: watched, clock, logger: new MemoryLogger() },
      settings(metricPlan),
    );
    expect(reads.length).toBe(outcome.timeline.length);
    for (const read of reads) expect(read.end + 60_000).toBeLessThanOrEqual(read.now);
  });

  describe('with the facts real ECS deployments bring (issue #8)', () => {
    const transient = () =>
      Object.assign(new Error('Service unavailable'), {
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503 },
      });

    it('keeps answering every pause of a promoted linear deployment past max-duration until ECS finishes', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      const ecs = scriptDeployment(clock, { pauses: 10, stepMs: 6 * 60_000 });
      const traffic = await source(metricPlan, { minutes: 90 });
      const outcome = await runGateLoop(
        await attached(clock, traffic),
        settings(metricPlan, {}, 15 * 60_000),
      );
      expect(outcome).toMatchObject({ decision: 'promote', deploymentStatus: 'SUCCESSFUL' });
      const hooks = ecs
        .commandCalls(ContinueServiceDeploymentCommand)
        .map((call) => call.args[0].input.hookId);
      expect(hooks.at(-1)).toBe('hook-10');
      expect(clock.now() - start).toBeGreaterThan(50 * 60_000);
    });

    it('sends a CONTINUE again after one transient failure', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      const ecs = scriptDeployment(clock, {
        pauses: 4,
        firstAtZero: true,
        stepMs: 3 * 60_000,
        continueFault: { call: 2, error: transient() },
      });
      const outcome = await runGateLoop(
        await attached(clock, await source(metricPlan, { canaryStartMinute: 1 })),
        settings(metricPlan),
      );
      expect(outcome).toMatchObject({ decision: 'promote', deploymentStatus: 'SUCCESSFUL' });
      const hooks = ecs
        .commandCalls(ContinueServiceDeploymentCommand)
        .map((call) => call.args[0].input.hookId);
      expect(hooks.filter((hook) => hook === 'hook-1')).toHaveLength(2);
    });

    it('counts a hook ECS says was already answered as continued (a lost response)', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      scriptDeployment(clock, {
        pauses: 4,
        firstAtZero: true,
        stepMs: 3 * 60_000,
        continueFault: { call: 2, error: transient(), applied: true },
      });
      const outcome = await runGateLoop(
        await attached(clock, await source(metricPlan, { canaryStartMinute: 1 })),
        settings(metricPlan),
      );
      expect(outcome).toMatchObject({ decision: 'promote', deploymentStatus: 'SUCCESSFUL' });
    });

    it('never reads an unknown weight at a pause as the zero-traffic first pause: waits, then fails closed', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      const ecs = scriptDeployment(clock, { pauses: 4, firstAtZero: true, weightUnknown: true });
      const outcome = await runGateLoop(
        await attached(clock, await source(metricPlan, { canaryStartMinute: 60 })),
        settings(metricPlan),
      );
      expect(outcome).toMatchObject({ decision: 'inconclusive', rule: 'unknown-weight' });
      expect(ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
    });

    it('reports a deployment superseded by a newer one as inconclusive, not rollback', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      scriptDeployment(clock, {
        pauses: 1,
        strategy: 'CANARY',
        endsAs: {
          at: start + 4 * 60_000,
          status: 'STOPPED',
          statusReason: 'Superseded by a newer deployment',
        },
      });
      const outcome = await runGateLoop(
        await attached(clock, await source(metricPlan, {})),
        settings(metricPlan),
      );
      expect(outcome).toMatchObject({ decision: 'inconclusive', rule: 'superseded' });
    });

    it('refuses to judge when the canary group takes a share far from the weight ECS reports', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      // ECS reports 10% for the new revision, but the "canary" group serves 80%: the groups are swapped.
      const ecs = scriptDeployment(clock, { pauses: 10 });
      const traffic = await source(metricPlan, {
        canaryRequestsPerMinute: 2400,
        baselineRequestsPerMinute: 600,
        errorRatio: 0.2,
      });
      const outcome = await runGateLoop(await attached(clock, traffic), {
        ...settings(metricPlan),
        checkTrafficShare: true,
      });
      expect(outcome).toMatchObject({ decision: 'inconclusive', rule: 'traffic-mismatch' });
      expect(ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
    });

    it('does not trip the traffic-share check on binomial noise at a matching weight', async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      // 600 of 3000 requests a minute is 20%, the weight ECS reports.
      scriptDeployment(clock, { pauses: 5, stepMs: 3 * 60_000, fixedWeight: 20 });
      const outcome = await runGateLoop(await attached(clock, await source(metricPlan, {})), {
        ...settings(metricPlan),
        checkTrafficShare: true,
      });
      expect(outcome).toMatchObject({ decision: 'promote', deploymentStatus: 'SUCCESSFUL' });
    });

    it('trips the traffic-share check only beyond sampling noise, never at 0% or before 1,000 requests', () => {
      // Swapped groups: a 10% canary measured at 90%.
      expect(shareContradictsWeight(10, 900, 1000)).toBe(true);
      // 11% at a 5% weight over 400 requests is outside [w/2, 2w] and 6pp off, but 5.5 standard
      // deviations (1.09pp each) and too few requests: noise, not a swap.
      expect(shareContradictsWeight(5, 44, 400)).toBe(false);
      expect(shareContradictsWeight(5, 44, 999)).toBe(false);
      expect(shareContradictsWeight(5, 110, 1000)).toBe(true);
      // At 0% the canary group may still drain requests from a previous step.
      expect(shareContradictsWeight(0, 500, 1000)).toBe(false);
    });

    it("counts the ALB's own 502/504 (TargetConnectionErrorCount) in the 5xx rate", async () => {
      const metricPlan = plan();
      const clock = new SimulatedClock(start);
      scriptDeployment(clock, { pauses: 1, strategy: 'CANARY' });
      const traffic = await source(metricPlan, { canaryConnectionErrorRate: 0.05 });
      const outcome = await runGateLoop(await attached(clock, traffic), settings(metricPlan));
      expect(outcome).toMatchObject({ decision: 'rollback', rule: 'critical-regression' });
      expect(outcome.reason).toMatch(/^5xx rate/);
    });

    it('rolls back when the canary group has unhealthy hosts for two periods and the baseline none', async () => {
      const metricPlan = { ...plan(), unhealthy: albUnhealthyQueries(targets, 60) };
      const clock = new SimulatedClock(start);
      scriptDeployment(clock, { pauses: 1, strategy: 'CANARY' });
      const traffic = await source(metricPlan, { canaryUnhealthyFromMinute: 1 });
      const outcome = await runGateLoop(await attached(clock, traffic), settings(metricPlan));
      expect(outcome).toMatchObject({
        decision: 'rollback',
        rule: 'unhealthy-hosts',
        actions: ['ContinueServiceDeployment ROLLBACK (hook hook-1)'],
      });
    });

    it('does not count unhealthy hosts before the canary takes traffic (targets still registering)', async () => {
      const metricPlan = { ...plan(), unhealthy: albUnhealthyQueries(targets, 60) };
      const clock = new SimulatedClock(start);
      scriptDeployment(clock, { pauses: 4, firstAtZero: true, stepMs: 3 * 60_000 });
      const traffic = await source(metricPlan, {
        canaryStartMinute: 3,
        canaryUnhealthyFromMinute: 0,
        canaryUnhealthyUntilMinute: 3,
      });
      const outcome = await runGateLoop(await attached(clock, traffic), settings(metricPlan));
      expect(outcome).toMatchObject({ decision: 'promote', deploymentStatus: 'SUCCESSFUL' });
    });
  });
});
