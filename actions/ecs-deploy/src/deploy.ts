import { CancelledError, describeError } from '@ecs-ship/shared/errors';
import { formatDuration } from '@ecs-ship/shared/duration';
import type { Deps } from './deps.js';
import { buildDeploymentConfiguration } from './deployment-config.js';
import { gatherFailureReasons } from './failure-reasons.js';
import type { DeployInputs } from './inputs.js';
import { loadAndRender, register } from './prepare.js';
import type { DeployReport } from './report.js';
import { requestRollback, rollBack, type RollbackTarget } from './rollback.js';
import { startDeployment } from './service-update.js';
import type { StateStore } from './state.js';
import { watchDeployment, type WatchResult } from './watch.js';

/**
 * Service mode: validate, render, register (or reuse), update (or attach), wait as `wait` says, and
 * on failure or timeout roll back. Fills `report` as it goes, so the summary shows whatever happened.
 */
export async function deployService(
  deps: Deps,
  inputs: DeployInputs,
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  const { logger, clock } = deps;
  const prepared = await loadAndRender(deps, inputs, report);
  const { pre } = prepared;
  const service = pre.service;
  if (!service || inputs.service === undefined) throw new Error('service mode without a service');
  const deploymentConfiguration = buildDeploymentConfiguration(inputs, service.deploymentConfiguration);
  const taskDefinitionArn = await register(deps, prepared, report);

  const started = await startDeployment(deps, {
    cluster: inputs.cluster,
    service,
    taskDefinitionArn,
    deploymentConfiguration,
    ...(inputs.desiredCount !== undefined ? { desiredCount: inputs.desiredCount } : {}),
    forceNewDeployment: inputs.forceNewDeployment,
  });
  report.action = started.action;
  if (started.deploymentArn) report.deploymentArn = started.deploymentArn;
  if (started.action === 'unchanged' || started.action === 'reconfigured') {
    report.status = 'succeeded';
    return;
  }
  state.save('cluster', inputs.cluster);
  state.save('service', inputs.service);
  state.save('strategy', inputs.strategy);
  state.save('task-definition-arn', taskDefinitionArn);
  if (pre.previousTaskDefinitionArn)
    state.save('previous-task-definition-arn', pre.previousTaskDefinitionArn);
  if (started.deploymentArn) state.save('deployment-arn', started.deploymentArn);

  if (inputs.wait.kind === 'none') {
    report.status = 'in-progress';
    return;
  }

  const target: RollbackTarget = {
    cluster: inputs.cluster,
    service: inputs.service,
    taskDefinitionArn,
    strategy: inputs.strategy,
    deploymentConfiguration,
    ...(started.deploymentArn ? { deploymentArn: started.deploymentArn } : {}),
    ...(pre.previousTaskDefinitionArn ? { previousTaskDefinitionArn: pre.previousTaskDefinitionArn } : {}),
  };
  let watch: WatchResult;
  try {
    watch = await logger.group(
      `Waiting for the deployment (wait: ${describeWait(inputs)}, timeout ${formatDuration(inputs.timeoutMs)})`,
      () =>
        watchDeployment(deps, target, {
          wait: inputs.wait,
          deadline: report.startedAt + inputs.timeoutMs,
          continueHooks: 'first-gate',
        }),
    );
  } catch (error) {
    if (error instanceof CancelledError) await onCancelled(deps, inputs, report, state, target);
    throw error;
  }
  report.timeline = watch.timeline;
  if (watch.hookId) report.hookId = watch.hookId;

  switch (watch.outcome) {
    case 'succeeded':
      report.status = 'succeeded';
      return;
    case 'paused':
      report.status = 'paused';
      logger.info(
        `Paused at lifecycle hook ${watch.hookId ?? '?'}: continue or roll back with ContinueServiceDeployment (canary-gate does).`,
      );
      return;
    case 'reached':
    case 'in-progress':
      report.status = 'in-progress';
      return;
    case 'rolled-back':
      report.status = 'rolled-back';
      report.reasons.push(...(await gatherFailureReasons(deps, target, watch.last)));
      return;
    case 'failed':
    case 'timeout': {
      if (watch.outcome === 'timeout')
        report.reasons.push(`Not finished after ${formatDuration(inputs.timeoutMs)} (input "timeout").`);
      report.reasons.push(...(await gatherFailureReasons(deps, target, watch.last)));
      for (const reason of report.reasons) logger.error(reason);
      // A deployment ECS stopped (superseded by another) is not ours to undo. One ECS could not roll
      // back leaves the service half-deployed: the rollback falls back to UpdateService.
      const native = watch.last?.deployment?.status;
      const ours = watch.outcome === 'timeout' || native === undefined || native === 'ROLLBACK_FAILED';
      if (!inputs.rollbackOnFailure || !ours) {
        report.status = 'failed';
        return;
      }
      const rollback = await logger.group('Rolling back', () =>
        rollBack(deps, target, clock.now() + inputs.timeoutMs),
      );
      report.rollback = rollback.outcome;
      if (rollback.reason) report.reasons.push(rollback.reason);
      report.status = rollback.outcome === 'rolled-back' ? 'rolled-back' : 'failed';
      if (rollback.watch)
        report.timeline.push(
          ...rollback.watch.timeline.map((span) => ({ ...span, stage: `rollback: ${span.stage}` })),
        );
      return;
    }
  }
}

/** Cancelled mid-wait: ask for the rollback at once (the runner kills us seconds later); the post step waits for it. */
async function onCancelled(
  deps: Deps,
  inputs: DeployInputs,
  report: DeployReport,
  state: StateStore,
  target: RollbackTarget,
): Promise<void> {
  report.status = 'failed';
  report.reasons.push('The workflow run was cancelled during the deployment.');
  if (!inputs.rollbackOnFailure) return;
  try {
    // The run is cancelled already; the request itself must still go out.
    const { signal: _cancelled, ...uncancelled } = deps;
    const request = await requestRollback(uncancelled, target);
    if (request.kind === 'watching') {
      report.rollback = 'requested';
      state.save('rollback-requested', request.by);
      // What the post step follows: the rollback's own deployment when it has one.
      state.save('deployment-arn', request.target.deploymentArn ?? '');
    } else {
      report.reasons.push(request.reason);
      // Nothing for the post step to wait for or undo.
      state.save('finished', 'true');
    }
  } catch (error) {
    deps.logger.error(
      `Could not request the rollback: ${describeError(error)}; the post step will try again.`,
    );
  }
}

function describeWait(inputs: DeployInputs): string {
  return inputs.wait.kind === 'stage' ? inputs.wait.stage : inputs.wait.kind;
}
