import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import type { Deps } from './deps.js';
import { BASE_TIMEOUT_MS } from './deployment/deployment-timeout.js';
import { STRATEGIES } from './inputs.js';
import { rollBack, watchRollback, type RollbackTarget } from './deployment/rollback.js';
import { needsCleanup, type StateStore } from './state.js';

export type CleanupOutcome =
  'nothing' | 'left-running' | 'rolled-back' | 'superseded' | 'rollback-failed' | 'task-stopped';

/**
 * What the post step does for a main step that did not finish: stop its one-off task, or roll its
 * deployment back (or wait for the rollback that main requested when it was cancelled). Everything
 * it needs comes from the state main saved, none from the inputs.
 */
export async function finishInterruptedRun(deps: Deps, state: StateStore): Promise<CleanupOutcome> {
  const { ecs, logger, clock } = deps;
  if (!needsCleanup(state)) {
    logger.debug('The main step finished; nothing to clean up.');
    return 'nothing';
  }
  const cluster = state.get('cluster');
  const taskArn = state.get('task-arn');
  if (taskArn !== '') {
    try {
      await ecs.send(
        new StopTaskCommand({
          cluster,
          task: taskArn,
          reason: 'ecs-deploy: workflow run ended before the task',
        }),
      );
      logger.info(`Stopped task ${taskArn}.`);
    } catch (error) {
      logger.warning(`Could not stop task ${taskArn}: ${describeError(error)}`);
    }
    return 'task-stopped';
  }
  const service = state.get('service');
  const taskDefinitionArn = state.get('task-definition-arn');
  const deploymentArn = state.get('deployment-arn');
  const previous = state.get('previous-task-definition-arn');
  if (service === '' || taskDefinitionArn === '') return 'nothing';
  // Saved by main before its first change; a missing value means the defaults.
  const rollbackOnFailure = state.get('rollback-on-failure') !== 'false';
  const savedTimeout = Number(state.get('timeout-ms'));
  const timeoutMs = savedTimeout > 0 ? savedTimeout : BASE_TIMEOUT_MS;
  if (!rollbackOnFailure) {
    logger.warning(
      'The run ended before the deployment finished; rollback-on-failure is false, so it is left running.',
    );
    return 'left-running';
  }
  const deadline = clock.now() + timeoutMs;
  const saved = state.get('strategy');
  const target: RollbackTarget = {
    cluster,
    service,
    taskDefinitionArn,
    // Rolling when unknown: that watches the service as well as the deployment.
    strategy: STRATEGIES.find((strategy) => strategy === saved) ?? 'rolling',
    ...(deploymentArn ? { deploymentArn } : {}),
    ...(previous ? { previousTaskDefinitionArn: previous } : {}),
  };
  const requested = state.get('rollback-requested');
  if (requested === 'stop' || requested === 'update') {
    logger.info('Main requested a rollback when the run was cancelled; waiting for it.');
    // 'update': the rollback is a new deployment of the previous revision.
    const watched =
      requested === 'update' && previous
        ? { ...target, taskDefinitionArn: previous, previousTaskDefinitionArn: taskDefinitionArn }
        : target;
    const result = await watchRollback(deps, { target: watched, by: requested }, deadline);
    return result.outcome === 'rolled-back'
      ? 'rolled-back'
      : result.outcome === 'superseded'
        ? 'superseded'
        : 'rollback-failed';
  }
  logger.info('The run ended before the deployment finished: rolling it back.');
  const rollback = await rollBack(deps, target, deadline);
  return rollback.outcome === 'rolled-back'
    ? 'rolled-back'
    : rollback.outcome === 'superseded'
      ? 'superseded'
      : 'rollback-failed';
}
