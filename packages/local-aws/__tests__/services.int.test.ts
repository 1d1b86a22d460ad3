import { afterAll, beforeAll, beforeEach, describe as suite, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  ContinueServiceDeploymentCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
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
const DIGEST = `sha256:${'ab'.repeat(32)}`;
let moto: MotoServer;
let local: LocalAws & { clock: SimulatedClock };

// One emulator for the file, reset between tests (reset() is part of what is tested).
beforeAll(async () => {
  moto = await startMoto();
  local = (await startLocalAws({ motoEndpoint: moto.endpoint, clock: new SimulatedClock() })) as LocalAws & {
    clock: SimulatedClock;
  };
}, 30_000);
beforeEach(async () => {
  await moto.reset();
  await local.reset();
});
afterAll(async () => {
  await local?.stop();
  await moto?.stop();
});

suite('forwarding and tasks', () => {
  it('forwards task definitions and clusters to moto and answers service tasks with their digests', async () => {
    const { ecs } = clientsFor(local);
    await ecs.send(new CreateClusterCommand({ clusterName: 'other' }));
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'pinned',
        containerDefinitions: [{ name: 'app', image: `example/app@${DIGEST}`, memory: 128 }],
      }),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn ?? '';
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'pinned:1' }))).taskDefinition
        ?.taskDefinitionArn,
    ).toBe(arn);
    expect(local.callsOf('RegisterTaskDefinition')).toMatchObject([{ service: 'ecs', status: 200 }]);

    const app = await createBlueGreenFixture(local, {
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
    });
    const v2 = await registerRevision(local, app.family, `example/app@${DIGEST}`);
    await driveDeployment(
      local,
      ecs,
      await deploy(ecs, app.clusterName, app.serviceName, v2),
      () => 'CONTINUE',
    );
    const service = await serviceOf(ecs, app.clusterName, app.serviceName);
    const listed = await ecs.send(
      new ListTasksCommand({ cluster: app.clusterName, serviceName: app.serviceName }),
    );
    expect(listed.taskArns).toHaveLength(2);
    const tasks = await ecs.send(
      new DescribeTasksCommand({ cluster: app.clusterName, tasks: listed.taskArns }),
    );
    expect(tasks.tasks?.map((task) => [task.taskDefinitionArn, task.lastStatus, task.startedBy])).toEqual([
      [v2, 'RUNNING', service.deployments?.[0]?.id],
      [v2, 'RUNNING', service.deployments?.[0]?.id],
    ]);
    expect(tasks.tasks?.[0]?.containers?.[0]?.imageDigest).toBe(DIGEST);
    ecs.destroy();
  }, 30_000);

  it('resolves a tag to a digest per revision, as ECS does: a later retag changes only later deployments', async () => {
    const { ecs } = clientsFor(local);
    const app = await createBlueGreenFixture(local, { image: 'example/app:1' });
    const describeTasks = async () => {
      const listed = await ecs.send(
        new ListTasksCommand({ cluster: app.clusterName, serviceName: app.serviceName }),
      );
      const described = await ecs.send(
        new DescribeTasksCommand({ cluster: app.clusterName, tasks: listed.taskArns }),
      );
      return (described.tasks ?? []).map((task) => task.containers?.[0]?.imageDigest);
    };
    const first = await describeTasks();
    expect(first).toHaveLength(2);
    expect(first[0]).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(first[1]).toBe(first[0]);

    // The tag moves: running tasks keep what they resolved; a new revision resolves it again.
    local.setImageDigest('example/app:1', DIGEST);
    expect(await describeTasks()).toEqual(first);
    const again = await registerRevision(local, app.family, 'example/app:1');
    const deployment = await deploy(ecs, app.clusterName, app.serviceName, again);
    await driveDeployment(local, ecs, deployment, () => 'CONTINUE');
    expect(await describeTasks()).toEqual([DIGEST, DIGEST]);
    const revision = (await describe(ecs, deployment)).targetServiceRevision?.arn ?? '';
    const described = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revision] }),
    );
    expect(described.serviceRevisions?.[0]?.containerImages?.[0]?.imageDigest).toBe(DIGEST);

    // A drifted digest shows on the last running task only.
    const other = `sha256:${'cd'.repeat(32)}`;
    local.driftDigest(again, 'app', other);
    expect(await describeTasks()).toEqual([DIGEST, other]);
    ecs.destroy();
  }, 30_000);

  it('answers missing clusters and services with the named ECS errors', async () => {
    const { ecs } = clientsFor(local);
    await expect(
      ecs.send(new ListServiceDeploymentsCommand({ cluster: 'nope', service: 'web' })),
    ).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
    });
    await ecs.send(new CreateClusterCommand({ clusterName: 'app' }));
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: 'app', service: 'web', desiredCount: 1 })),
    ).rejects.toMatchObject({
      name: 'ServiceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'app', services: ['web'] }));
    expect(described.failures).toMatchObject([{ reason: 'MISSING' }]);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'app', image: 'a', memory: 128 }],
      }),
    );
    const create = (deploymentConfiguration: object) =>
      ecs.send(
        new CreateServiceCommand({
          cluster: 'app',
          serviceName: 'web',
          taskDefinition: 'web',
          deploymentConfiguration,
        }),
      );
    await expect(create({ strategy: 'CANARY' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringMatching(/advancedConfiguration or a serviceConnectConfiguration/),
    });
    await expect(
      create({
        lifecycleHooks: [
          {
            targetType: 'PAUSE',
            lifecycleStages: ['POST_SCALE_UP'],
            timeoutConfiguration: { timeoutInMinutes: 0 },
          },
        ],
      }),
    ).rejects.toThrow(/timeoutInMinutes must be from 1 to 20160/);
    await expect(create({ bakeTimeInMinutes: 1441 })).rejects.toThrow(/bakeTimeInMinutes/);
    ecs.destroy();
  }, 30_000);
});

suite('blue/green, Service Connect and optional fields', () => {
  it('gives green 100% of the test rule at POST_TEST_TRAFFIC_SHIFT while production stays blue', async () => {
    const app = await createBlueGreenFixture(local, {
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 5,
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
      },
    });
    const { ecs, elbv2 } = clientsFor(local);
    const v2 = await registerRevision(local, app.family, 'example/app:2');
    const arn = await deploy(ecs, app.clusterName, app.serviceName, v2);
    await local.advanceTo(local.clock.now() + 5 * MINUTE);
    const paused = await describe(ecs, arn);
    expect(paused.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    expect(paused.targetServiceRevision).toMatchObject({
      requestedTestTrafficWeight: 100,
      requestedProductionTrafficWeight: 0,
    });
    expect(await ruleWeights(elbv2, app.testRuleArn ?? '')).toEqual({
      [app.targetGroupA]: 0,
      [app.targetGroupB]: 100,
    });
    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [paused.targetServiceRevision?.arn ?? ''] }),
    );
    expect(revisions.serviceRevisions?.[0]).toMatchObject({
      taskDefinition: v2,
      containerImages: [{ containerName: 'app', image: 'example/app:2' }],
      resolvedConfiguration: {
        loadBalancers: [{ targetGroupArn: app.targetGroupB, productionListenerRule: app.productionRuleArn }],
      },
    });
    expect(await ruleWeights(elbv2, app.productionRuleArn)).toEqual({
      [app.targetGroupA]: 100,
      [app.targetGroupB]: 0,
    });
    const run = await driveDeployment(local, ecs, arn, () => 'CONTINUE');
    expect(run.final.status).toBe('SUCCESSFUL');
    expect(await ruleWeights(elbv2, app.productionRuleArn)).toEqual({
      [app.targetGroupA]: 0,
      [app.targetGroupB]: 100,
    });
    ecs.destroy();
  }, 30_000);

  it('shifts a Service Connect canary without any listener rule', async () => {
    const app = await createBlueGreenFixture(local, {
      serviceConnect: true,
      deploymentConfiguration: {
        strategy: 'CANARY',
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'] }],
      },
    });
    const { ecs } = clientsFor(local);
    const v2 = await registerRevision(local, app.family, 'example/app:2');
    const run = await driveDeployment(
      local,
      ecs,
      await deploy(ecs, app.clusterName, app.serviceName, v2),
      () => 'CONTINUE',
    );
    expect(run.final.status).toBe('SUCCESSFUL');
    expect(run.pauses.map((pause) => pause.weight)).toEqual([0, 5]);
    expect(local.callsOf('ModifyRule')).toHaveLength(0);
    ecs.destroy();
  }, 30_000);

  it('can leave the traffic weights out, hide a fresh deployment for a while, and report the stage before PRE_PRODUCTION', async () => {
    const app = await createBlueGreenFixture(local, {
      deploymentConfiguration: {
        strategy: 'LINEAR',
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'] }],
      },
    });
    local.options.omitTrafficWeights = true;
    local.options.listDelayMs = 3_000;
    local.options.reportPreProductionStage = false;
    const { ecs } = clientsFor(local);
    const v2 = await registerRevision(local, app.family, 'example/app:2');
    await ecs.send(
      new UpdateServiceCommand({ cluster: app.clusterName, service: app.serviceName, taskDefinition: v2 }),
    );
    const hidden = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: app.clusterName, service: app.serviceName }),
    );
    expect(hidden.serviceDeployments).toHaveLength(1); // only the CreateService deployment
    await local.advanceTo(local.clock.now() + 5 * MINUTE);
    const listed = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: app.clusterName, service: app.serviceName }),
    );
    const deployment = await describe(ecs, listed.serviceDeployments?.[0]?.serviceDeploymentArn ?? '');
    expect(waitingHook(deployment)).toBeDefined();
    expect(deployment.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    expect(deployment.targetServiceRevision?.requestedProductionTrafficWeight).toBeUndefined();
    expect(deployment.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight).toBeUndefined();
    ecs.destroy();
  }, 30_000);
});

suite('hooks, stops, alarms and stored settings', () => {
  it('waits for every hook at a stage, and ABORT stops a deployment', async () => {
    const pause = { targetType: 'PAUSE' as const, lifecycleStages: ['POST_SCALE_UP' as const] };
    const app = await createBlueGreenFixture(local, {
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 0,
        lifecycleHooks: [pause, pause],
      },
    });
    const { ecs } = clientsFor(local);
    const v2 = await registerRevision(local, app.family, 'example/app:2');
    const arn = await deploy(ecs, app.clusterName, app.serviceName, v2);
    await local.advanceTo(local.clock.now() + 2 * MINUTE);
    const paused = await describe(ecs, arn);
    const [first, second] = paused.lifecycleHookDetails ?? [];
    expect(first?.hookId).not.toBe(second?.hookId);
    await ecs.send(
      new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: first?.hookId }),
    );
    await local.advanceTo(local.clock.now() + MINUTE);
    expect((await describe(ecs, arn)).lifecycleStage).toBe('POST_SCALE_UP');
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ABORT' }));
    expect((await describe(ecs, arn)).status).toBe('STOP_REQUESTED');
    await local.advanceTo(local.clock.now() + MINUTE);
    const stopped = await describe(ecs, arn);
    expect(stopped.status).toBe('STOPPED');
    expect(stopped.lifecycleHookDetails?.map((hook) => hook.status)).toEqual(['SUCCEEDED', 'FAILED']);
    ecs.destroy();
  }, 30_000);

  it('rolls back when a deployment alarm is in ALARM in moto', async () => {
    const app = await createBlueGreenFixture(local, {
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 30,
        alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
      },
    });
    const { ecs } = clientsFor(local);
    const cloudwatch = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: local.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const v2 = await registerRevision(local, app.family, 'example/app:2');
    const arn = await deploy(ecs, app.clusterName, app.serviceName, v2);
    await local.advanceTo(local.clock.now() + 5 * MINUTE);
    expect((await describe(ecs, arn)).lifecycleStage).toBe('BAKE_TIME');
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'test' }),
    );
    // The alarm is seen at the next advance; the rollback (a weight flip) then takes rollbackMs.
    await local.advance();
    await local.advanceTo(local.clock.now() + MINUTE);
    const rolledBack = await describe(ecs, arn);
    expect(rolledBack.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(rolledBack.alarms).toMatchObject({ status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] });
    expect(local.callsOf('SetAlarmState')).toMatchObject([{ service: 'cloudwatch', status: 200 }]);
    cloudwatch.destroy();
    ecs.destroy();
  }, 30_000);

  it('keeps the settings it was given, starts nothing on a count-only update, and shows a crash loop', async () => {
    const deploymentConfiguration = {
      strategy: 'ROLLING' as const,
      maximumPercent: 150,
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        resetOnHealthyTask: false,
        thresholdConfiguration: { type: 'COUNT' as const, value: 7 },
      },
      lifecycleHooks: [{ targetType: 'PAUSE' as const, lifecycleStages: ['POST_SCALE_UP' as const] }],
    };
    const app = await createBlueGreenFixture(local, { deploymentConfiguration });
    const { ecs } = clientsFor(local);
    await ecs.send(
      new UpdateServiceCommand({ cluster: app.clusterName, service: app.serviceName, desiredCount: 3 }),
    );
    const service = await serviceOf(ecs, app.clusterName, app.serviceName);
    expect(service.deploymentConfiguration).toEqual(deploymentConfiguration);
    expect(local.services()[0]?.deployments).toHaveLength(1);
    local.crashLoop(app.taskDefinitionArn);
    const crashing = await serviceOf(ecs, app.clusterName, app.serviceName);
    expect([crashing.desiredCount, crashing.runningCount]).toEqual([3, 2]);
    await ecs.send(
      new DeleteServiceCommand({ cluster: app.clusterName, service: app.serviceName, force: true }),
    );
    const gone = await ecs.send(
      new DescribeServicesCommand({ cluster: app.clusterName, services: [app.serviceName] }),
    );
    expect(gone.failures).toMatchObject([{ reason: 'MISSING' }]);
    ecs.destroy();
  }, 30_000);

  it('optionally pauses during a rollback (pauseDuringRollback)', async () => {
    local.options.pauseDuringRollback = true;
    const app = await createBlueGreenFixture(local, {
      deploymentConfiguration: {
        strategy: 'CANARY',
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'] }],
      },
    });
    const { ecs } = clientsFor(local);
    const v2 = await registerRevision(local, app.family, 'example/app:2');
    const run = await driveDeployment(
      local,
      ecs,
      await deploy(ecs, app.clusterName, app.serviceName, v2),
      ({ index }) => (index === 1 ? 'ROLLBACK' : 'CONTINUE'),
    );
    expect(run.final.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(run.pauses.map((pause) => pause.stage)).toEqual([
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
    ]);
    ecs.destroy();
  }, 30_000);
});
