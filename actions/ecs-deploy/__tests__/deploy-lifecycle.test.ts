import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from '@jest/globals';
import { CancelledError } from '@ecs-ship/shared/errors';
import { deployService } from '../src/deployment/deploy.js';
import { finishInterruptedRun } from '../src/post-cleanup.js';
import { watchRollback } from '../src/deployment/rollback.js';
import { WATCH_TIMING } from '../src/deployment/watch.js';
import {
  deploy,
  DEPLOYMENT,
  MINUTE,
  ROLLBACK_DEPLOYMENT,
  NEW_REVISION,
  NEW_TD,
  OLD_DEPLOYMENT,
  OLD_TD,
  readInputs,
  reportFor,
  revisions,
  scenario,
  serviceShape,
  TG_BLUE,
  TG_GREEN,
  trafficShiftingService,
  currentTaskDefinition,
  type Phase,
  type Scenario,
} from './__fixtures__/lifecycle.js';

/** The post step of an interrupted run, for a scenario whose main step was cancelled. */
const postStep = (s: Scenario) =>
  finishInterruptedRun({ ...s.deps, signal: new AbortController().signal }, s.state);

const base = {
  cluster: 'prod',
  service: 'web',
  images: 'app=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0',
};

const rollingPhases: Phase[] = [
  { atMs: 0, deployment: { status: 'PENDING' } },
  {
    atMs: 4_000,
    deployment: {
      status: 'IN_PROGRESS',
      startedAt: new Date(4_000),
      ...revisions({ running: 0, pending: 2 }),
    },
  },
  { atMs: 60_000, deployment: revisions({ running: 1, pending: 1 }) },
  { atMs: 90_000, deployment: revisions({ running: 2 }) },
  { atMs: 150_000, deployment: revisions({ running: 2 }, { running: 0 }) },
  { atMs: 160_000, deployment: { status: 'SUCCESSFUL', finishedAt: new Date(160_000) } },
];

describe('rolling deployment', () => {
  it('registers, updates, logs progress and sees completion within one poll', async () => {
    const s = scenario({ phases: rollingPhases });
    const inputs = readInputs(base);
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);

    expect(report.status).toBe('succeeded');
    expect(report.taskDefinitionArn).toBe(NEW_TD);
    expect(report.previousTaskDefinitionArn).toBe(OLD_TD);
    expect(report.deploymentArn).toBe(DEPLOYMENT);
    const update = s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input;
    expect(update?.deploymentConfiguration).toMatchObject({
      strategy: 'ROLLING',
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
    });
    const lines = s.logger.lines.join('\n');
    expect(lines).toContain('status PENDING → IN_PROGRESS');
    expect(lines).toContain('new revision 2222222222: running 1, pending 1, desired 2');
    expect(lines).toContain('status IN_PROGRESS → SUCCESSFUL');
    const finishedAt = (s.updatedAt() ?? 0) + 160_000;
    expect(s.clock.now() - finishedAt).toBeLessThanOrEqual(WATCH_TIMING.maxDelayMs);
    expect(s.ecs.commandCalls(DescribeServiceDeploymentsCommand).length).toBeLessThan(25);
    expect(s.state.get('deployment-arn')).toBe(DEPLOYMENT);
  });

  it('shows the circuit breaker rollback with stopped tasks and exit codes, without rolling back twice', async () => {
    const s = scenario({
      phases: [
        ...rollingPhases.slice(0, 2),
        {
          atMs: 60_000,
          deployment: { deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 2, threshold: 3 } },
        },
        {
          atMs: 90_000,
          deployment: {
            status: 'ROLLBACK_IN_PROGRESS',
            deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
            rollback: {
              reason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
              startedAt: new Date(90_000),
            },
          },
        },
        {
          atMs: 150_000,
          deployment: {
            status: 'ROLLBACK_SUCCESSFUL',
            statusReason: 'Rolled back to the source service revision.',
          },
        },
      ],
    });
    s.ecs
      .on(ListTasksCommand)
      .resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/abc123'] });
    s.ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/abc123',
          taskDefinitionArn: NEW_TD,
          lastStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          stoppedAt: new Date(80_000),
          containers: [{ name: 'app', exitCode: 1, reason: 'panic: missing DATABASE_URL' }],
        },
      ],
    });
    const inputs = readInputs(base);
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);

    expect(report.status).toBe('rolled-back');
    expect(report.reasons.join('\n')).toContain('circuit breaker threshold was exceeded');
    expect(report.reasons.join('\n')).toContain('app exit code 1 (panic: missing DATABASE_URL)');
    expect(s.logger.lines).toContain('circuit breaker TRIGGERED: 3 failed task(s) of 3 allowed');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('outlives throttling: transient errors are retried by the poll, then the deployment is followed to the end', async () => {
    const s = scenario({ phases: rollingPhases, throttle: 3 });
    const inputs = readInputs(base);
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);
    expect(report.status).toBe('succeeded');
    expect(
      s.logger.records.filter((record) => record.level === 'warning').map((record) => record.message),
    ).toContain('AWS did not answer (ThrottlingException: Rate exceeded); retry 3 of 5.');
  });

  it('rolls back with StopServiceDeployment after the timeout and waits for the rollback', async () => {
    const s = scenario({
      phases: [...rollingPhases.slice(0, 3)],
      rollbackPhases: [
        { atMs: 0, deployment: { status: 'ROLLBACK_REQUESTED' } },
        {
          atMs: 5_000,
          deployment: { status: 'ROLLBACK_IN_PROGRESS', rollback: { reason: 'Rollback requested by user.' } },
        },
        { atMs: 40_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } },
      ],
    });
    const inputs = readInputs({ ...base, timeout: '10m' });
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);

    expect(report.status).toBe('rolled-back');
    expect(report.rollback).toBe('rolled-back');
    expect(report.reasons[0]).toBe('Not finished after 10m (input "timeout").');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: DEPLOYMENT,
      stopType: 'ROLLBACK',
    });
    expect(s.clock.now() - report.startedAt).toBeLessThan(12 * MINUTE);
  });

  it('leaves a timed-out deployment alone when rollback-on-failure is false', async () => {
    const s = scenario({ phases: rollingPhases.slice(0, 3) });
    const inputs = readInputs({ ...base, timeout: '5m', 'rollback-on-failure': 'false' });
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);
    expect(report.status).toBe('failed');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('on cancellation asks for the rollback at once, and the post step waits for it to finish', async () => {
    const controller = new AbortController();
    const s = scenario({
      phases: rollingPhases,
      rollbackPhases: [
        { atMs: 0, deployment: { status: 'ROLLBACK_IN_PROGRESS' } },
        { atMs: 30_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } },
      ],
      signal: controller.signal,
      onSleep: (now) => {
        if (s.updatedAt() !== undefined && now - (s.updatedAt() ?? 0) > 70_000) controller.abort();
      },
    });
    const inputs = readInputs(base);
    const report = reportFor(inputs, s.clock);
    await expect(deployService(s.deps, inputs, report, s.state)).rejects.toBeInstanceOf(CancelledError);
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1);
    expect(s.state.get('rollback-requested')).toBe('stop');
    expect(s.state.get('finished')).toBe('');

    const post = await postStep(s);
    expect(post).toBe('rolled-back');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1);
  });

  it('attaches to a deployment of the same revision already in progress instead of starting another', async () => {
    const s = scenario({
      phases: rollingPhases,
      service: serviceShape({
        taskDefinition: NEW_TD,
        currentServiceDeployment: DEPLOYMENT,
        deployments: [
          {
            id: 'ecs-svc/2',
            status: 'PRIMARY',
            taskDefinition: NEW_TD,
            desiredCount: 2,
            runningCount: 1,
            pendingCount: 1,
            rolloutState: 'IN_PROGRESS',
          },
          {
            id: 'ecs-svc/1',
            status: 'ACTIVE',
            taskDefinition: OLD_TD,
            desiredCount: 2,
            runningCount: 2,
            pendingCount: 0,
          },
        ],
      }),
    });
    const inputs = readInputs({
      cluster: 'prod',
      service: 'web',
      'task-definition-arn': NEW_TD,
      wait: 'none',
    });
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);
    expect(report.action).toBe('attached');
    expect(report.deploymentArn).toBe(DEPLOYMENT);
    expect(report.status).toBe('in-progress');
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(s.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });
});

const stage = (lifecycleStage: string, extra: object = {}): Partial<ServiceDeployment> => ({
  status: 'IN_PROGRESS',
  lifecycleStage: lifecycleStage as never,
  ...extra,
});
const awaiting = (hookId: string) => ({
  lifecycleHookDetails: [
    {
      hookId,
      targetType: 'PAUSE' as const,
      status: 'AWAITING_ACTION' as const,
      expiresAt: new Date(Date.UTC(2026, 0, 2)),
      timeoutAction: 'ROLLBACK' as const,
    },
  ],
});
const hookDone = (hookId: string) => ({
  lifecycleHookDetails: [{ hookId, targetType: 'PAUSE' as const, status: 'SUCCEEDED' as const }],
});

const scaleUp: Phase[] = [
  { atMs: 0, deployment: { status: 'PENDING' } },
  { atMs: 3_000, deployment: stage('PRE_SCALE_UP') },
  {
    atMs: 10_000,
    deployment: {
      ...stage('SCALE_UP'),
      ...revisions({ running: 0, pending: 2, production: 0, test: 0 }, { running: 2, production: 100 }),
    },
  },
  {
    atMs: 70_000,
    deployment: {
      ...stage('POST_SCALE_UP'),
      ...revisions({ running: 2, production: 0, test: 0 }, { running: 2, production: 100 }),
    },
  },
  {
    atMs: 75_000,
    deployment: {
      ...stage('TEST_TRAFFIC_SHIFT'),
      ...revisions({ running: 2, production: 0, test: 100 }, { running: 2, production: 100 }),
    },
  },
  { atMs: 80_000, deployment: stage('POST_TEST_TRAFFIC_SHIFT') },
];

/**
 * A gated canary or linear deployment up to its first gate (no production traffic yet), and what
 * continuing that gate leads to: the first production shift, then `then` at `thenAtMs`.
 */
function pastFirstGate(options: {
  hook: string;
  production: number;
  test?: number;
  then: Partial<ServiceDeployment>;
  thenAtMs: number;
}): { phases: Phase[]; continuePhases: Phase[][] } {
  return {
    phases: [...scaleUp, { atMs: 85_000, deployment: awaiting(options.hook) }],
    continuePhases: [
      [
        {
          atMs: 1_000,
          deployment: {
            ...stage('PRODUCTION_TRAFFIC_SHIFT'),
            ...hookDone(options.hook),
            ...revisions(
              {
                running: 2,
                production: options.production,
                ...(options.test !== undefined ? { test: options.test } : {}),
              },
              { running: 2, production: 100 - options.production },
            ),
          },
        },
        { atMs: options.thenAtMs, deployment: options.then },
      ],
    ],
  };
}

const canaryToSecondGate = {
  service: trafficShiftingService('CANARY'),
  ...pastFirstGate({
    hook: 'hook-before-canary',
    production: 5,
    test: 100,
    then: awaiting('hook-before-full-shift'),
    thenAtMs: 30_000,
  }),
};

describe('gated canary and linear deployments', () => {
  it('canary: continues the gate before the first shift itself, then stops at the next gate (wait: gate → paused)', async () => {
    const s = scenario(canaryToSecondGate);
    const report = await deploy(s, {
      ...base,
      strategy: 'canary',
      'canary-percent': '5',
      'canary-bake-minutes': '0',
      gate: 'pause',
      wait: 'gate',
    });

    expect(report.status).toBe('paused');
    expect(report.hookId).toBe('hook-before-full-shift');
    const continued = s.ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input);
    expect(continued).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, hookId: 'hook-before-canary', action: 'CONTINUE' },
    ]);
    const config = s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration;
    expect(config).toMatchObject({
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 0 },
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
          timeoutConfiguration: { timeoutInMinutes: 45, action: 'ROLLBACK' },
        },
      ],
    });
    expect(config?.deploymentCircuitBreaker).toBeUndefined();
    expect(s.logger.lines).toContain(
      'new revision 2222222222: running 2, pending 0, desired 2; production 5%, test 100%',
    );
    // Stages shorter than a poll may be passed unseen; those seen are recorded in order.
    const seen = report.timeline.map((span) => span.stage);
    expect(seen.filter((name) => ['SCALE_UP', 'PRODUCTION_TRAFFIC_SHIFT'].includes(name))).toEqual([
      'SCALE_UP',
      'PRODUCTION_TRAFFIC_SHIFT',
    ]);
    expect(s.state.get('deployment-arn')).toBe(DEPLOYMENT);
  });

  it('linear: pauses before the second step, after the first step took production traffic', async () => {
    const s = scenario({
      service: trafficShiftingService('LINEAR'),
      ...pastFirstGate({
        hook: 'hook-step-1',
        production: 25,
        then: awaiting('hook-step-2'),
        thenAtMs: 60_000,
      }),
    });
    const report = await deploy(s, {
      ...base,
      strategy: 'linear',
      'linear-step-percent': '25',
      'linear-step-bake-minutes': '1',
      gate: 'pause',
      wait: 'gate',
    });
    expect(report.status).toBe('paused');
    expect(report.hookId).toBe('hook-step-2');
    expect(s.ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(1);
    expect(
      s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration?.linearConfiguration,
    ).toEqual({
      stepPercent: 25,
      stepBakeTimeInMinutes: 1,
    });
  });

  it('canary: an alarm firing rolls the deployment back, and the summary data names the alarm', async () => {
    const s = scenario({
      service: trafficShiftingService('CANARY'),
      phases: [
        ...scaleUp,
        {
          atMs: 90_000,
          deployment: {
            ...stage('PRODUCTION_TRAFFIC_SHIFT'),
            alarms: { status: 'MONITORING', alarmNames: ['web-5xx', 'web-p99'], triggeredAlarmNames: [] },
            ...revisions({ running: 2, production: 10 }, { running: 2, production: 90 }),
          },
        },
        {
          atMs: 300_000,
          deployment: {
            status: 'ROLLBACK_IN_PROGRESS',
            alarms: {
              status: 'TRIGGERED',
              alarmNames: ['web-5xx', 'web-p99'],
              triggeredAlarmNames: ['web-5xx'],
            },
            rollback: {
              reason:
                'Service deployment rolled back because one or more CloudWatch alarms are in ALARM state: web-5xx.',
            },
          },
        },
        { atMs: 310_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } },
      ],
    });
    const inputs = readInputs({
      ...base,
      strategy: 'canary',
      'canary-percent': '10',
      alarms: 'web-5xx, web-p99',
    });
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);
    expect(report.status).toBe('rolled-back');
    expect(report.reasons).toContain('Alarms in ALARM: web-5xx');
    expect(s.logger.lines).toContain('alarms TRIGGERED: triggered web-5xx');
    expect(
      s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration?.alarms,
    ).toEqual({
      alarmNames: ['web-5xx', 'web-p99'],
      enable: true,
      rollback: true,
    });
  });
});

describe('blue/green deployment', () => {
  it('shifts test then production traffic, bakes, and records each stage with its duration', async () => {
    const s = scenario({
      service: trafficShiftingService('BLUE_GREEN'),
      phases: [
        ...scaleUp,
        {
          atMs: 90_000,
          deployment: {
            ...stage('PRODUCTION_TRAFFIC_SHIFT'),
            ...revisions({ running: 2, production: 100, test: 100 }, { running: 2, production: 0 }),
          },
        },
        { atMs: 95_000, deployment: stage('POST_PRODUCTION_TRAFFIC_SHIFT') },
        { atMs: 100_000, deployment: stage('BAKE_TIME') },
        { atMs: 100_000 + 5 * MINUTE, deployment: stage('CLEAN_UP') },
        {
          atMs: 130_000 + 5 * MINUTE,
          deployment: {
            status: 'SUCCESSFUL',
            lifecycleStage: 'CLEAN_UP',
            ...revisions({ running: 2, production: 100 }, { running: 0, production: 0 }),
          },
        },
      ],
    });
    const inputs = readInputs({ ...base, strategy: 'blue-green', 'bake-minutes': '5' });
    const report = reportFor(inputs, s.clock);
    await deployService(s.deps, inputs, report, s.state);
    expect(report.status).toBe('succeeded');
    const bake = report.timeline.find((span) => span.stage === 'BAKE_TIME');
    expect(bake?.endedAt).toBeDefined();
    expect(((bake?.endedAt ?? 0) - (bake?.startedAt ?? 0)) / MINUTE).toBeGreaterThan(4.5);
    expect(((bake?.endedAt ?? 0) - (bake?.startedAt ?? 0)) / MINUTE).toBeLessThan(5.6);
    expect(s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration).toMatchObject({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 5,
    });
    expect(s.clock.now() - ((s.updatedAt() ?? 0) + 130_000 + 5 * MINUTE)).toBeLessThanOrEqual(
      WATCH_TIMING.maxDelayMs,
    );
  });
});

describe('gates that the action does not continue', () => {
  it('gate: pause without "wait" returns paused at the gate instead of waiting it out and rolling back', async () => {
    const s = scenario(canaryToSecondGate);
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause', timeout: '20m' });
    expect(report.status).toBe('paused');
    expect(report.hookId).toBe('hook-before-full-shift');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('gate: pause with wait: stable is refused before any call', () => {
    expect(() => readInputs({ ...base, strategy: 'canary', gate: 'pause', wait: 'stable' })).toThrow(
      'Inputs "gate: pause" and "wait: stable" cannot be combined',
    );
  });

  it('blue-green: stops at its single gate after test traffic and leaves it for smoke tests', async () => {
    const s = scenario({
      service: trafficShiftingService('BLUE_GREEN'),
      phases: [...scaleUp, { atMs: 90_000, deployment: awaiting('hook-before-production') }],
    });
    const report = await deploy(s, { ...base, strategy: 'blue-green', gate: 'pause' });
    expect(report.status).toBe('paused');
    expect(report.hookId).toBe('hook-before-production');
    expect(s.ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
    expect(
      s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration?.lifecycleHooks,
    ).toEqual([
      {
        targetType: 'PAUSE',
        lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
        timeoutConfiguration: { timeoutInMinutes: 45, action: 'ROLLBACK' },
      },
    ]);
  });
});

describe('timeout of a native deployment', () => {
  const rolledBack: Phase[] = [
    { atMs: 0, deployment: { status: 'ROLLBACK_IN_PROGRESS' } },
    { atMs: 40_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } },
  ];
  it.each([
    [
      'canary during its canary bake',
      'CANARY' as const,
      { strategy: 'canary', 'canary-bake-minutes': '60' },
      {
        ...stage('PRODUCTION_TRAFFIC_SHIFT'),
        ...revisions({ running: 2, production: 5 }, { running: 2, production: 95 }),
      },
    ],
    [
      'blue-green during its bake',
      'BLUE_GREEN' as const,
      { strategy: 'blue-green', 'bake-minutes': '60' },
      {
        ...stage('BAKE_TIME'),
        ...revisions({ running: 2, production: 100 }, { running: 2, production: 0 }),
      },
    ],
  ])('%s: StopServiceDeployment ROLLBACK, then waits for it', async (_name, strategy, values, stuck) => {
    const s = scenario({
      service: trafficShiftingService(strategy),
      phases: [...scaleUp, { atMs: 90_000, deployment: stuck }],
      rollbackPhases: rolledBack,
    });
    const report = await deploy(s, { ...base, ...values, timeout: '1h10m' });
    expect(report.status).toBe('rolled-back');
    expect(report.rollback).toBe('rolled-back');
    expect(report.reasons[0]).toBe('Not finished after 1h10m (input "timeout").');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' },
    ]);
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('of a canary: StopServiceDeployment ROLLBACK at once, and the post step waits for the rollback', async () => {
    const controller = new AbortController();
    const s = scenario({
      service: trafficShiftingService('CANARY'),
      phases: [
        ...scaleUp,
        {
          atMs: 90_000,
          deployment: {
            ...stage('PRODUCTION_TRAFFIC_SHIFT'),
            ...revisions({ running: 2, production: 5 }, { running: 2, production: 95 }),
          },
        },
      ],
      rollbackPhases: [
        { atMs: 0, deployment: { status: 'ROLLBACK_IN_PROGRESS' } },
        { atMs: 30_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } },
      ],
      signal: controller.signal,
      onSleep: () => {
        if (s.logger.lines.includes('stage POST_TEST_TRAFFIC_SHIFT → PRODUCTION_TRAFFIC_SHIFT'))
          controller.abort();
      },
    });
    const report = reportFor(readInputs({ ...base, strategy: 'canary' }), s.clock);
    await expect(
      deployService(s.deps, readInputs({ ...base, strategy: 'canary' }), report, s.state),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(report.rollback).toBe('requested');
    expect(s.state.get('rollback-requested')).toBe('stop');
    expect(s.state.get('strategy')).toBe('canary');

    const post = await postStep(s);
    expect(post).toBe('rolled-back');
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1);
  });

  it('without a native deployment: main rolls back by UpdateService, the post step follows that deployment and continues a pause on the way', async () => {
    const controller = new AbortController();
    const s = scenario({
      // The update leaves currentServiceDeployment as it was, and listing finds nothing in flight.
      service: serviceShape({ currentServiceDeployment: DEPLOYMENT }),
      phases: rollingPhases,
      fallbackPhases: [
        { atMs: 0, deployment: { status: 'IN_PROGRESS' } },
        { atMs: 20_000, deployment: awaiting('inherited-pause') },
        {
          atMs: 60_000,
          deployment: { status: 'SUCCESSFUL', ...hookDone('inherited-pause') },
        },
      ],
      signal: controller.signal,
      onSleep: () => {
        if (s.ecs.commandCalls(DescribeServicesCommand).length >= 3) controller.abort();
      },
    });
    s.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    await expect(deploy(s, base)).rejects.toBeInstanceOf(CancelledError);
    expect(s.state.get('rollback-requested')).toBe('update');
    expect(s.state.get('deployment-arn')).toBe(ROLLBACK_DEPLOYMENT);
    const rollback = s.ecs.commandCalls(UpdateServiceCommand)[1]?.args[0].input;
    expect(rollback?.taskDefinition).toBe(OLD_TD);

    const post = await postStep(s);
    expect(post).toBe('rolled-back');
    expect(s.ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([
      { serviceDeploymentArn: ROLLBACK_DEPLOYMENT, hookId: 'inherited-pause', action: 'CONTINUE' },
    ]);
  });

  it('before RegisterTaskDefinition and UpdateService: a run cancelled during the reads changes nothing', async () => {
    const controller = new AbortController();
    const s = scenario({ phases: rollingPhases, signal: controller.signal });
    s.ecs.on(DescribeTaskDefinitionCommand).callsFake(() => {
      controller.abort();
      return { taskDefinition: currentTaskDefinition };
    });
    await expect(deploy(s, base)).rejects.toBeInstanceOf(CancelledError);
    expect(s.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('before UpdateService: a run cancelled while registering does not start the deployment', async () => {
    const controller = new AbortController();
    const s = scenario({ phases: rollingPhases, signal: controller.signal });
    s.ecs.on(RegisterTaskDefinitionCommand).callsFake(() => {
      controller.abort();
      return { taskDefinition: { ...currentTaskDefinition, taskDefinitionArn: NEW_TD, revision: 42 } };
    });
    await expect(deploy(s, base)).rejects.toBeInstanceOf(CancelledError);
    expect(s.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('a rollback that ECS could not finish', () => {
  const failedRollback = {
    service: trafficShiftingService('CANARY'),
    ...pastFirstGate({
      hook: 'hook-before-canary',
      production: 5,
      then: { status: 'ROLLBACK_FAILED', statusReason: 'Unable to modify listener rule: AccessDenied.' },
      thenAtMs: 60_000,
    }),
  };

  it('ROLLBACK_FAILED: rolls back by UpdateService without our gate, continues any pause, and waits', async () => {
    const s = scenario({
      ...failedRollback,
      fallbackPhases: [
        { atMs: 0, deployment: { status: 'IN_PROGRESS' } },
        { atMs: 15_000, deployment: awaiting('stray-pause') },
        { atMs: 50_000, deployment: { status: 'SUCCESSFUL', ...hookDone('stray-pause') } },
      ],
    });
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause' });
    expect(report.status).toBe('rolled-back');
    expect(report.rollback).toBe('rolled-back');
    expect(report.reasons).toContain('Deployment: Unable to modify listener rule: AccessDenied.');
    const [deployed, rolledBack] = s.ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input);
    expect(deployed?.deploymentConfiguration?.lifecycleHooks).toHaveLength(1);
    expect(rolledBack?.taskDefinition).toBe(OLD_TD);
    expect(rolledBack?.deploymentConfiguration?.strategy).toBe('CANARY');
    expect(rolledBack?.deploymentConfiguration?.lifecycleHooks).toEqual([]);
    expect(
      s.ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.hookId),
    ).toEqual(['hook-before-canary', 'stray-pause']);
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('never overwrites a newer deployment: the service runs another revision, so nothing is sent', async () => {
    const NEWER = NEW_TD.replace(':42', ':43');
    const s = scenario({ ...failedRollback, supersededBy: NEWER });
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause' });
    expect(report.status).toBe('failed');
    expect(report.rollback).toBe('superseded');
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(s.logger.lines).toContain(
      'Not rolling back: the service now runs web:43, not web:42 that this run deployed; a newer deployment is not overwritten.',
    );
  });
});

describe('an unchanged revision', () => {
  const same = {
    cluster: 'prod',
    service: 'web',
    'task-definition-arn': OLD_TD,
  };
  it('sends a changed deployment configuration alone, and starts no deployment', async () => {
    const s = scenario({ phases: rollingPhases });
    const report = await deploy(s, { ...same, alarms: 'web-5xx' });
    expect(report.action).toBe('reconfigured');
    expect(report.status).toBe('succeeded');
    const update = s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input;
    expect(update).toEqual({
      cluster: 'prod',
      service: 'web',
      deploymentConfiguration: expect.objectContaining({
        alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
      }),
    });
    expect(s.ecs.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(0);

    const again = scenario({
      phases: rollingPhases,
      service: serviceShape({ deploymentConfiguration: update?.deploymentConfiguration ?? {} }),
    });
    expect((await deploy(again, { ...same, alarms: 'web-5xx' })).action).toBe('unchanged');
    expect(again.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

// Issue #8: what real ECS does across steps, partial failures and other deployments.

/** A linear deployment at ECS defaults (10% steps, 6-minute bakes, then a 5-minute bake): about an hour. */
function linearAtDefaults(): Phase[] {
  const phases: Phase[] = [...scaleUp];
  const first = 90_000;
  for (let step = 1; step <= 10; step++) {
    phases.push({
      atMs: first + (step - 1) * 6 * MINUTE,
      deployment: {
        ...stage('PRODUCTION_TRAFFIC_SHIFT'),
        ...revisions({ running: 2, production: step * 10 }, { running: 2, production: 100 - step * 10 }),
      },
    });
  }
  const shifted = first + 9 * 6 * MINUTE;
  phases.push({ atMs: shifted + 10_000, deployment: stage('BAKE_TIME') });
  phases.push({
    atMs: shifted + 10_000 + 5 * MINUTE,
    deployment: { status: 'SUCCESSFUL', ...revisions({ running: 2, production: 100 }, { running: 0 }) },
  });
  return phases;
}

describe('timeouts derived from the strategy (issue #8, item 3)', () => {
  it('a healthy linear deployment at ECS defaults finishes within the derived default timeout', async () => {
    const s = scenario({ service: trafficShiftingService('LINEAR'), phases: linearAtDefaults() });
    const report = await deploy(s, { ...base, strategy: 'linear' });
    expect(report.status).toBe('succeeded');
    expect(report.timeout).toEqual({
      // 9 step bakes of 6 minutes, the service's 0-minute bake, 15m scale-up and 5m clean-up margins.
      ms: 74 * MINUTE,
      derivedFrom: 'linear 10% steps with 6-minute bakes',
    });
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(s.clock.now() - report.startedAt).toBeGreaterThan(60 * MINUTE);
  });

  it('refuses, before registering anything, a timeout that cannot fit the steps and bakes, naming both numbers', async () => {
    const s = scenario({ service: trafficShiftingService('LINEAR'), phases: linearAtDefaults() });
    await expect(deploy(s, { ...base, strategy: 'linear', timeout: '30m' })).rejects.toThrow(
      'Input "timeout" 30m cannot fit linear 10% steps with 6-minute bakes (wait: stable): it needs at least 59m.',
    );
    expect(s.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it("counts the service's own linear settings when no input overrides them", async () => {
    const service = trafficShiftingService('LINEAR');
    service.deploymentConfiguration = {
      ...service.deploymentConfiguration,
      linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: 15 },
    };
    const s = scenario({ service, phases: linearAtDefaults() });
    await expect(deploy(s, { ...base, strategy: 'linear', timeout: '1h' })).rejects.toThrow(
      'cannot fit linear 20% steps with 15-minute bakes (wait: stable): it needs at least 1h5m',
    );
  });
});

describe('a Continue that fails (issue #8, item 4)', () => {
  it('is sent again until ECS takes it, and the canary goes on to the next gate', async () => {
    const s = scenario({ ...canaryToSecondGate, continueFailures: 1 });
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause' });
    expect(report.status).toBe('paused');
    expect(report.hookId).toBe('hook-before-full-shift');
    expect(
      s.ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.hookId),
    ).toEqual(['hook-before-canary', 'hook-before-canary']);
    expect(s.logger.lines.join('\n')).toContain(
      'ECS did not take CONTINUE for lifecycle hook hook-before-canary (ServerException: Internal server error)',
    );
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('is not sent again when the hook no longer awaits action (ECS took it although the call failed)', async () => {
    const s = scenario(canaryToSecondGate);
    let calls = 0;
    // The first call reaches ECS but its answer is lost: the deployment moves on.
    s.ecs.on(ContinueServiceDeploymentCommand).callsFake(() => {
      calls++;
      if (calls === 1) {
        s.ecs.on(DescribeServiceDeploymentsCommand).resolves({
          serviceDeployments: [
            {
              serviceDeploymentArn: DEPLOYMENT,
              status: 'SUCCESSFUL',
              ...hookDone('hook-before-canary'),
              ...revisions({ running: 2, production: 100 }, { running: 0, production: 0 }),
            },
          ],
        });
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return {};
    });
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause', timeout: '20m' });
    expect(calls).toBe(1);
    expect(report.status).toBe('succeeded');
  });
});

describe('an unknown traffic weight (issue #8, item 5)', () => {
  it('is not read as 0: the pause is left for the gate, not continued by the action', async () => {
    const gated: Phase[] = [...scaleUp, { atMs: 85_000, deployment: awaiting('hook-weight-unknown') }];
    const phases = gated.map((phase) => ({
      ...phase,
      deployment: {
        ...phase.deployment,
        // ECS left the weights out of this answer.
        ...(phase.deployment.targetServiceRevision
          ? revisions({ running: phase.deployment.targetServiceRevision.runningTaskCount ?? 0 })
          : {}),
      },
    }));
    const s = scenario({ service: trafficShiftingService('CANARY'), phases });
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause' });
    expect(report.status).toBe('paused');
    expect(report.hookId).toBe('hook-weight-unknown');
    expect(s.ecs.commandCalls(ContinueServiceDeploymentCommand)).toHaveLength(0);
  });
});

describe("the user's own settings (issue #8, item 6)", () => {
  const approvalHook = {
    targetType: 'PAUSE' as const,
    lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
    timeoutConfiguration: { timeoutInMinutes: 120, action: 'ROLLBACK' as const },
  };
  it('a re-run with a user approval hook and a tuned circuit breaker sends no UpdateService', async () => {
    const configured = serviceShape({
      taskDefinition: OLD_TD,
      deploymentConfiguration: {
        strategy: 'ROLLING',
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          resetOnHealthyTask: false,
          thresholdConfiguration: { type: 'COUNT', value: 3 },
        },
        lifecycleHooks: [approvalHook],
      },
    });
    const s = scenario({ service: configured, phases: rollingPhases });
    const report = await deploy(s, { cluster: 'prod', service: 'web', 'task-definition-arn': OLD_TD });
    expect(report.action).toBe('unchanged');
    expect(report.status).toBe('succeeded');
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('a deploy keeps the hook and the breaker tuning, and only sets what the inputs ask', async () => {
    const service = trafficShiftingService('CANARY');
    service.deploymentConfiguration = {
      ...service.deploymentConfiguration,
      canaryConfiguration: { canaryPercent: 2, canaryBakeTimeInMinutes: 20 },
      lifecycleHooks: [approvalHook],
    };
    const s = scenario({
      service,
      phases: [...scaleUp, { atMs: 85_000, deployment: { status: 'SUCCESSFUL' } }],
    });
    await deploy(s, { ...base, strategy: 'canary', 'canary-bake-minutes': '5' });
    const sent = s.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration;
    expect(sent?.canaryConfiguration).toEqual({ canaryPercent: 2, canaryBakeTimeInMinutes: 5 });
    expect(sent?.lifecycleHooks).toEqual([approvalHook]);
  });

  it('refuses before registration a service hook ECS would refuse next to ours, naming it', async () => {
    const service = trafficShiftingService('CANARY');
    service.deploymentConfiguration = {
      ...service.deploymentConfiguration,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }],
    };
    const s = scenario({ service, phases: [] });
    await expect(deploy(s, { ...base, strategy: 'canary', gate: 'pause' })).rejects.toThrow(
      `service "web"'s deploymentConfiguration.lifecycleHooks[0] (set outside this action) is a PAUSE hook at PRODUCTION_TRAFFIC_SHIFT, which ECS refuses`,
    );
    expect(s.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });
});

describe('following a rollback (issue #8, item 9)', () => {
  /** A deployment paused at a hook that answers ROLLBACK by rolling back and CONTINUE by going forward. */
  function pausedDeployment() {
    const s = scenario({ phases: [] });
    let answer: string | undefined;
    s.ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        {
          serviceDeploymentArn: DEPLOYMENT,
          status:
            answer === undefined
              ? 'IN_PROGRESS'
              : answer === 'ROLLBACK'
                ? 'ROLLBACK_SUCCESSFUL'
                : 'SUCCESSFUL',
          ...(answer === undefined ? awaiting('our-gate') : hookDone('our-gate')),
        },
      ],
    }));
    s.ecs.on(ContinueServiceDeploymentCommand).callsFake((input: { action?: string }) => {
      answer = input.action;
      return {};
    });
    return s;
  }
  const target = {
    cluster: 'prod',
    service: 'web',
    taskDefinitionArn: NEW_TD,
    deploymentArn: DEPLOYMENT,
    strategy: 'canary' as const,
  };

  it('answers ROLLBACK, never CONTINUE, at a pause of the deployment being rolled back', async () => {
    const s = pausedDeployment();
    const result = await watchRollback(s.deps, { target, by: 'stop' }, s.clock.now() + 10 * MINUTE);
    expect(
      s.ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.action),
    ).toEqual(['ROLLBACK']);
    expect(result.outcome).toBe('rolled-back');
  });

  it("continues a pause of the rollback's own deployment back to the previous revision", async () => {
    const s = pausedDeployment();
    const result = await watchRollback(
      s.deps,
      { target: { ...target, taskDefinitionArn: OLD_TD, previousTaskDefinitionArn: NEW_TD }, by: 'update' },
      s.clock.now() + 10 * MINUTE,
    );
    expect(
      s.ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.action),
    ).toEqual(['CONTINUE']);
    expect(result.outcome).toBe('rolled-back');
  });
});

describe('which deployment is ours (issue #8, item 11)', () => {
  const OTHER_REVISION = NEW_REVISION.replace('2222222222', '3333333333');
  const OTHER_DEPLOYMENT = DEPLOYMENT.replace('NewDeployment222', 'OtherRun444');

  it("is matched by revision and time: another run's newer deployment of another revision is not taken for it", async () => {
    const s = scenario({ phases: rollingPhases });
    // The update's answer still names the previous deployment (ECS catching up).
    s.ecs.on(UpdateServiceCommand).callsFake(() => ({ service: serviceShape() }));
    s.ecs.on(ListServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        {
          serviceDeploymentArn: OLD_DEPLOYMENT,
          createdAt: new Date(0),
          targetServiceRevisionArn: NEW_REVISION,
        },
        {
          serviceDeploymentArn: DEPLOYMENT,
          createdAt: new Date(s.clock.now()),
          targetServiceRevisionArn: NEW_REVISION,
        },
        {
          serviceDeploymentArn: OTHER_DEPLOYMENT,
          createdAt: new Date(s.clock.now() + 1_000),
          targetServiceRevisionArn: OTHER_REVISION,
        },
      ],
    }));
    s.ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns?: string[] }) => ({
      serviceRevisions: (input.serviceRevisionArns ?? []).map((arn) => ({
        serviceRevisionArn: arn,
        taskDefinition: arn === NEW_REVISION ? NEW_TD : NEW_TD.replace(':42', ':43'),
      })),
    }));
    const report = await deploy(s, { ...base, wait: 'none' });
    expect(report.deploymentArn).toBe(DEPLOYMENT);
    expect(s.state.get('deployment-arn')).toBe(DEPLOYMENT);
  });

  it('a DescribeServiceDeployments miss right after UpdateService is looked at again, not fatal', async () => {
    const s = scenario({ phases: rollingPhases, describeMisses: 2 });
    const report = await deploy(s, base);
    expect(report.status).toBe('succeeded');
    expect(s.logger.lines).toContain(`ECS does not describe ${DEPLOYMENT} yet (MISSING); looking again.`);
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });
});

describe('outcomes that tell the truth (issue #8, item 13)', () => {
  it('a deployment superseded by a newer one is reported superseded, and not rolled back', async () => {
    const NEWER = NEW_TD.replace(':42', ':43');
    const s = scenario({
      phases: [...rollingPhases.slice(0, 3), { atMs: 70_000, deployment: { status: 'STOPPED' } }],
    });
    s.ecs.on(DescribeServicesCommand).callsFake(() => ({
      services: [
        s.updatedAt() === undefined
          ? serviceShape()
          : serviceShape({
              taskDefinition: NEWER,
              currentServiceDeployment:
                'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Newer555',
            }),
      ],
    }));
    const report = await deploy(s, base);
    expect(report.status).toBe('superseded');
    expect(report.reasons[0]).toContain(
      'Superseded: ECS stopped this deployment because deployment arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/Newer555 replaced it',
    );
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('an unchanged re-run on a crash-looping service fails with the service events', async () => {
    const crashing = serviceShape({
      deploymentConfiguration: {
        strategy: 'ROLLING',
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      runningCount: 0,
      pendingCount: 1,
      deployments: [
        {
          id: 'ecs-svc/1',
          status: 'PRIMARY',
          taskDefinition: OLD_TD,
          desiredCount: 2,
          runningCount: 0,
          pendingCount: 1,
          rolloutState: 'COMPLETED',
        },
      ],
      events: [
        {
          id: 'e9',
          createdAt: new Date('2026-01-01T00:00:00Z'),
          message: '(service web) has started 1 tasks: (task 77).',
        },
      ],
    });
    const s = scenario({ service: crashing, phases: [] });
    const report = await deploy(s, { cluster: 'prod', service: 'web', 'task-definition-arn': OLD_TD });
    expect(report.action).toBe('unchanged');
    expect(report.status).toBe('failed');
    expect(report.reasons[0]).toBe(
      'Nothing was deployed (the service already runs web:41), but the service is not healthy: it runs 0 of 2 desired task(s), 1 pending.',
    );
    expect(report.reasons.join('\n')).toContain('(service web) has started 1 tasks: (task 77).');
  });
});

describe('target groups of the deployment this run started (issue #8, item 1)', () => {
  it('outputs which group serves the new revision, and they swap on the next deployment', async () => {
    const first = scenario(canaryToSecondGate);
    const one = await deploy(first, { ...base, strategy: 'canary', gate: 'pause' });
    expect(one.trafficRoles).toEqual({ canaryTargetGroupArn: TG_GREEN, baselineTargetGroupArn: TG_BLUE });

    // ECS alternates: the next deployment's new tasks register in blue, which production left.
    const service = trafficShiftingService('CANARY');
    const [balancer] = service.loadBalancers ?? [];
    if (balancer?.advancedConfiguration) {
      balancer.targetGroupArn = TG_GREEN;
      balancer.advancedConfiguration.alternateTargetGroupArn = TG_BLUE;
    }
    const second = scenario({ ...canaryToSecondGate, service, newRevisionIn: TG_BLUE });
    const two = await deploy(second, { ...base, strategy: 'canary', gate: 'pause' });
    expect(two.trafficRoles).toEqual({ canaryTargetGroupArn: TG_BLUE, baselineTargetGroupArn: TG_GREEN });
  });

  it('leaves them unset, and says why, when the weights cannot tell', async () => {
    const s = scenario({ ...canaryToSecondGate, newRevisionIn: TG_BLUE });
    // ECS requests 5% for the new revision, but the rule (mid-change) splits 50/50: neither group can be told to hold it.
    s.elb.on(DescribeRulesCommand).resolves({
      Rules: [
        {
          Actions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: TG_BLUE, Weight: 50 },
                  { TargetGroupArn: TG_GREEN, Weight: 50 },
                ],
              },
            },
          ],
        },
      ],
    });
    const report = await deploy(s, { ...base, strategy: 'canary', gate: 'pause' });
    expect(report.status).toBe('paused');
    expect(report.trafficRoles).toBeUndefined();
    expect(s.logger.lines.join('\n')).toContain(
      "canary-target-group and baseline-target-group are not set: Which target group holds the new revision cannot be told: the listener rule's weights (50% / 50%) match neither group at 5%.",
    );
  });
});
