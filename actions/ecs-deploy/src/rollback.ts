import {
  DescribeServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import { shortTaskDefinition } from './task-definition.js';
import { watchDeployment, type Deps, type WatchResult, type WatchTarget } from './watch.js';

const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS']);
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);

/**
 * Asks ECS to roll back: StopServiceDeployment ROLLBACK for a native deployment still in flight
 * (a listener-weight flip during bake time), otherwise an update back to the previous revision.
 * Returns without waiting when `wait` is false (cancellation: the post step waits).
 */
export async function requestRollback(
  deps: Pick<Deps, 'ecs' | 'logger'>,
  target: WatchTarget & { previousTaskDefinitionArn?: string },
): Promise<WatchTarget | undefined> {
  const { ecs, logger } = deps;
  if (target.deploymentArn) {
    const response = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [target.deploymentArn] }),
    );
    const status = response.serviceDeployments?.[0]?.status ?? '';
    if (ROLLING_BACK.has(status)) {
      logger.info(`ECS is already rolling back (${status}).`);
      return target;
    }
    if (IN_FLIGHT.has(status)) {
      await ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: target.deploymentArn,
          stopType: 'ROLLBACK',
        }),
      );
      logger.info(`Requested rollback of ${target.deploymentArn} (StopServiceDeployment ROLLBACK).`);
      return target;
    }
  }
  if (!target.previousTaskDefinitionArn || target.previousTaskDefinitionArn === target.taskDefinitionArn) {
    logger.warning('No previous revision to roll back to.');
    return undefined;
  }
  const response = await ecs.send(
    new UpdateServiceCommand({
      cluster: target.cluster,
      service: target.service,
      taskDefinition: target.previousTaskDefinitionArn,
    }),
  );
  logger.info(
    `Rolling back: updated the service to ${shortTaskDefinition(target.previousTaskDefinitionArn)}.`,
  );
  const next = response.service?.currentServiceDeployment;
  return {
    ...target,
    taskDefinitionArn: target.previousTaskDefinitionArn,
    ...(next && next !== target.deploymentArn ? { deploymentArn: next } : { deploymentArn: undefined }),
  };
}

/** Requests the rollback and waits for it; `rolled-back` when the previous revision runs again. */
export async function rollBack(
  deps: Deps,
  target: WatchTarget & { previousTaskDefinitionArn?: string },
  deadline: number,
): Promise<{ outcome: 'rolled-back' | 'failed'; watch?: WatchResult }> {
  let watching: WatchTarget | undefined;
  try {
    watching = await requestRollback(deps, target);
  } catch (error) {
    deps.logger.error(`Rollback request failed: ${describeError(error)}`);
    return { outcome: 'failed' };
  }
  if (!watching) return { outcome: 'failed' };
  const watch = await watchDeployment(deps, watching, {
    wait: { kind: 'stable' },
    deadline,
    continueFirstGate: false,
  });
  // A rollback by UpdateService is a new deployment whose success means the old revision runs again.
  const rolledBack =
    watch.outcome === 'rolled-back' ||
    (watching.taskDefinitionArn !== target.taskDefinitionArn && watch.outcome === 'succeeded');
  deps.logger.info(
    rolledBack
      ? 'Rollback finished: the previous revision serves again.'
      : `Rollback did not finish: ${watch.outcome}.`,
  );
  return { outcome: rolledBack ? 'rolled-back' : 'failed', watch };
}
