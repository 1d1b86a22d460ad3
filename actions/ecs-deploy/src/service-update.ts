import {
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';
import { shortTaskDefinition } from './task-definition.js';

export interface UpdatePlan {
  cluster: string;
  service: Service;
  taskDefinitionArn: string;
  deploymentConfiguration: DeploymentConfiguration;
  desiredCount?: number;
  forceNewDeployment: boolean;
}

export interface Started {
  /** updated: UpdateService sent; attached: a deployment of this revision was already in flight. */
  action: 'updated' | 'attached' | 'unchanged';
  deploymentArn?: string;
}

/**
 * Starts the deployment, or attaches to one already deploying the same revision (a re-run of the
 * job must not start a second deployment on top of the first).
 */
export async function startDeployment(ecs: ECSClient, plan: UpdatePlan, logger: Logger): Promise<Started> {
  const { service } = plan;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const sameRevision = service.taskDefinition === plan.taskDefinitionArn;
  if (
    !plan.forceNewDeployment &&
    primary?.taskDefinition === plan.taskDefinitionArn &&
    primary.rolloutState === 'IN_PROGRESS'
  ) {
    const deploymentArn = service.currentServiceDeployment ?? (await findInFlight(ecs, plan, logger));
    logger.info(
      `A deployment of ${shortTaskDefinition(plan.taskDefinitionArn)} is already in progress: following it instead of starting another.`,
    );
    return { action: 'attached', ...(deploymentArn ? { deploymentArn } : {}) };
  }
  const sameCount = plan.desiredCount === undefined || plan.desiredCount === service.desiredCount;
  if (
    sameRevision &&
    sameCount &&
    !plan.forceNewDeployment &&
    (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED' &&
    (service.deployments?.length ?? 1) <= 1
  ) {
    logger.info(
      `The service already runs ${shortTaskDefinition(plan.taskDefinitionArn)}: nothing to deploy (set force-new-deployment to replace its tasks).`,
    );
    return { action: 'unchanged' };
  }

  const response = await ecs.send(
    new UpdateServiceCommand({
      cluster: plan.cluster,
      service: service.serviceName ?? service.serviceArn,
      taskDefinition: plan.taskDefinitionArn,
      deploymentConfiguration: plan.deploymentConfiguration,
      ...(plan.desiredCount !== undefined ? { desiredCount: plan.desiredCount } : {}),
      ...(plan.forceNewDeployment ? { forceNewDeployment: true } : {}),
    }),
  );
  let deploymentArn = response.service?.currentServiceDeployment;
  if (deploymentArn !== undefined && deploymentArn === service.currentServiceDeployment)
    deploymentArn = undefined;
  deploymentArn ??= await findInFlight(ecs, plan, logger);
  logger.info(
    `Updated service ${service.serviceName ?? ''} to ${shortTaskDefinition(plan.taskDefinitionArn)} (strategy ${plan.deploymentConfiguration.strategy ?? 'ROLLING'})` +
      (deploymentArn ? `: deployment ${deploymentArn}` : '.'),
  );
  return { action: 'updated', ...(deploymentArn ? { deploymentArn } : {}) };
}

async function findInFlight(ecs: ECSClient, plan: UpdatePlan, logger: Logger): Promise<string | undefined> {
  try {
    const response = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: plan.cluster,
        service: plan.service.serviceName ?? plan.service.serviceArn,
        status: ['PENDING', 'IN_PROGRESS'],
      }),
    );
    return response.serviceDeployments?.find((brief) => brief.serviceDeploymentArn)?.serviceDeploymentArn;
  } catch (error) {
    logger.warning(
      `Could not list service deployments (${describeError(error)}); following the service's deployments instead, as the ServicesStable waiter does.`,
    );
    return undefined;
  }
}
