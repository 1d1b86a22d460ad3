import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { continueDeployment } from '../src/deployment/continue.js';
import { newReport, type DeployReport } from '../src/report.js';
import { finishInterruptedRun } from '../src/post-cleanup.js';
import {
  DEPLOYMENT,
  MINUTE,
  NEW_TD,
  OLD_TD,
  readAnyInputs,
  REGION,
  revisions,
  scenario,
  trafficShiftingService,
  type Phase,
  type Scenario,
} from './__fixtures__/lifecycle.js';

// Mode continue against the scripted ECS of the lifecycle fixture: the deployment exists already
// (another step started it), so the phases at 0 are what the first look sees; `continuePhases`
// script what ECS does after each ContinueServiceDeployment, `rollbackPhases` after a Stop.
async function runContinue(s: Scenario, values: Record<string, string>): Promise<DeployReport> {
  const inputs = readAnyInputs({ mode: 'continue', 'service-deployment-arn': DEPLOYMENT, ...values });
  if (inputs.mode !== 'continue') throw new Error('not continue inputs');
  const report = newReport({
    mode: 'continue',
    region: REGION,
    cluster: inputs.cluster,
    service: inputs.service,
    startedAt: s.clock.now(),
  });
  await continueDeployment(s.deps, inputs, report, s.state);
  return report;
}

const inputsOf = <T extends object>(s: Scenario, command: new (input: never) => T) =>
  s.ecs.commandCalls(command as never).map((call) => call.args[0].input as Record<string, unknown>);

const changes = (s: Scenario) => [
  ...inputsOf(s, RegisterTaskDefinitionCommand),
  ...inputsOf(s, UpdateServiceCommand),
];

const pausedAt = (hookId: string, weight = 0): Phase => ({
  atMs: 0,
  deployment: {
    status: 'IN_PROGRESS',
    lifecycleStage: 'PRE_PRODUCTION_TRAFFIC_SHIFT' as never,
    lifecycleHookDetails: [{ hookId, targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
    ...revisions({ running: 2, production: weight, test: 100 }, { running: 2, production: 100 - weight }),
  },
});

describe('mode continue', () => {
  it('blue/green paused at its gate: continues it, follows it to the end, and reports the revisions', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('BLUE_GREEN'),
      phases: [pausedAt('hook-bg')],
      continuePhases: [
        [
          {
            atMs: 0,
            deployment: {
              lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
              lifecycleHookDetails: [{ hookId: 'hook-bg', status: 'SUCCEEDED' }],
            },
          },
          {
            atMs: 2 * MINUTE,
            deployment: { lifecycleStage: 'BAKE_TIME', ...revisions({ running: 2, production: 100 }) },
          },
          { atMs: 8 * MINUTE, deployment: { status: 'SUCCESSFUL' } },
        ],
      ],
    });
    const report = await runContinue(s, {});
    expect(report.status).toBe('succeeded');
    expect(report).toMatchObject({
      deploymentArn: DEPLOYMENT,
      taskDefinitionArn: NEW_TD,
      previousTaskDefinitionArn: OLD_TD,
      strategy: 'blue-green',
      answer: 'continue',
    });
    expect(inputsOf(s, ContinueServiceDeploymentCommand)).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, hookId: 'hook-bg', action: 'CONTINUE' },
    ]);
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([]);
    expect(changes(s)).toEqual([]);
    expect(s.logger.lines.join('\n')).toContain('lifecycle hook hook-bg: continued (answer: continue).');
  });

  it('linear: a later pause of the same deployment is continued too, each once', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('LINEAR'),
      phases: [pausedAt('gate-1', 10)],
      continuePhases: [
        [
          { atMs: 0, deployment: { lifecycleHookDetails: [{ hookId: 'gate-1', status: 'SUCCEEDED' }] } },
          {
            atMs: 6 * MINUTE,
            deployment: {
              lifecycleHookDetails: [
                { hookId: 'gate-1', status: 'SUCCEEDED' },
                { hookId: 'gate-2', status: 'AWAITING_ACTION' },
              ],
              ...revisions({ running: 2, production: 20 }),
            },
          },
        ],
        [
          {
            atMs: 0,
            deployment: {
              lifecycleHookDetails: [
                { hookId: 'gate-1', status: 'SUCCEEDED' },
                { hookId: 'gate-2', status: 'SUCCEEDED' },
              ],
            },
          },
          { atMs: MINUTE, deployment: { status: 'SUCCESSFUL' } },
        ],
      ],
    });
    const report = await runContinue(s, { timeout: '2h' });
    expect(report.status).toBe('succeeded');
    expect(
      inputsOf(s, ContinueServiceDeploymentCommand).map((input) => [input.hookId, input.action]),
    ).toEqual([
      ['gate-1', 'CONTINUE'],
      ['gate-2', 'CONTINUE'],
    ]);
  });

  it('a CONTINUE that ECS does not take is sent again until it is confirmed', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('BLUE_GREEN'),
      phases: [pausedAt('hook-bg')],
      continueFailures: 1,
      continuePhases: [[{ atMs: MINUTE, deployment: { status: 'SUCCESSFUL' } }]],
    });
    const report = await runContinue(s, {});
    expect(report.status).toBe('succeeded');
    expect(inputsOf(s, ContinueServiceDeploymentCommand).map((input) => input.hookId)).toEqual([
      'hook-bg',
      'hook-bg',
    ]);
  });

  it('with no pause waiting, only waits: nothing is answered', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('CANARY'),
      phases: [
        { atMs: 0, deployment: { status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' } },
        { atMs: 3 * MINUTE, deployment: { status: 'SUCCESSFUL' } },
      ],
    });
    const report = await runContinue(s, {});
    expect(report.status).toBe('succeeded');
    expect(inputsOf(s, ContinueServiceDeploymentCommand)).toEqual([]);
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([]);
  });

  it('times out like service mode: the reason names the input, and no rollback when rollback-on-failure is false', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('CANARY'),
      phases: [{ atMs: 0, deployment: { status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' } }],
    });
    const report = await runContinue(s, { timeout: '5m', 'rollback-on-failure': 'false' });
    expect(report.status).toBe('failed');
    expect(report.reasons[0]).toBe('Not finished after 5m (input "timeout").');
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([]);
  });

  it('finished, answer rollback: the guarded UpdateService back to the previous revision, followed to its end', async () => {
    const s = scenario({
      alreadyUpdated: true,
      phases: [{ atMs: 0, deployment: { status: 'SUCCESSFUL' } }],
      fallbackPhases: [
        { atMs: 0, deployment: { status: 'IN_PROGRESS' } },
        { atMs: MINUTE, deployment: { status: 'SUCCESSFUL', ...revisions({ running: 2 }) } },
      ],
    });
    const report = await runContinue(s, { answer: 'rollback' });
    expect(report.status).toBe('rolled-back');
    expect(inputsOf(s, UpdateServiceCommand).map((input) => input.taskDefinition)).toEqual([OLD_TD]);
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([]);
  });

  it('paused, answer rollback: the pause is answered ROLLBACK (never CONTINUE) and the rollback followed', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('BLUE_GREEN'),
      phases: [pausedAt('hook-bg')],
      continuePhases: [
        [
          {
            atMs: 0,
            deployment: {
              status: 'ROLLBACK_IN_PROGRESS',
              lifecycleHookDetails: [{ hookId: 'hook-bg', status: 'SUCCEEDED' }],
            },
          },
          {
            atMs: 20_000,
            deployment: {
              status: 'ROLLBACK_SUCCESSFUL',
              rollback: { reason: 'Rollback requested through lifecycle hook' },
            },
          },
        ],
      ],
    });
    const report = await runContinue(s, { answer: 'rollback' });
    expect(report.status).toBe('rolled-back');
    expect(report.rollback).toBe('rolled-back');
    expect(inputsOf(s, ContinueServiceDeploymentCommand)).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, hookId: 'hook-bg', action: 'ROLLBACK' },
    ]);
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([]);
    expect(changes(s)).toEqual([]);
  });

  it('in flight without a pause, answer rollback: StopServiceDeployment ROLLBACK, then the rollback is followed', async () => {
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('CANARY'),
      phases: [{ atMs: 0, deployment: { status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' } }],
      rollbackPhases: [
        { atMs: 0, deployment: { status: 'ROLLBACK_IN_PROGRESS' } },
        { atMs: 15_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } },
      ],
    });
    const report = await runContinue(s, { answer: 'rollback' });
    expect(report.status).toBe('rolled-back');
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' },
    ]);
  });

  it.each<[string, Phase['deployment'], string]>([
    ['SUCCESSFUL', { status: 'SUCCESSFUL' }, 'succeeded'],
    [
      'rolled back by canary-gate',
      { status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'canary-gate: 5xx ratio' } },
      'rolled-back',
    ],
  ])(
    'a deployment already finished (%s) is reported at the first look, nothing sent',
    async (_name, deployment, status) => {
      const s = scenario({
        alreadyUpdated: true,
        service: trafficShiftingService('CANARY'),
        phases: [{ atMs: 0, deployment }],
      });
      const report = await runContinue(s, {});
      expect(report.status).toBe(status);
      expect(inputsOf(s, ContinueServiceDeploymentCommand)).toEqual([]);
      expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([]);
      expect(changes(s)).toEqual([]);
      // Nothing left in flight: the post step has nothing to do.
      expect(s.state.get('deployment-arn')).toBe('');
      if (status === 'rolled-back') expect(report.reasons).toContain('Rollback: canary-gate: 5xx ratio');
    },
  );

  it('refuses a deployment ECS does not know, naming the input', async () => {
    const s = scenario({ phases: [] });
    const missing = DEPLOYMENT.replace('NewDeployment222', 'Unknown999');
    s.ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [], failures: [{ arn: missing, reason: 'MISSING' }] });
    const error = await runContinue(s, { 'service-deployment-arn': missing }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(
      'Input "service-deployment-arn": ECS does not know deployment',
    );
    expect((error as Error).message).toContain('(MISSING)');
  });

  it('cancelled while following: asks for the rollback at once, and the post step waits for it', async () => {
    const controller = new AbortController();
    const s = scenario({
      alreadyUpdated: true,
      service: trafficShiftingService('CANARY'),
      phases: [{ atMs: 0, deployment: { status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' } }],
      rollbackPhases: [{ atMs: 10_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } }],
      signal: controller.signal,
      onSleep: () => controller.abort(),
    });
    const error = await runContinue(s, {}).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('CancelledError');
    expect(inputsOf(s, StopServiceDeploymentCommand)).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' },
    ]);
    expect(s.state.get('rollback-requested')).toBe('stop');
    expect(s.state.get('task-definition-arn')).toBe(NEW_TD);
    expect(await finishInterruptedRun({ ...s.deps, signal: new AbortController().signal }, s.state)).toBe(
      'rolled-back',
    );
  });
});

describe('mode continue inputs', () => {
  it('reads cluster and service from the deployment ARN, and refuses ones that disagree with it', () => {
    expect(readAnyInputs({ mode: 'continue', 'service-deployment-arn': DEPLOYMENT })).toMatchObject({
      mode: 'continue',
      cluster: 'prod',
      service: 'web',
      answer: 'continue',
      wait: { kind: 'stable' },
      rollbackOnFailure: true,
    });
    expect(() =>
      readAnyInputs({ mode: 'continue', 'service-deployment-arn': DEPLOYMENT, service: 'api' }),
    ).toThrow('Input "service" is "api", but "service-deployment-arn" is a deployment of service "web"');
  });

  it.each([
    [{}, 'Input "service-deployment-arn" is required'],
    [
      { 'service-deployment-arn': 'web:42' },
      'Input "service-deployment-arn" must be a service deployment ARN',
    ],
    [
      { 'service-deployment-arn': DEPLOYMENT, answer: 'abort' },
      'Input "answer" must be one of continue, rollback',
    ],
    [
      { 'service-deployment-arn': DEPLOYMENT, wait: 'gate' },
      'Input "wait" must be stable or a lifecycle stage',
    ],
    [
      { 'service-deployment-arn': DEPLOYMENT, images: 'app=x:1' },
      'Input(s) "images" do not apply to "mode: continue"',
    ],
    [{ 'service-deployment-arn': DEPLOYMENT, strategy: 'canary' }, 'Input(s) "strategy" do not apply'],
  ])('%j is refused', (values, message) => {
    expect(() => readAnyInputs({ mode: 'continue', ...values })).toThrow(message);
  });

  it('service-deployment-arn and answer are refused outside mode continue', () => {
    expect(() =>
      readAnyInputs({ cluster: 'prod', service: 'web', 'service-deployment-arn': DEPLOYMENT }),
    ).toThrow('Input(s) "service-deployment-arn" apply only to "mode: continue".');
    // The runner passes answer's default to every mode: that is not a refusal.
    expect(readAnyInputs({ cluster: 'prod', service: 'web', answer: 'continue' }).mode).toBe('service');
  });
});
