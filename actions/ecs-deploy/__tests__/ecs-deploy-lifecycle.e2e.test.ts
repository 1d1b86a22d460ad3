import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ScaledClock } from '@ecs-ship/shared/clock';
import { runDist, type DistRun } from '@ecs-ship/testing/dist-runner';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { createBlueGreenFixture, registerRevision } from '@ecs-ship/local-aws/blue-green-fixture';
import { startLocalAws, type LocalAws } from '@ecs-ship/local-aws/local-aws';

// The built dist, run as the runner runs it, against the behavioural ECS emulator (packages/local-aws)
// on a clock 600 times faster than real time shared with the dist (ECS_SHIP_CLOCK): a one-hour
// linear deployment takes about six real seconds. What ECS records (UpdateService, Continue, Stop)
// is read from the emulator's own record of the calls.
const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = 'public.ecr.aws/example/app';
const RATE = 600;

let moto: MotoServer;
let aws: LocalAws;
let ecs: ECSClient;
beforeAll(async () => {
  moto = await startMoto();
  const clock = new ScaledClock({ rate: RATE, origin: Date.UTC(2026, 0, 1), anchor: Date.now() });
  aws = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
  ecs = new ECSClient({
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}, 60_000);
afterAll(async () => {
  ecs?.destroy();
  await aws?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await aws.reset();
  await moto.reset();
});

async function deployDist(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<DistRun> {
  return runDist(actionDir, {
    inputs: { cluster: 'app', service: 'web', ...inputs },
    env: { ...aws.env(), ...env },
    timeoutMs: 120_000,
  });
}

async function serviceNow() {
  const answer = await ecs.send(new DescribeServicesCommand({ cluster: 'app', services: ['web'] }));
  return answer.services?.[0];
}

/** The status output; when it is not the one expected, the diff shows the run's log tail. */
function expectStatus(run: DistRun, status: string): void {
  const log = run.outputs.status === status ? '' : describeRun(run);
  expect({ status: run.outputs.status, log }).toEqual({ status, log: '' });
}
const describeRun = (run: DistRun) =>
  `exit ${run.exitCode}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-1000)}`;

describe('ecs-deploy dist against the ECS emulator', () => {
  it('keeps a user approval hook and a tuned circuit breaker, and a re-run sends no UpdateService', async () => {
    const tuned: DeploymentConfiguration = {
      strategy: 'ROLLING',
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        resetOnHealthyTask: false,
        thresholdConfiguration: { type: 'COUNT', value: 3 },
      },
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          timeoutConfiguration: { timeoutInMinutes: 120, action: 'ROLLBACK' },
        },
      ],
    };
    await createBlueGreenFixture(aws, { deploymentConfiguration: tuned });
    const before = (await serviceNow())?.deploymentConfiguration;
    aws.resetCalls();

    const first = await deployDist({ images: `app=${IMAGE}:2` });
    expect(first.outputs.status).toBe('succeeded');
    expect(first.exitCode).toBe(0);
    expect((await serviceNow())?.deploymentConfiguration).toEqual(before);

    aws.resetCalls();
    const again = await deployDist({ images: `app=${IMAGE}:2` });
    expect(again.outputs.status).toBe('succeeded');
    expect(again.stdout).toContain('nothing to deploy');
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
    expect(aws.callsOf('RegisterTaskDefinition')).toHaveLength(0);
    expect((await serviceNow())?.deploymentConfiguration).toEqual(before);
  }, 180_000);

  it('a linear deployment at ECS defaults finishes within the derived default timeout', async () => {
    const fixture = await createBlueGreenFixture(aws, { deploymentConfiguration: { strategy: 'LINEAR' } });
    aws.resetCalls();
    const run = await deployDist({ images: `app=${IMAGE}:2`, strategy: 'linear' });
    expect(run.outputs.status).toBe('succeeded');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('timeout 1h19m: derived from linear 10% steps with 6-minute bakes');
    expect(aws.callsOf('StopServiceDeployment')).toHaveLength(0);
    // The new revision went to B, the group production did not use.
    expect(run.outputs['canary-target-group']).toBe(fixture.targetGroupB);
    expect(run.outputs['baseline-target-group']).toBe(fixture.targetGroupA);
  }, 180_000);

  it('a ContinueServiceDeployment that fails once is sent again, and the canary goes on to its gate', async () => {
    await createBlueGreenFixture(aws, { deploymentConfiguration: { strategy: 'CANARY' } });
    aws.resetCalls();
    aws.faults.add({ operation: 'ContinueServiceDeployment', error: 'ServerException' });
    // One attempt per call, so the SDK does not absorb the fault: the action must.
    const run = await deployDist(
      { images: `app=${IMAGE}:2`, strategy: 'canary', gate: 'pause' },
      { AWS_MAX_ATTEMPTS: '1' },
    );
    expect(run.outputs.status).toBe('paused');
    expect(run.exitCode).toBe(0);
    const continues = aws.callsOf('ContinueServiceDeployment');
    expect(continues.map((call) => [call.input.hookId, call.error ?? 'ok'])).toEqual([
      [continues[0]?.input.hookId, 'ServerException'],
      [continues[0]?.input.hookId, 'ok'],
    ]);
    expect(run.outputs['gate-hook-id']).not.toBe(continues[0]?.input.hookId);
    expect(aws.callsOf('StopServiceDeployment')).toHaveLength(0);
  }, 180_000);

  it('a deployment ECS does not list or describe yet right after UpdateService is looked for again', async () => {
    await createBlueGreenFixture(aws);
    aws.resetCalls();
    aws.options.listDelayMs = 90_000;
    const run = await deployDist({ images: `app=${IMAGE}:2` });
    expectStatus(run, 'succeeded');
    expect(run.stdout).toMatch(/ECS does not describe \S+ yet \(MISSING\); looking again\./);
    expect(aws.callsOf('StopServiceDeployment')).toHaveLength(0);
    expect(run.state.finished).toBe('true');
  }, 180_000);

  it('a deployment superseded by a newer one is reported superseded and not rolled back', async () => {
    const fixture = await createBlueGreenFixture(aws, { deploymentConfiguration: { strategy: 'CANARY' } });
    aws.resetCalls();
    const running = deployDist({
      images: `app=${IMAGE}:2`,
      strategy: 'canary',
      'canary-bake-minutes': '30',
    });
    // Someone else deploys during the canary bake (real ms: 30 simulated minutes are 3 s).
    const newer = await registerRevision(aws, fixture.family, `${IMAGE}:3`);
    for (let waited = 0; waited < 60_000; waited += 100) {
      const weight = (await serviceNow())?.deployments?.length ?? 0;
      if (aws.callsOf('UpdateService').length > 0 && weight > 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await ecs.send(new UpdateServiceCommand({ cluster: 'app', service: 'web', taskDefinition: newer }));
    const run = await running;
    expectStatus(run, 'superseded');
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain('The deployment was superseded by another deployment');
    expect(aws.callsOf('StopServiceDeployment')).toHaveLength(0);
    expect((await serviceNow())?.taskDefinition).toBe(newer);
  }, 180_000);

  it('outputs the target groups of the deployment it started: they swap on the next deployment', async () => {
    const fixture = await createBlueGreenFixture(aws, {
      deploymentConfiguration: { strategy: 'BLUE_GREEN' },
    });
    const inputs = { strategy: 'blue-green', 'bake-minutes': '1' };
    const first = await deployDist({ ...inputs, images: `app=${IMAGE}:2` });
    expectStatus(first, 'succeeded');
    expect([first.outputs['canary-target-group'], first.outputs['baseline-target-group']]).toEqual([
      fixture.targetGroupB,
      fixture.targetGroupA,
    ]);
    const second = await deployDist({ ...inputs, images: `app=${IMAGE}:3` });
    expectStatus(second, 'succeeded');
    expect([second.outputs['canary-target-group'], second.outputs['baseline-target-group']]).toEqual([
      fixture.targetGroupA,
      fixture.targetGroupB,
    ]);
  }, 180_000);

  it('mode continue: a blue/green deployment paused at its gate is continued and followed to success', async () => {
    await createBlueGreenFixture(aws, { deploymentConfiguration: { strategy: 'BLUE_GREEN' } });
    const gated = { strategy: 'blue-green', 'bake-minutes': '1' };
    const deploy = await deployDist({ ...gated, images: `app=${IMAGE}:2`, gate: 'pause' });
    expectStatus(deploy, 'paused');
    const hookId = deploy.outputs['gate-hook-id'];
    aws.resetCalls();

    const run = await deployDist({
      mode: 'continue',
      'service-deployment-arn': deploy.outputs['service-deployment-arn'] ?? '',
    });
    expectStatus(run, 'succeeded');
    expect(run.exitCode).toBe(0);
    expect(run.outputs['service-deployment-arn']).toBe(deploy.outputs['service-deployment-arn']);
    expect(run.outputs['task-definition-arn']).toBe(deploy.outputs['task-definition-arn']);
    expect(run.outputs['previous-task-definition-arn']).toBe(deploy.outputs['previous-task-definition-arn']);
    expect(
      aws.callsOf('ContinueServiceDeployment').map((call) => [call.input.hookId, call.input.action]),
    ).toEqual([[hookId, 'CONTINUE']]);
    expect(aws.callsOf('StopServiceDeployment')).toHaveLength(0);
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
    expect((await serviceNow())?.taskDefinition).toBe(deploy.outputs['task-definition-arn']);
    expect(run.summary).toContain('## ECS deploy: ✅ succeeded — web');
    expect(run.summary).toContain('| Answer | continue: every pause of the deployment is continued |');
    expect(run.state.finished).toBe('true');
  }, 180_000);

  it('mode continue with answer rollback: the paused deployment is rolled back and the service runs its previous revision', async () => {
    await createBlueGreenFixture(aws, { deploymentConfiguration: { strategy: 'BLUE_GREEN' } });
    const deploy = await deployDist({
      strategy: 'blue-green',
      'bake-minutes': '1',
      images: `app=${IMAGE}:2`,
      gate: 'pause',
    });
    expectStatus(deploy, 'paused');
    const previous = deploy.outputs['previous-task-definition-arn'];
    aws.resetCalls();

    const run = await deployDist({
      mode: 'continue',
      'service-deployment-arn': deploy.outputs['service-deployment-arn'] ?? '',
      answer: 'rollback',
    });
    expectStatus(run, 'rolled-back');
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain('::error::The deployment was rolled back');
    expect(
      aws.callsOf('ContinueServiceDeployment').map((call) => [call.input.hookId, call.input.action]),
    ).toEqual([[deploy.outputs['gate-hook-id'], 'ROLLBACK']]);
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
    expect((await serviceNow())?.taskDefinition).toBe(previous);
    expect(run.summary).toContain('**Rollback:** rolled-back');
  }, 180_000);

  it('mode resolve-images: outputs what the source runs, by digest, and changes nothing', async () => {
    await createBlueGreenFixture(aws, { image: `${IMAGE}:1` });
    const tasks = await ecs.send(new ListTasksCommand({ cluster: 'app', serviceName: 'web' }));
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'app', tasks: tasks.taskArns }));
    const digest = described.tasks?.[0]?.containers?.[0]?.imageDigest ?? '';
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    aws.resetCalls();

    const run = await runDist(actionDir, {
      inputs: { mode: 'resolve-images', 'images-from': 'app/web' },
      env: aws.env(),
      timeoutMs: 60_000,
    });
    expectStatus(run, 'succeeded');
    expect(run.outputs.images).toBe(`app=${IMAGE}@${digest}`);
    expect(JSON.parse(run.outputs['image-digests'] ?? '{}')).toEqual({ app: digest });
    expect(run.summary).toContain('## ECS deploy: ✅ succeeded — resolve-images app/web');
    expect(run.summary).toContain(`| app/web (us-east-1) | \`web:1\` | app | \`${digest}\` | 2 |`);
    const mutating = aws.calls.filter((call) => !/^(Describe|List)/.test(call.operation));
    expect(mutating).toEqual([]);
  }, 60_000);
});
