import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LocalAws } from '../src/local-aws.js';

export function clientsFor(handle: LocalAws): { ecs: ECSClient; elbv2: ElasticLoadBalancingV2Client } {
  const config = {
    region: handle.region,
    endpoint: handle.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return { ecs: new ECSClient(config), elbv2: new ElasticLoadBalancingV2Client(config) };
}

/** The production (or test) rule's weights by target group, read back from moto through the emulator. */
export async function ruleWeights(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
): Promise<Record<string, number>> {
  const answer = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  const groups =
    answer.Rules?.[0]?.Actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
  return Object.fromEntries(groups.map((g) => [g.TargetGroupArn ?? '', g.Weight ?? 0]));
}

export async function deploy(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinition: string,
): Promise<string> {
  await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }));
  const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service }));
  const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn;
  if (arn === undefined) throw new Error('no deployment listed');
  return arn;
}

export async function describe(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const answer = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const deployment = answer.serviceDeployments?.[0];
  if (deployment === undefined) throw new Error(`deployment ${arn} not described`);
  return deployment;
}

export async function serviceOf(ecs: ECSClient, cluster: string, service: string) {
  const answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = answer.services?.[0];
  if (found === undefined) throw new Error('service not described');
  return found;
}

/** The hook waiting for an answer, if any. */
export function waitingHook(deployment: ServiceDeployment) {
  return deployment.lifecycleHookDetails?.find((hook) => hook.status === 'AWAITING_ACTION');
}

/**
 * Runs a deployment on a SimulatedClock: advance a minute at a time, answer every pause with
 * `answer(stage, weight)`, and record the stages seen at each pause; stops at a final status.
 */
export async function driveDeployment(
  handle: LocalAws & { clock: { advance(ms: number): void } },
  ecs: ECSClient,
  arn: string,
  answer: (pause: {
    stage: string;
    weight: number | undefined;
    index: number;
  }) => 'CONTINUE' | 'ROLLBACK' | 'WAIT',
  stepMs = 10 * 60_000,
  maxSteps = 2000,
): Promise<{
  pauses: Array<{ stage: string; weight: number | undefined; hookId: string }>;
  final: ServiceDeployment;
}> {
  const pauses: Array<{ stage: string; weight: number | undefined; hookId: string }> = [];
  for (let i = 0; i < maxSteps; i++) {
    const deployment = await describe(ecs, arn);
    if (
      !['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED'].includes(
        deployment.status ?? '',
      )
    )
      return { pauses, final: deployment };
    const hook = waitingHook(deployment);
    if (hook?.hookId !== undefined && !pauses.some((p) => p.hookId === hook.hookId)) {
      const weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
      pauses.push({ stage: deployment.lifecycleStage ?? '', weight, hookId: hook.hookId });
      const action = answer({ stage: deployment.lifecycleStage ?? '', weight, index: pauses.length - 1 });
      if (action !== 'WAIT') {
        await ecs.send(
          new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId, action }),
        );
        continue;
      }
    }
    // Jump to the next change (a step's end, a pause's expiry), at most stepMs ahead.
    const next = handle.nextChangeAt();
    const now = handle.clock.now();
    handle.clock.advance(next === undefined || next <= now ? stepMs : Math.min(stepMs, next - now));
    await handle.advance();
  }
  // Out of steps: hand back where the deployment stands (a caller that waits on purpose checks it).
  return { pauses, final: await describe(ecs, arn) };
}
