import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ECSClient,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';

export type DeploymentTarget = { serviceDeploymentArn: string } | { cluster: string; service: string };

/** What the gate needs to know about the ECS deployment it judges. */
export interface DeploymentView {
  arn: string;
  status: string;
  stage?: string;
  /** PAUSE hooks waiting for a decision. */
  awaitingHookIds: string[];
  /** When each waiting hook gives up, and what ECS then does. */
  awaitingHooks: Array<{ hookId: string; expiresAt?: Date; timeoutAction?: string }>;
  /** Share of production traffic requested for the new revision, when ECS reports it. */
  canaryWeight?: number;
  /** ROLLING, CANARY, LINEAR or BLUE_GREEN. */
  strategy?: string;
  finished: boolean;
}

const ACTIVE = new Set(['PENDING', 'IN_PROGRESS']);

export function viewOf(deployment: ServiceDeployment): DeploymentView {
  // Only PAUSE hooks: a Lambda hook answers for itself.
  const awaitingHooks = (deployment.lifecycleHookDetails ?? [])
    .filter(
      (hook) => hook.status === 'AWAITING_ACTION' && hook.hookId && (hook.targetType ?? 'PAUSE') === 'PAUSE',
    )
    .map((hook) => ({
      hookId: hook.hookId as string,
      ...(hook.expiresAt ? { expiresAt: new Date(hook.expiresAt) } : {}),
      ...(hook.timeoutAction ? { timeoutAction: hook.timeoutAction } : {}),
    }));
  const weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
  const strategy = deployment.deploymentConfiguration?.strategy;
  return {
    arn: deployment.serviceDeploymentArn ?? '',
    status: deployment.status ?? 'UNKNOWN',
    ...(deployment.lifecycleStage ? { stage: deployment.lifecycleStage } : {}),
    awaitingHookIds: awaitingHooks.map((hook) => hook.hookId),
    awaitingHooks,
    ...(weight !== undefined ? { canaryWeight: weight } : {}),
    ...(strategy ? { strategy } : {}),
    finished: !ACTIVE.has(deployment.status ?? ''),
  };
}

/**
 * Continues or rolls back the ECS deployment the gate judges. Every call names the deployment by ARN,
 * so the gate can never act on a newer deployment that replaced the one it measured.
 */
export class DeploymentControl {
  readonly actions: string[] = [];
  private readonly continuedHooks = new Set<string>();
  private constructor(
    private readonly ecs: ECSClient,
    private readonly logger: Logger,
    readonly arn: string,
  ) {}

  /** Finds the deployment and checks it is still running: before the gate reads any metric. */
  static async attach(ecs: ECSClient, logger: Logger, target: DeploymentTarget): Promise<DeploymentControl> {
    const arn =
      'serviceDeploymentArn' in target
        ? target.serviceDeploymentArn
        : await findActive(ecs, target.cluster, target.service);
    const control = new DeploymentControl(ecs, logger, arn);
    const view = await control.describe();
    if (view.finished) {
      throw new ConfigurationError(
        `The service deployment ${arn} is ${view.status}: there is nothing left to gate. Run the gate while the deployment is in progress.`,
      );
    }
    return control;
  }

  async describe(): Promise<DeploymentView> {
    const response = await this.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [this.arn] }),
    );
    const deployment = response.serviceDeployments?.[0];
    if (!deployment) {
      const failure = response.failures?.[0];
      throw new ConfigurationError(
        `Input "service-deployment-arn": ECS does not know ${this.arn}${failure?.reason ? ` (${failure.reason})` : ''}.`,
      );
    }
    return viewOf(deployment);
  }

  /**
   * A canary or linear deployment also pauses before its first shift, when the new revision has no
   * production traffic yet: there is nothing to judge, so that pause is continued at once. (A
   * blue/green deployment's single pause is the gate itself: it is never continued here.)
   */
  async continueFirstPause(view: DeploymentView): Promise<boolean> {
    const progressive = view.strategy === 'CANARY' || view.strategy === 'LINEAR';
    if (!progressive || view.canaryWeight !== 0 || view.awaitingHookIds.length === 0) return false;
    this.logger.info(
      'The deployment paused before any production traffic reached the new revision; continuing so the canary takes traffic.',
    );
    await this.continuePauses(view);
    return true;
  }

  /**
   * Lets every waiting pause proceed to the next traffic shift, each hook once: ECS may still show a
   * continued hook as waiting for a moment.
   */
  async continuePauses(view: DeploymentView): Promise<number> {
    let continued = 0;
    for (const hookId of view.awaitingHookIds) {
      if (this.continuedHooks.has(hookId)) continue;
      await this.ecs.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: this.arn, hookId, action: 'CONTINUE' }),
      );
      this.continuedHooks.add(hookId);
      this.actions.push(`ContinueServiceDeployment CONTINUE (hook ${hookId})`);
      this.logger.info(
        `Continued the deployment at hook ${hookId}${view.canaryWeight !== undefined ? ` (new revision at ${view.canaryWeight}% of production traffic)` : ''}.`,
      );
      continued += 1;
    }
    return continued;
  }

  /**
   * Rolls back from the deployment's state right now: at a waiting pause, the hook's ROLLBACK
   * answer; otherwise, or when the hook has moved on meanwhile, StopServiceDeployment ROLLBACK.
   * Either way ECS shifts traffic back to the previous revision.
   */
  async rollback(reason: string): Promise<DeploymentView> {
    const view = await this.describe();
    if (view.finished) {
      this.logger.warning(`Not rolling back ${this.arn}: ECS already ended it as ${view.status}. ${reason}`);
      return view;
    }
    this.logger.warning(`Rolling back ${this.arn}: ${reason}`);
    const hookId = view.awaitingHookIds.find((id) => !this.continuedHooks.has(id));
    if (hookId) {
      try {
        await this.ecs.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: this.arn,
            hookId,
            action: 'ROLLBACK',
          }),
        );
        this.actions.push(`ContinueServiceDeployment ROLLBACK (hook ${hookId})`);
        return view;
      } catch (error) {
        this.logger.warning(
          `The pause ${hookId} no longer takes an answer (${(error as Error).message}); stopping the deployment instead.`,
        );
      }
    }
    await this.ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: this.arn, stopType: 'ROLLBACK' }),
    );
    this.actions.push('StopServiceDeployment ROLLBACK');
    return view;
  }
}

async function findActive(ecs: ECSClient, cluster: string, service: string): Promise<string> {
  const response = await ecs.send(
    new ListServiceDeploymentsCommand({
      cluster,
      service,
      status: ['IN_PROGRESS', 'PENDING'],
      maxResults: 10,
    }),
  );
  const newest = [...(response.serviceDeployments ?? [])].sort(
    (a, b) => new Date(b.createdAt ?? 0).getTime() - new Date(a.createdAt ?? 0).getTime(),
  )[0];
  if (!newest?.serviceDeploymentArn) {
    throw new ConfigurationError(
      `Service "${service}" in cluster "${cluster}" has no deployment in progress: start one with ecs-deploy (wait: gate) before the gate, or pass "service-deployment-arn".`,
    );
  }
  return newest.serviceDeploymentArn;
}
