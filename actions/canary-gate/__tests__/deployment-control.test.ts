import { describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { DeploymentControl } from '../src/deployment-control.js';

const arn = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/dep-2';
const deployment = (status: string, hooks: Array<{ hookId: string; status: string }> = []) => ({
  serviceDeploymentArn: arn,
  status: status as 'IN_PROGRESS',
  lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' as const,
  lifecycleHookDetails: hooks.map((hook) => ({
    ...hook,
    targetType: 'PAUSE' as const,
    status: hook.status as 'AWAITING_ACTION',
  })),
  targetServiceRevision: { arn: 'rev-2', requestedProductionTrafficWeight: 10 },
});

describe('DeploymentControl', () => {
  it('finds the newest in-progress deployment of a service', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'older', createdAt: new Date(1000) },
        { serviceDeploymentArn: arn, createdAt: new Date(2000) },
      ],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [deployment('IN_PROGRESS')] });
    const control = await DeploymentControl.attach(
      new ECSClient({ region: 'eu-west-1' }),
      new MemoryLogger(),
      { cluster: 'prod', service: 'api' },
    );
    expect(control.arn).toBe(arn);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input).toMatchObject({
      cluster: 'prod',
      service: 'api',
      status: ['IN_PROGRESS', 'PENDING'],
    });
  });

  it('refuses a finished deployment and a service with none in progress', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [deployment('SUCCESSFUL')] });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const client = new ECSClient({ region: 'eu-west-1' });
    await expect(
      DeploymentControl.attach(client, new MemoryLogger(), { serviceDeploymentArn: arn }),
    ).rejects.toThrow(`The service deployment ${arn} is SUCCESSFUL: there is nothing left to gate.`);
    await expect(
      DeploymentControl.attach(client, new MemoryLogger(), { cluster: 'prod', service: 'api' }),
    ).rejects.toThrow('Service "api" in cluster "prod" has no deployment in progress');
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('continues the pause before the first canary shift, but never a blue/green gate', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
    const firstPause = (strategy: 'CANARY' | 'BLUE_GREEN', weight: number) => ({
      ...deployment('IN_PROGRESS', [{ hookId: 'h0', status: 'AWAITING_ACTION' }]),
      deploymentConfiguration: { strategy },
      targetServiceRevision: { arn: 'rev-2', requestedProductionTrafficWeight: weight },
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [firstPause('CANARY', 0)] });
    const control = await DeploymentControl.attach(
      new ECSClient({ region: 'eu-west-1' }),
      new MemoryLogger(),
      { serviceDeploymentArn: arn },
    );
    expect(await control.continueFirstPause(await control.describe())).toBe(true);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [firstPause('CANARY', 10)] });
    expect(await control.continueFirstPause(await control.describe())).toBe(false);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [firstPause('BLUE_GREEN', 0)] });
    expect(await control.continueFirstPause(await control.describe())).toBe(false);
    expect(
      ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.hookId),
    ).toEqual(['h0']);
  });

  it('continues each waiting pause once', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [deployment('IN_PROGRESS', [{ hookId: 'h1', status: 'AWAITING_ACTION' }])],
    });
    ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
    const control = await DeploymentControl.attach(
      new ECSClient({ region: 'eu-west-1' }),
      new MemoryLogger(),
      {
        serviceDeploymentArn: arn,
      },
    );
    const paused = await control.describe();
    expect(paused).toMatchObject({
      arn,
      status: 'IN_PROGRESS',
      stage: 'PRODUCTION_TRAFFIC_SHIFT',
      awaitingHookIds: ['h1'],
      canaryWeight: 10,
      finished: false,
    });
    expect(await control.continuePauses(paused)).toBe(1);
    expect(await control.continuePauses(await control.describe())).toBe(0);
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([
      { serviceDeploymentArn: arn, hookId: 'h1', action: 'CONTINUE' },
    ]);
  });

  it.each([
    [
      'answers a waiting pause with ROLLBACK',
      [{ hookId: 'h1', status: 'AWAITING_ACTION' }],
      'ok',
      ['ContinueServiceDeployment ROLLBACK (hook h1)'],
    ],
    ['stops the deployment when no pause waits', [], 'ok', ['StopServiceDeployment ROLLBACK']],
    [
      'stops the deployment when the pause has moved on',
      [{ hookId: 'h1', status: 'AWAITING_ACTION' }],
      'fails',
      ['StopServiceDeployment ROLLBACK'],
    ],
  ])('rolls back: %s', async (_name, hooks, continueResult, actions) => {
    const ecs = mockClient(ECSClient);
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [deployment('IN_PROGRESS', hooks)] });
    if (continueResult === 'ok')
      ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
    else
      ecs
        .on(ContinueServiceDeploymentCommand)
        .rejects(
          Object.assign(new Error('hook is not awaiting action'), { name: 'InvalidParameterException' }),
        );
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
    const control = await DeploymentControl.attach(
      new ECSClient({ region: 'eu-west-1' }),
      new MemoryLogger(),
      {
        serviceDeploymentArn: arn,
      },
    );
    await control.rollback('5xx up');
    expect(control.actions).toEqual(actions);
  });

  it('does not roll back a deployment ECS already ended', async () => {
    const ecs = mockClient(ECSClient);
    ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [deployment('IN_PROGRESS')] })
      .resolves({ serviceDeployments: [deployment('ROLLBACK_SUCCESSFUL')] });
    const control = await DeploymentControl.attach(
      new ECSClient({ region: 'eu-west-1' }),
      new MemoryLogger(),
      {
        serviceDeploymentArn: arn,
      },
    );
    expect((await control.rollback('late')).status).toBe('ROLLBACK_SUCCESSFUL');
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(control.actions).toEqual([]);
  });

  it('retries a ROLLBACK answer and a StopServiceDeployment that fail transiently, never leaving them unsent', async () => {
    const unavailable = () =>
      Object.assign(new Error('Service unavailable'), {
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503 },
      });
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [deployment('IN_PROGRESS', [{ hookId: 'h1', status: 'AWAITING_ACTION' }])],
    });
    ecs
      .on(ContinueServiceDeploymentCommand)
      .rejectsOnce(unavailable())
      .resolves({ serviceDeploymentArn: arn });
    const clock = new SimulatedClock(0);
    const control = await DeploymentControl.attach(
      new ECSClient({ region: 'eu-west-1' }),
      new MemoryLogger(),
      { serviceDeploymentArn: arn },
      clock,
    );
    await control.rollback('regressed');
    expect(
      ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input.action),
    ).toEqual(['ROLLBACK', 'ROLLBACK']);
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);

    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [deployment('IN_PROGRESS')] });
    ecs.on(StopServiceDeploymentCommand).rejectsOnce(unavailable()).resolves({ serviceDeploymentArn: arn });
    await control.rollback('regressed');
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(2);
    expect(control.actions.at(-1)).toBe('StopServiceDeployment ROLLBACK');
  });
});
