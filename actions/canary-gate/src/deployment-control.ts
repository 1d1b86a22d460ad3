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
  /** Share of production traffic requested for the new revision, when ECS reports it. */
  canaryWeight?: number;
  /** ROLLING, CANARY, LINEAR or BLUE_GREEN. */
  strategy?: string;
  finished: boolean;
}

const ACTIVE = new Set(['PENDING', 'IN_PROGRESS']);

export function viewOf(deployment: ServiceDeployment): DeploymentView {
  const awaiting = (deployment.lifecycleHookDetails ?? [])
    .filter((hook) => hook.status === 'AWAITING_ACTION' && hook.hookId)
    .map((hook) => hook.hookId as string);
  const weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
  const strategy = deployment.deploymentConfiguration?.strategy;
  return {
    arn: deployment.serviceDeploymentArn ?? '',
    status: deployment.status ?? 'UNKNOWN',
    ...(deployment.lifecycleStage ? { stage: deployment.lifecycleStage } : {}),
    awaitingHookIds: awaiting,
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

  /** Lets every waiting pause proceed to the next traffic shift. */
  async continuePauses(view: DeploymentView): Promise<number> {
    for (const hookId of view.awaitingHookIds) {
      await this.ecs.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: this.arn, hookId, action: 'CONTINUE' }),
      );
      this.actions.push(`ContinueServiceDeployment CONTINUE (hook ${hookId})`);
      this.logger.info(`Continued the deployment at its ${view.stage ?? 'paused'} hook ${hookId}.`);
    }
    return view.awaitingHookIds.length;
  }

  /**
   * At a waiting pause, the hook's ROLLBACK answer; otherwise StopServiceDeployment ROLLBACK. Either
   * way ECS shifts traffic back to the previous revision.
   */
  async rollback(view: DeploymentView, reason: string): Promise<void> {
    const [hookId] = view.awaitingHookIds;
    if (hookId) {
      await this.ecs.send(
        new ContinueServiceDeploymentCommand({ serviceDeploymentArn: this.arn, hookId, action: 'ROLLBACK' }),
      );
      this.actions.push(`ContinueServiceDeployment ROLLBACK (hook ${hookId})`);
    } else {
      await this.ecs.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: this.arn, stopType: 'ROLLBACK' }),
      );
      this.actions.push('StopServiceDeployment ROLLBACK');
    }
    this.logger.warning(`Rolling back ${this.arn}: ${reason}`);
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
