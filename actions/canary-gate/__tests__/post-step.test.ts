import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { POST_STATE, runPost } from '../src/post-step.js';

// The post step reads only what the main step saved (GITHUB_STATE arrives as STATE_* variables) and
// answers the deployment's pause as on-cancel said. ECS is an aws-sdk-client-mock script.
const arn = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/dep-2';
const saved = Object.values(POST_STATE).map((name) => `STATE_${name}`);

function waitingAtPause(ecs: ReturnType<typeof mockClient>) {
  ecs.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: arn,
        status: 'IN_PROGRESS',
        deploymentConfiguration: { strategy: 'CANARY' },
        lifecycleHookDetails: [{ hookId: 'hook-1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
        targetServiceRevision: { arn: 'rev-2', requestedProductionTrafficWeight: 10 },
      },
    ],
  });
  ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
  ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
}

function save(state: Record<string, string>): void {
  for (const [name, value] of Object.entries(state)) process.env[`STATE_${name}`] = value;
}

describe('canary-gate post step', () => {
  let ecs: ReturnType<typeof mockClient>;
  beforeEach(() => {
    ecs = mockClient(ECSClient);
    waitingAtPause(ecs);
  });
  afterEach(() => {
    ecs.restore();
    for (const name of saved) delete process.env[name];
    process.exitCode = undefined;
  });

  it('answers the waiting pause with ROLLBACK when the main step did not finish (on-cancel rollback)', async () => {
    save({ isPost: 'true', 'deployment-arn': arn, region: 'eu-west-1', answer: 'rollback' });
    await runPost();
    const answers = ecs.commandCalls(ContinueServiceDeploymentCommand).map((call) => call.args[0].input);
    expect(answers).toEqual([{ serviceDeploymentArn: arn, hookId: 'hook-1', action: 'ROLLBACK' }]);
    expect(process.exitCode).toBeUndefined();
  });

  it.each([
    ['the main step answered the deployment', 'done'],
    ['on-cancel is leave', 'leave'],
  ])('sends nothing when %s', async (_name, answer) => {
    save({ isPost: 'true', 'deployment-arn': arn, region: 'eu-west-1', answer });
    await runPost();
    expect(ecs.calls()).toHaveLength(0);
  });

  it('sends nothing when the main step never attached to a deployment', async () => {
    save({ isPost: 'true' });
    await runPost();
    expect(ecs.calls()).toHaveLength(0);
  });
});
