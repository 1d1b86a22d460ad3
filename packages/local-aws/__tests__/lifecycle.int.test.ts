import { afterAll, beforeAll, beforeEach, describe as suite, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  InvalidParameterException,
  StopServiceDeploymentCommand,
  ConflictException,
  UpdateServiceCommand,
  DescribeServiceRevisionsCommand,
  DescribeTasksCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startLocalAws, type LocalAws } from '../src/local-aws.js';
import { createBlueGreenFixture, registerRevision } from '../src/blue-green-fixture.js';
import {
  clientsFor,
  deploy,
  describe,
  driveDeployment,
  ruleWeights,
  serviceOf,
  waitingHook,
} from './helpers.js';

const MINUTE = 60_000;
let moto: MotoServer;
let local: LocalAws & { clock: SimulatedClock };

beforeAll(async () => {
  moto = await startMoto();
}, 30_000);
beforeEach(async () => {
  await local?.stop();
  await moto.reset();
  local = (await startLocalAws({ motoEndpoint: moto.endpoint, clock: new SimulatedClock() })) as LocalAws & {
    clock: SimulatedClock;
  };
});
afterAll(async () => {
  await local?.stop();
  await moto?.stop();
});

async function service(
  deploymentConfiguration: NonNullable<
    Parameters<typeof createBlueGreenFixture>[1]
  >['deploymentConfiguration'],
) {
  const fixture = await createBlueGreenFixture(local, { deploymentConfiguration });
  const v2 = await registerRevision(local, fixture.family, 'example/app:2');
  return { fixture, v2, ...clientsFor(local) };
}

const pauseBeforeEveryShift = [
  { targetType: 'PAUSE' as const, lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT' as const] },
];

suite('linear', () => {
  it('pauses before every step at the ECS defaults, with a fresh hook id each time, and takes about an hour', async () => {
    const { fixture, v2, ecs } = await service({ strategy: 'LINEAR', lifecycleHooks: pauseBeforeEveryShift });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    const started = local.clock.now();
    const run = await driveDeployment(local, ecs, arn, () => 'CONTINUE');
    expect(run.final.status).toBe('SUCCESSFUL');
    expect(run.pauses.map((p) => p.weight)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(run.pauses.every((p) => p.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT')).toBe(true);
    expect(new Set(run.pauses.map((p) => p.hookId)).size).toBe(10);
    const minutes = (local.clock.now() - started) / MINUTE;
    expect(minutes).toBeGreaterThanOrEqual(54);
    expect(minutes).toBeLessThan(60 + 10);
  }, 30_000);
});

suite('hooks and rollbacks', () => {
  it('times a pause out and takes its timeout action (ROLLBACK by default)', async () => {
    const { fixture, v2, ecs, elbv2 } = await service({
      strategy: 'CANARY',
      lifecycleHooks: [{ ...pauseBeforeEveryShift[0], timeoutConfiguration: { timeoutInMinutes: 30 } }],
    });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    const run = await driveDeployment(local, ecs, arn, ({ index }) => (index === 0 ? 'CONTINUE' : 'WAIT'));
    expect(run.final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(run.final.lifecycleHookDetails?.map((h) => h.status)).toEqual(['SUCCEEDED', 'TIMED_OUT']);
    expect(run.final.rollback?.reason).toMatch(/timed out/);
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupA]: 100,
      [fixture.targetGroupB]: 0,
    });
    expect((await serviceOf(ecs, fixture.clusterName, fixture.serviceName)).taskDefinition).toBe(
      fixture.taskDefinitionArn,
    );
  }, 30_000);

  it('rolls back when a hook answers ROLLBACK, and refuses an answered hook id', async () => {
    const { fixture, v2, ecs, elbv2 } = await service({
      strategy: 'CANARY',
      lifecycleHooks: pauseBeforeEveryShift,
    });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    const run = await driveDeployment(local, ecs, arn, ({ index }) =>
      index === 0 ? 'CONTINUE' : 'ROLLBACK',
    );
    expect(run.final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(run.final.rollback?.serviceRevisionArn).toBe(run.final.sourceServiceRevisions?.[0]?.arn);
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupA]: 100,
      [fixture.targetGroupB]: 0,
    });
    await expect(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: arn,
          hookId: run.pauses[1]?.hookId,
          action: 'CONTINUE',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })),
    ).rejects.toBeInstanceOf(ConflictException);
  }, 30_000);

  it('rolls back on StopServiceDeployment ROLLBACK in the middle of a blue/green bake', async () => {
    const { fixture, v2, ecs, elbv2 } = await service({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 30 });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    local.clock.advance(10 * MINUTE);
    await local.advance();
    const baking = await describe(ecs, arn);
    expect(baking.lifecycleStage).toBe('BAKE_TIME');
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupA]: 0,
      [fixture.targetGroupB]: 100,
    });
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    expect((await describe(ecs, arn)).status).toBe('ROLLBACK_IN_PROGRESS');
    local.clock.advance(MINUTE);
    const rolledBack = await describe(ecs, arn);
    expect(rolledBack.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(rolledBack.rollback?.reason).toMatch(/StopServiceDeployment/);
    expect(await ruleWeights(elbv2, fixture.productionRuleArn)).toEqual({
      [fixture.targetGroupA]: 100,
      [fixture.targetGroupB]: 0,
    });
  }, 30_000);

  it('supersedes an in-flight deployment with a newer one', async () => {
    const { fixture, v2, ecs } = await service({ strategy: 'CANARY', lifecycleHooks: pauseBeforeEveryShift });
    const first = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    local.clock.advance(5 * MINUTE);
    expect(waitingHook(await describe(ecs, first))).toBeDefined();
    const v3 = await registerRevision(local, fixture.family, 'example/app:3');
    local.clock.advance(1);
    const second = await deploy(ecs, fixture.clusterName, fixture.serviceName, v3);
    expect(second).not.toBe(first);
    const old = await describe(ecs, first);
    expect(old.status).toBe('STOPPED');
    expect(old.statusReason).toMatch(/[Ss]uperseded/);
    expect(waitingHook(old)).toBeUndefined();
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [(await describe(ecs, second)).targetServiceRevision?.arn ?? ''],
      }),
    );
    expect(revisions.serviceRevisions?.[0]?.taskDefinition).toBe(v3);
  }, 30_000);

  it('fails a rolling deployment at the default threshold when the circuit breaker does not roll back', async () => {
    const { fixture, v2, ecs } = await service({
      deploymentCircuitBreaker: { enable: true, rollback: false },
    });
    local.failTasksOf(v2, { reason: 'Essential container in task exited', exitCode: 137 });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    const run = await driveDeployment(local, ecs, arn, () => 'CONTINUE', 10_000);
    expect(run.final).toMatchObject({
      status: 'STOPPED',
      deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
    });
    const after = await serviceOf(ecs, fixture.clusterName, fixture.serviceName);
    expect(after.deployments?.map((d) => [d.taskDefinition, d.status, d.rolloutState])).toEqual([
      [v2, 'PRIMARY', 'FAILED'],
      [fixture.taskDefinitionArn, 'ACTIVE', 'COMPLETED'],
    ]);
    const stopped = await ecs.send(
      new ListTasksCommand({
        cluster: fixture.clusterName,
        serviceName: fixture.serviceName,
        desiredStatus: 'STOPPED',
      }),
    );
    const tasks = await ecs.send(
      new DescribeTasksCommand({ cluster: fixture.clusterName, tasks: stopped.taskArns }),
    );
    expect(tasks.tasks?.map((t) => [t.lastStatus, t.stoppedReason, t.containers?.[0]?.exitCode])).toEqual([
      ['STOPPED', 'Essential container in task exited', 137],
      ['STOPPED', 'Essential container in task exited', 137],
      ['STOPPED', 'Essential container in task exited', 137],
    ]);
  }, 30_000);

  it('trips the circuit breaker of a rolling deployment whose tasks fail, and rolls back', async () => {
    const { fixture, v2, ecs } = await service({
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        thresholdConfiguration: { type: 'COUNT', value: 4 },
      },
    });
    local.failTasksOf(v2, { reason: 'CannotPullContainerError', exitCode: 1 });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    const run = await driveDeployment(local, ecs, arn, () => 'CONTINUE', 10_000);
    expect(run.final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(run.final.deploymentCircuitBreaker).toEqual({
      status: 'TRIGGERED',
      failureCount: 4,
      threshold: 4,
    });
  }, 30_000);
});

suite('configuration, faults and calls', () => {
  it('refuses what ECS refuses, naming the field', async () => {
    const { fixture, ecs } = await service({ strategy: 'CANARY' });
    const update = (deploymentConfiguration: object) =>
      ecs.send(
        new UpdateServiceCommand({
          cluster: fixture.clusterName,
          service: fixture.serviceName,
          deploymentConfiguration,
        }),
      );
    await expect(update({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } })).rejects.toThrow(
      /stepPercent/,
    );
    await expect(update({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 10.05 } })).rejects.toThrow(
      /stepPercent/,
    );
    await expect(
      update({ strategy: 'CANARY', earlySuccessCriteria: { enable: true, healthyPercent: 50 } }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      update({
        strategy: 'CANARY',
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }],
      }),
    ).rejects.toThrow(/PAUSE hook cannot be at PRODUCTION_TRAFFIC_SHIFT/);
    await expect(update({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0 } })).rejects.toThrow(
      /canaryPercent/,
    );
    // A config-only update starts no deployment and replaces the stored configuration whole.
    await update({ strategy: 'LINEAR' });
    const after = await serviceOf(ecs, fixture.clusterName, fixture.serviceName);
    expect(after.deploymentConfiguration).toEqual({
      strategy: 'LINEAR',
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    expect(local.services()[0]?.deployments).toHaveLength(1);
  }, 30_000);

  it('fails one injected Continue, then succeeds, and records every call', async () => {
    const { fixture, v2, ecs } = await service({ strategy: 'CANARY', lifecycleHooks: pauseBeforeEveryShift });
    const arn = await deploy(ecs, fixture.clusterName, fixture.serviceName, v2);
    local.clock.advance(5 * MINUTE);
    const hookId = waitingHook(await describe(ecs, arn))?.hookId;
    local.faults.add({ operation: 'ContinueServiceDeployment', error: 'ThrottlingException' });
    const send = () =>
      ecs.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action: 'CONTINUE' }),
      );
    await expect(send()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(send()).resolves.toMatchObject({ serviceDeploymentArn: arn });
    expect(local.callsOf('ContinueServiceDeployment').map((c) => [c.status, c.error])).toEqual([
      [400, 'ThrottlingException'],
      [200, undefined],
    ]);
    const services = new Set(local.calls.map((c) => c.service));
    expect(services.has('ecs')).toBe(true);
    expect(local.callsOf('CreateService')).toHaveLength(1);
    // A forwarded operation can fail too.
    local.faults.add({ operation: 'DescribeRules', error: 'ServerException' });
    const { elbv2 } = clientsFor(local);
    await expect(ruleWeights(elbv2, fixture.productionRuleArn)).rejects.toThrow();
    expect(local.callsOf('DescribeRules').at(-1)).toMatchObject({ service: 'elbv2', status: 500 });
  }, 30_000);
});
