import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import { throwIfCancelled, type Deps } from '../deps.js';
import { rollbackConfiguration } from './deployment-config.js';
import { shortTaskDefinition } from '../revision/task-definition.js';
import { watchDeployment, type WatchResult, type WatchTarget } from './watch.js';

const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS']);
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);

export type RollbackTarget = WatchTarget;

/** What a rollback request led to: something to watch, or why there is nothing to roll back. */
export type RollbackRequest =
  | { kind: 'watching'; target: WatchTarget; by: 'stop' | 'update' }
  | { kind: 'already-back'; reason: string }
  | { kind: 'superseded'; reason: string }
  | { kind: 'impossible'; reason: string };

/**
 * Asks ECS to roll back, without waiting: StopServiceDeployment ROLLBACK for a native deployment
 * still in flight (a listener-weight flip during bake time); otherwise (no native deployment, or one
 * ECS could not roll back) an UpdateService back to the previous revision, but only while the
 * service still runs the revision this run deployed, so that a newer deploy is never overwritten.
 */
export async function requestRollback(
  deps: Pick<Deps, 'ecs' | 'logger' | 'signal'>,
  target: RollbackTarget,
): Promise<RollbackRequest> {
  const { ecs, logger } = deps;
  if (target.deploymentArn) {
    const response = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [target.deploymentArn] }),
    );
    const status = response.serviceDeployments?.[0]?.status ?? '';
    if (ROLLING_BACK.has(status)) {
      logger.info(`ECS is already rolling back (${status}).`);
      return { kind: 'watching', target, by: 'stop' };
    }
    if (IN_FLIGHT.has(status)) {
      await ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: target.deploymentArn,
          stopType: 'ROLLBACK',
        }),
      );
      logger.info(`Requested rollback of ${target.deploymentArn} (StopServiceDeployment ROLLBACK).`);
      return { kind: 'watching', target, by: 'stop' };
    }
  }
  const previous = target.previousTaskDefinitionArn;
  if (!previous || previous === target.taskDefinitionArn) {
    const reason = 'No previous revision to roll back to.';
    logger.warning(reason);
    return { kind: 'impossible', reason };
  }
  const service = (
    await ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }))
  ).services?.[0];
  const running = service?.taskDefinition;
  if (running === previous) {
    const reason = `The service runs ${shortTaskDefinition(previous)} again: nothing to roll back.`;
    logger.info(reason);
    return { kind: 'already-back', reason };
  }
  if (running !== target.taskDefinitionArn) {
    const reason =
      `Not rolling back: the service now runs ${shortTaskDefinition(running)}, not ${shortTaskDefinition(target.taskDefinitionArn)} ` +
      'that this run deployed; a newer deployment is not overwritten.';
    logger.warning(reason);
    return { kind: 'superseded', reason };
  }
  throwIfCancelled(deps.signal);
  const response = await ecs.send(
    new UpdateServiceCommand({
      cluster: target.cluster,
      service: target.service,
      taskDefinition: previous,
      deploymentConfiguration: rollbackConfiguration(service?.deploymentConfiguration),
    }),
  );
  logger.info(`Rolling back: updated the service to ${shortTaskDefinition(previous)}.`);
  const next = response.service?.currentServiceDeployment;
  const { deploymentArn: _rolledBack, deploymentConfiguration: _sent, ...rest } = target;
  return {
    kind: 'watching',
    by: 'update',
    target: {
      ...rest,
      // The rollback deploys the previous revision; the service running this run's again means it failed.
      taskDefinitionArn: previous,
      previousTaskDefinitionArn: target.taskDefinitionArn,
      ...(next && next !== target.deploymentArn ? { deploymentArn: next } : {}),
    },
  };
}

export interface RollbackResult {
  outcome: 'rolled-back' | 'failed' | 'superseded';
  reason?: string;
  watch?: WatchResult;
}

/** Requests the rollback and waits for it; `rolled-back` when the previous revision runs again. */
export async function rollBack(
  deps: Deps,
  target: RollbackTarget,
  deadline: number,
): Promise<RollbackResult> {
  let request: RollbackRequest;
  try {
    request = await requestRollback(deps, target);
  } catch (error) {
    const reason = `Rollback request failed: ${describeError(error)}`;
    deps.logger.error(reason);
    return { outcome: 'failed', reason };
  }
  if (request.kind === 'already-back') return { outcome: 'rolled-back' };
  if (request.kind !== 'watching')
    return { outcome: request.kind === 'superseded' ? 'superseded' : 'failed', reason: request.reason };
  return watchRollback(deps, request, deadline);
}

/**
 * Follows a requested rollback to its end; a pause on the way is answered, not waited out, and
 * never so that the new revision goes forward (hook-answers.ts): ROLLBACK while the deployment
 * being rolled back still pauses, CONTINUE for the rollback's own deployment back to the previous
 * revision.
 */
export async function watchRollback(
  deps: Deps,
  request: { target: WatchTarget; by: 'stop' | 'update' },
  deadline: number,
): Promise<RollbackResult> {
  const watch = await watchDeployment(deps, request.target, {
    wait: { kind: 'stable' },
    deadline,
    hooks: { kind: 'rollback', answer: request.by === 'stop' ? 'ROLLBACK' : 'CONTINUE' },
  });
  // A rollback by UpdateService is a new deployment whose success means the old revision runs again
  // (its own rollback would mean the new revision is back).
  const rolledBack =
    request.by === 'update' ? watch.outcome === 'succeeded' : watch.outcome === 'rolled-back';
  if (watch.outcome === 'superseded') {
    const reason =
      "Rollback superseded: the service now runs a revision that is neither this run's nor the previous one.";
    deps.logger.warning(reason);
    return { outcome: 'superseded', reason, watch };
  }
  deps.logger.info(
    rolledBack
      ? 'Rollback finished: the previous revision serves again.'
      : `Rollback did not finish: ${watch.outcome}.`,
  );
  return rolledBack
    ? { outcome: 'rolled-back', watch }
    : { outcome: 'failed', reason: `Rollback did not finish: ${watch.outcome}.`, watch };
}
