import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeServiceDeploymentsCommand, ECSClient, type ServiceDeployment } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ScaledClock } from '@ecs-ship/shared/clock';
import {
  createBlueGreenFixture,
  registerRevision,
  type BlueGreenFixture,
} from '@ecs-ship/local-aws/blue-green-fixture';
import { startLocalAws, type LocalAws } from '@ecs-ship/local-aws/local-aws';
import {
  startSyntheticAlbTraffic,
  type SyntheticAlbTraffic,
  type SyntheticBehaviour,
} from '@ecs-ship/local-aws/synthetic-alb-traffic';
import { runDist, type DistRun } from '@ecs-ship/testing/dist-runner';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';

// ecs-deploy and canary-gate together, each from its built dist as the runner runs it, against the
// behavioural ECS emulator in front of moto. Time is simulated (ECS_SHIP_CLOCK) at RATE times real
// time for the emulator and both dists alike: a 10-minute canary bake takes five real seconds.
// Traffic is the emulator's synthetic ALB traffic: per-target-group counts published to moto's
// CloudWatch by the weights the emulator wrote into the production listener rule.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ecsDeploy = path.join(root, 'actions/ecs-deploy');
const canaryGate = path.join(root, 'actions/canary-gate');
const RATE = 120;
const HEALTHY: SyntheticBehaviour = { errorRate: 0.005, latencySeconds: 0.08 };
const REGRESSED: SyntheticBehaviour = { errorRate: 0.05, latencySeconds: 0.08 };
const IMAGE = (tag: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/web:${tag}`;

let moto: MotoServer;
let aws: LocalAws;
let app: BlueGreenFixture;
let traffic: SyntheticAlbTraffic | undefined;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
/** Per revision, from which simulated moment it answers as REGRESSED. */
let regressedFrom: Map<string, number>;

beforeAll(async () => {
  moto = await startMoto();
}, 30_000);
afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  const clock = new ScaledClock({ rate: RATE, origin: Date.UTC(2026, 0, 5, 9), anchor: Date.now() });
  aws = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
  app = await createBlueGreenFixture(aws, { image: IMAGE('1'), desiredCount: 2 });
  regressedFrom = new Map();
  traffic = await startSyntheticAlbTraffic(aws, {
    loadBalancer: app.loadBalancerDimension,
    requestsPerMinute: 20_000,
    seed: 7,
    behaviour: (taskDefinitionArn, periodStart) =>
      periodStart >= (regressedFrom.get(taskDefinitionArn) ?? Infinity) ? REGRESSED : HEALTHY,
  });
  const config = {
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  };
  ecs = new ECSClient(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
}, 60_000);

afterEach(async () => {
  traffic?.stop();
  ecs?.destroy();
  elbv2?.destroy();
  await aws?.stop();
});

function deployStep(taskDefinitionArn: string, inputs: Record<string, string>): Promise<DistRun> {
  return runDist(ecsDeploy, {
    inputs: {
      cluster: app.clusterName,
      service: app.serviceName,
      'task-definition-arn': taskDefinitionArn,
      gate: 'pause',
      ...inputs,
    },
    env: aws.env(),
    timeoutMs: 120_000,
  });
}

function gateStep(
  deploy: DistRun,
  inputs: Record<string, string> = {},
  extra: { interrupt?: { when: RegExp }; env?: Record<string, string> } = {},
): Promise<DistRun> {
  return runDist(canaryGate, {
    inputs: {
      'service-deployment-arn': deploy.outputs['service-deployment-arn'] ?? '',
      'load-balancer': app.loadBalancerDimension,
      'canary-target-group': deploy.outputs['canary-target-group'] ?? '',
      'baseline-target-group': deploy.outputs['baseline-target-group'] ?? '',
      ...inputs,
    },
    env: { ...aws.env(), ...extra.env },
    timeoutMs: 180_000,
    ...(extra.interrupt ? { interrupt: extra.interrupt } : {}),
  });
}

async function deployment(arn: string): Promise<ServiceDeployment> {
  const answer = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const found = answer.serviceDeployments?.[0];
  if (!found) throw new Error(`no deployment ${arn}`);
  return found;
}

/** Waits (simulated time) until ECS ends the deployment, and returns it. */
async function finished(arn: string, withinMs = 3 * 3_600_000): Promise<ServiceDeployment> {
  const deadline = aws.clock.now() + withinMs;
  for (;;) {
    const current = await deployment(arn);
    if (
      !['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'].includes(
        current.status ?? '',
      )
    )
      return current;
    if (aws.clock.now() > deadline) throw new Error(`deployment ${arn} still ${current.status}`);
    await aws.clock.sleep(30_000);
  }
}

async function productionWeights(): Promise<Record<string, number>> {
  const answer = await elbv2.send(new DescribeRulesCommand({ RuleArns: [app.productionRuleArn] }));
  const groups =
    answer.Rules?.[0]?.Actions?.find((action) => action.Type === 'forward')?.ForwardConfig?.TargetGroups ??
    [];
  return Object.fromEntries(groups.map((group) => [group.TargetGroupArn ?? '', group.Weight ?? 0]));
}

const answers = (arn: string) =>
  aws
    .callsOf('ContinueServiceDeployment')
    .filter(
      (call) =>
        call.status < 300 && (call.input as { serviceDeploymentArn?: string }).serviceDeploymentArn === arn,
    )
    .map((call) => (call.input as { action?: string }).action);
/** Rollbacks ECS accepted for the deployment: a ROLLBACK answer at a pause, or a stop between pauses. */
const rollbacks = (arn: string) =>
  answers(arn).filter((action) => action === 'ROLLBACK').length +
  aws.callsOf('StopServiceDeployment').filter((call) => {
    const input = call.input as { serviceDeploymentArn?: string; stopType?: string };
    return call.status < 300 && input.serviceDeploymentArn === arn && input.stopType === 'ROLLBACK';
  }).length;

describe('ecs-deploy with canary-gate on ECS canary deployments', () => {
  it('promotes a healthy canary, then rolls back a regressed one after the target groups swapped', async () => {
    const canary = { strategy: 'canary', 'canary-percent': '10' };
    // First deployment: healthy. One ContinueServiceDeployment fails on the wire (no SDK retry):
    // the gate must send it again rather than leave the pause unanswered.
    const second = await registerRevision(aws, app.family, IMAGE('2'));
    const deployed = await deployStep(second, canary);
    expect(deployed.exitCode).toBe(0);
    expect(deployed.outputs.status).toBe('paused');
    expect(deployed.outputs['canary-target-group']).toBe(app.targetGroupB);
    expect(deployed.outputs['baseline-target-group']).toBe(app.targetGroupA);
    aws.faults.add({ operation: 'ContinueServiceDeployment', times: 1, error: 'ServerException' });
    const promoted = await gateStep(deployed, {}, { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect({ exit: promoted.exitCode, decision: promoted.outputs.decision }).toEqual({
      exit: 0,
      decision: 'promote',
    });
    const firstArn = deployed.outputs['service-deployment-arn'] ?? '';
    expect((await finished(firstArn)).status).toBe('SUCCESSFUL');
    expect(await productionWeights()).toMatchObject({ [app.targetGroupB]: 100 });

    // Second deployment: regressed. The new revision now lands in group A, the one that served the
    // first revision; ecs-deploy says so, and the gate judges A as the canary.
    const third = await registerRevision(aws, app.family, IMAGE('3'));
    regressedFrom.set(third, 0);
    const redeployed = await deployStep(third, canary);
    expect(redeployed.outputs.status).toBe('paused');
    expect(redeployed.outputs['canary-target-group']).toBe(app.targetGroupA);
    expect(redeployed.outputs['baseline-target-group']).toBe(app.targetGroupB);

    // Inputs fixed at the first deployment's roles name the old revision as the canary: refused.
    const stale = await gateStep(redeployed, {
      'canary-target-group': app.targetGroupB,
      'baseline-target-group': app.targetGroupA,
      'on-cancel': 'leave',
    });
    expect(stale.exitCode).not.toBe(0);
    expect(stale.outputs.decision).toBe('inconclusive');
    expect(stale.outputs.reason).toMatch(/is in targetgroup\/web-a.*ECS alternates the groups/);

    const judged = await gateStep(redeployed);
    expect(judged.outputs.decision).toBe('rollback');
    expect(judged.exitCode).not.toBe(0);
    const secondArn = redeployed.outputs['service-deployment-arn'] ?? '';
    expect(answers(secondArn)).toContain('ROLLBACK');
    expect((await finished(secondArn)).status).toBe('ROLLBACK_SUCCESSFUL');
    expect(await productionWeights()).toMatchObject({ [app.targetGroupB]: 100, [app.targetGroupA]: 0 });
    expect(aws.services()[0]?.taskDefinition).toBe(second);
  }, 240_000);

  it('answers the pause with ROLLBACK when the gate is cancelled at it (main step, then post step)', async () => {
    const next = await registerRevision(aws, app.family, IMAGE('2'));
    const deployed = await deployStep(next, { strategy: 'canary', 'canary-percent': '10' });
    expect(deployed.outputs.status).toBe('paused');
    const cancelled = await gateStep(deployed, {}, { interrupt: { when: /canary \d+ req/ } });
    expect(cancelled.exitCode).not.toBe(0);
    const post = await runDist(canaryGate, { state: cancelled.state, env: aws.env(), timeoutMs: 120_000 });
    expect(post.exitCode).toBe(0);
    const arn = deployed.outputs['service-deployment-arn'] ?? '';
    expect((await finished(arn)).status).toBe('ROLLBACK_SUCCESSFUL');
    expect(answers(arn).filter((action) => action === 'CONTINUE')).toHaveLength(1); // the zero-traffic pause
    expect(aws.services()[0]?.taskDefinition).toBe(app.taskDefinitionArn);
  }, 240_000);
});

describe('ecs-deploy with canary-gate on an ECS linear deployment at default step and bake', () => {
  it.each([
    ['healthy throughout', undefined, 'promote', 'SUCCESSFUL'],
    ['regressed 40 minutes in, after the gate promoted', 40 * 60_000, 'rollback', 'ROLLBACK_SUCCESSFUL'],
  ])(
    '%s',
    async (_name, regressionAfterMs, decision, status) => {
      const next = await registerRevision(aws, app.family, IMAGE('2'));
      const startedAt = aws.clock.now();
      if (regressionAfterMs !== undefined) regressedFrom.set(next, startedAt + regressionAfterMs);
      const deployed = await deployStep(next, { strategy: 'linear' });
      expect(deployed.exitCode).toBe(0);
      expect(deployed.outputs.status).toBe('paused');
      const gate = await gateStep(deployed);
      const arn = deployed.outputs['service-deployment-arn'] ?? '';
      const final = await finished(arn);
      expect({ exit: gate.exitCode, decision: gate.outputs.decision, status: final.status }).toEqual({
        exit: decision === 'promote' ? 0 : 1,
        decision,
        status,
      });
      // Ten steps of 10%: every pause after the first was answered by the gate, none left waiting.
      const continued = answers(arn).filter((action) => action === 'CONTINUE').length;
      if (decision === 'promote') expect(continued).toBe(10);
      else {
        // Judged by the watch after the promotion, between pauses or at one.
        expect(gate.outputs.reason).toMatch(/^After the promotion, 5xx rate/);
        expect(rollbacks(arn)).toBe(1);
      }
      expect(final.lifecycleHookDetails?.some((hook) => hook.status === 'AWAITING_ACTION') ?? false).toBe(
        false,
      );
    },
    300_000,
  );
});
