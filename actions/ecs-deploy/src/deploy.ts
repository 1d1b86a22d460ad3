import { CancelledError, describeError } from '@ecs-ship/shared/errors';
import { formatDuration } from '@ecs-ship/shared/duration';
import { buildDeploymentConfiguration } from './deployment-config.js';
import { gatherFailureReasons } from './failure-reasons.js';
import type { DeployInputs } from './inputs.js';
import { preflight, type Preflight } from './preflight.js';
import { registerOrReuse } from './registration.js';
import { renderTaskDefinition } from './render.js';
import type { DeployReport } from './report.js';
import { requestRollback, rollBack } from './rollback.js';
import { startDeployment } from './service-update.js';
import type { StateStore } from './state.js';
import type { RegistrableTaskDefinition } from './task-definition.js';
import { watchDeployment, type Deps, type WatchResult, type WatchTarget } from './watch.js';

/** Reads and validates (preflight), renders and registers the task definition. No service change yet. */
export async function prepareTaskDefinition(
  deps: Deps,
  inputs: DeployInputs,
  report: DeployReport,
): Promise<{ pre: Preflight; taskDefinitionArn: string; definition: RegistrableTaskDefinition }> {
  const pre = await preflight(deps.ecs, inputs);
  if (pre.previousTaskDefinitionArn) report.previousTaskDefinitionArn = pre.previousTaskDefinitionArn;
  const rendered = renderTaskDefinition(pre.base, inputs.images, inputs.environment);
  report.images = rendered.images;
  report.environment = rendered.environment;
  for (const change of rendered.images)
    deps.logger.info(`image ${change.container}: ${change.from} → ${change.to}`);
  for (const change of rendered.environment)
    deps.logger.info(`environment ${change.container}: set ${change.names.join(', ')}`);
  const registration = await registerOrReuse(
    deps.ecs,
    rendered.taskDefinition,
    {
      base: pre.base,
      ...(pre.baseArn ? { baseArn: pre.baseArn } : {}),
      ...(pre.previousTaskDefinitionArn ? { currentArn: pre.previousTaskDefinitionArn } : {}),
    },
    deps.logger,
  );
  report.taskDefinitionArn = registration.taskDefinitionArn;
  report.registered = registration.registered;
  return { pre, taskDefinitionArn: registration.taskDefinitionArn, definition: rendered.taskDefinition };
}

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
  const { pre, taskDefinitionArn } = await prepareTaskDefinition(deps, inputs, report);
  const service = pre.service;
  if (!service || inputs.service === undefined) throw new Error('service mode without a service');

  const deploymentConfiguration = buildDeploymentConfiguration(inputs, service.deploymentConfiguration);
  const started = await startDeployment(
    deps.ecs,
    {
      cluster: inputs.cluster,
      service,
      taskDefinitionArn,
      deploymentConfiguration,
      ...(inputs.desiredCount !== undefined ? { desiredCount: inputs.desiredCount } : {}),
      forceNewDeployment: inputs.forceNewDeployment,
    },
    logger,
  );
  report.action = started.action;
  if (started.deploymentArn) report.deploymentArn = started.deploymentArn;
  state.save('cluster', inputs.cluster);
  state.save('service', inputs.service);
  state.save('task-definition-arn', taskDefinitionArn);
  if (pre.previousTaskDefinitionArn)
    state.save('previous-task-definition-arn', pre.previousTaskDefinitionArn);
  if (started.deploymentArn) state.save('deployment-arn', started.deploymentArn);

  if (started.action === 'unchanged') {
    report.status = 'succeeded';
    return;
  }
  if (inputs.wait.kind === 'none') {
    report.status = 'in-progress';
    return;
  }

  const target: WatchTarget & { previousTaskDefinitionArn?: string } = {
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
          continueFirstGate: true,
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
      // A deployment that ECS stopped (superseded by another) or could not roll back is not ours to undo.
      const native = watch.last?.deployment?.status;
      const ours = watch.outcome === 'timeout' || native === undefined;
      if (inputs.rollbackOnFailure && ours) {
        const rollback = await logger.group('Rolling back', () =>
          rollBack(deps, target, clock.now() + inputs.timeoutMs),
        );
        report.rollback = rollback.outcome;
        report.status = rollback.outcome === 'rolled-back' ? 'rolled-back' : 'failed';
        if (rollback.watch)
          report.timeline.push(
            ...rollback.watch.timeline.map((span) => ({ ...span, stage: `rollback: ${span.stage}` })),
          );
      } else {
        report.status = 'failed';
      }
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
  target: WatchTarget & { previousTaskDefinitionArn?: string },
): Promise<void> {
  report.status = 'failed';
  report.reasons.push('The workflow run was cancelled during the deployment.');
  if (!inputs.rollbackOnFailure) return;
  try {
    const watching = await requestRollback(deps, target);
    if (watching) {
      report.rollback = 'requested';
      state.save(
        'rollback-requested',
        watching.taskDefinitionArn === target.taskDefinitionArn ? 'stop' : 'update',
      );
      if (watching.deploymentArn) state.save('deployment-arn', watching.deploymentArn);
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
