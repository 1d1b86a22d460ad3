import { UpdateServiceCommand, type DeploymentConfiguration, type Service } from '@aws-sdk/client-ecs';
import { throwIfCancelled, type Deps } from '../deps.js';
import { sameDeploymentConfiguration } from './deployment-config.js';
import { findOurDeployment } from './deployment-lookup.js';
import { shortTaskDefinition } from '../revision/task-definition.js';

export interface UpdatePlan {
  cluster: string;
  service: Service;
  taskDefinitionArn: string;
  deploymentConfiguration: DeploymentConfiguration;
  desiredCount?: number;
  forceNewDeployment: boolean;
  /** How long the lookup of the deployment may take at most (the wait's deadline). */
  deadline: number;
}

export interface Started {
  /**
   * updated: UpdateService started a deployment; attached: a deployment of this revision was already
   * in flight; reconfigured: only the deployment configuration changed (sent, no deployment);
   * unchanged: nothing to send.
   */
  action: 'updated' | 'attached' | 'reconfigured' | 'unchanged';
  deploymentArn?: string;
  /** When UpdateService was sent (our clock). */
  updatedAt?: number;
}

/**
 * Starts the deployment, or attaches to one already deploying the same revision (a re-run of the
 * job must not start a second deployment on top of the first).
 */
export async function startDeployment(deps: Deps, plan: UpdatePlan): Promise<Started> {
  const { ecs, logger } = deps;
  const { service } = plan;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const sameRevision = service.taskDefinition === plan.taskDefinitionArn;
  if (
    !plan.forceNewDeployment &&
    primary?.taskDefinition === plan.taskDefinitionArn &&
    primary.rolloutState === 'IN_PROGRESS'
  ) {
    const deploymentArn =
      service.currentServiceDeployment ??
      (await findOurDeployment(deps, {
        ...lookupOf(plan),
        status: ['PENDING', 'IN_PROGRESS'],
      }));
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
    const revision = shortTaskDefinition(plan.taskDefinitionArn);
    if (sameDeploymentConfiguration(plan.deploymentConfiguration, service.deploymentConfiguration)) {
      logger.info(
        `The service already runs ${revision}: nothing to deploy (set force-new-deployment to replace its tasks).`,
      );
      return { action: 'unchanged' };
    }
    // The revision is the same, the strategy, alarms or gate are not: a later deployment (ECS's own,
    // after a task failure, or the next run's) must use them. Only the configuration is sent.
    throwIfCancelled(deps.signal);
    const updatedAt = deps.clock.now();
    const response = await ecs.send(
      new UpdateServiceCommand({
        cluster: plan.cluster,
        service: service.serviceName ?? service.serviceArn,
        deploymentConfiguration: plan.deploymentConfiguration,
      }),
    );
    const next = response.service?.currentServiceDeployment;
    if (next === undefined || next === service.currentServiceDeployment) {
      logger.info(
        `The service already runs ${revision}; updated its deployment configuration (strategy ${plan.deploymentConfiguration.strategy ?? 'ROLLING'}), which starts no deployment.`,
      );
      return { action: 'reconfigured' };
    }
    logger.info(`Updated the deployment configuration; ECS started deployment ${next}.`);
    return { action: 'updated', deploymentArn: next, updatedAt };
  }

  throwIfCancelled(deps.signal);
  const updatedAt = deps.clock.now();
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
  // The service as our update left it names the deployment the update started; when it still names
  // the one before (ECS catching up), ours is looked for by revision and time.
  let deploymentArn = response.service?.currentServiceDeployment;
  if (deploymentArn !== undefined && deploymentArn === service.currentServiceDeployment)
    deploymentArn = undefined;
  deploymentArn ??= await findOurDeployment(deps, { ...lookupOf(plan), since: updatedAt });
  logger.info(
    `Updated service ${service.serviceName ?? ''} to ${shortTaskDefinition(plan.taskDefinitionArn)} (strategy ${plan.deploymentConfiguration.strategy ?? 'ROLLING'})` +
      (deploymentArn ? `: deployment ${deploymentArn}` : '.'),
  );
  return { action: 'updated', updatedAt, ...(deploymentArn ? { deploymentArn } : {}) };
}

function lookupOf(plan: UpdatePlan) {
  return {
    cluster: plan.cluster,
    service: plan.service.serviceName ?? plan.service.serviceArn ?? '',
    taskDefinitionArn: plan.taskDefinitionArn,
    deadline: plan.deadline,
  };
}
