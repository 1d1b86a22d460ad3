import type { Service } from '@aws-sdk/client-ecs';
import { formatDuration } from '@ecs-ship/shared/duration';
import { CancelledError, describeError } from '@ecs-ship/shared/errors';
import type { Deps } from '../deps.js';
import { buildDeploymentConfiguration } from './deployment-config.js';
import { checkDeploymentConfiguration } from './deployment-config-check.js';
import { resolveTimeout, timeoutPlan } from './deployment-timeout.js';
import { gatherFailureReasons } from './failure-reasons.js';
import type { DeployInputs } from '../inputs.js';
import { preflight } from '../preflight.js';
import { registerOrReuse } from '../revision/registration.js';
import { describeRendered, renderTaskDefinition } from '../revision/render.js';
import type { DeployReport } from '../report.js';
import { requestRollback, rollBack, type RollbackTarget } from './rollback.js';
import { serviceProblems, SETTLE_WINDOW_MS } from './service-health.js';
import { startDeployment } from './service-update.js';
import { saveCleanupContext, type StateStore } from '../state.js';
import { whyStopped } from './superseded.js';
import { shortTaskDefinition } from '../revision/task-definition.js';
import { recordTrafficRoles } from './traffic-outputs.js';
import { watchDeployment, type WatchResult, type WatchTarget } from './watch.js';

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
  const pre = await preflight(deps.ecs, inputs);
  const service = pre.service;
  if (!service || inputs.service === undefined) throw new Error('service mode without a service');
  if (pre.previousTaskDefinitionArn) report.previousTaskDefinitionArn = pre.previousTaskDefinitionArn;
  const rendered = renderTaskDefinition(pre.base, inputs.images, inputs.environment);
  report.images = rendered.images;
  report.environment = rendered.environment;
  for (const line of describeRendered(rendered)) logger.info(line);

  // Everything ECS would refuse, and a timeout that cannot fit, is refused before the first change.
  const deploymentConfiguration = buildDeploymentConfiguration(inputs, service.deploymentConfiguration);
  checkDeploymentConfiguration(deploymentConfiguration, inputs, service.serviceName ?? inputs.service);
  const plan = timeoutPlan(deploymentConfiguration, inputs.wait);
  const timeoutMs = resolveTimeout(inputs.timeoutMs, plan, inputs.wait);
  report.timeout = {
    ms: timeoutMs,
    ...(inputs.timeoutMs === undefined ? { derivedFrom: plan.describe } : {}),
  };
  if (inputs.timeoutMs === undefined && inputs.wait.kind !== 'none')
    logger.info(
      `timeout ${formatDuration(timeoutMs)}: derived from ${plan.describe} (wait: ${describeWait(inputs)}).`,
    );
  const deadline = report.startedAt + timeoutMs;
  saveCleanupContext(state, {
    region: report.region,
    cluster: inputs.cluster,
    service: inputs.service,
    strategy: inputs.strategy,
    timeoutMs,
    rollbackOnFailure: inputs.rollbackOnFailure,
    ...(pre.previousTaskDefinitionArn ? { previousTaskDefinitionArn: pre.previousTaskDefinitionArn } : {}),
  });

  const registration = await registerOrReuse(deps, rendered.taskDefinition, pre);
  const taskDefinitionArn = registration.taskDefinitionArn;
  report.taskDefinitionArn = taskDefinitionArn;
  report.registered = registration.registered;

  const started = await startDeployment(deps, {
    cluster: inputs.cluster,
    service,
    taskDefinitionArn,
    deploymentConfiguration,
    ...(inputs.desiredCount !== undefined ? { desiredCount: inputs.desiredCount } : {}),
    forceNewDeployment: inputs.forceNewDeployment,
    deadline,
  });
  report.action = started.action;
  if (started.deploymentArn) report.deploymentArn = started.deploymentArn;
  const target: RollbackTarget = {
    cluster: inputs.cluster,
    service: inputs.service,
    taskDefinitionArn,
    strategy: inputs.strategy,
    deploymentConfiguration,
    ...(started.deploymentArn ? { deploymentArn: started.deploymentArn } : {}),
    ...(pre.previousTaskDefinitionArn ? { previousTaskDefinitionArn: pre.previousTaskDefinitionArn } : {}),
  };
  if (started.action === 'unchanged' || started.action === 'reconfigured') {
    await confirmHealthy(deps, inputs, report, service, target, deadline);
    return;
  }
  state.save('task-definition-arn', taskDefinitionArn);
  if (started.deploymentArn) state.save('deployment-arn', started.deploymentArn);

  if (inputs.wait.kind === 'none') {
    report.status = 'in-progress';
    await recordTrafficRoles(deps, service, report, undefined);
    return;
  }

  let watch: WatchResult;
  try {
    watch = await logger.group(
      `Waiting for the deployment (wait: ${describeWait(inputs)}, timeout ${formatDuration(timeoutMs)})`,
      () =>
        watchDeployment(deps, target, {
          wait: inputs.wait,
          deadline,
          hooks: { kind: 'first-gate', strategy: inputs.strategy },
        }),
    );
  } catch (error) {
    if (error instanceof CancelledError) await onCancelled(deps, inputs, report, state, target);
    throw error;
  }
  report.timeline = watch.timeline;
  if (watch.hookId) report.hookId = watch.hookId;
  if (['succeeded', 'paused', 'reached', 'in-progress'].includes(watch.outcome))
    await recordTrafficRoles(deps, service, report, watch.last?.deployment);

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
    case 'superseded':
    case 'stopped': {
      // Another deployment replaced ours (or someone stopped it): not ours to roll back.
      const stopped =
        watch.outcome === 'superseded'
          ? {
              superseded: true,
              reason: `Superseded: the service now runs ${shortTaskDefinition(watch.last?.service?.taskDefinition)}, not ${shortTaskDefinition(taskDefinitionArn)} that this run deployed. Nothing was rolled back: the newer deployment is not ours to undo.`,
            }
          : await whyStopped(deps, target);
      report.status = stopped.superseded ? 'superseded' : 'failed';
      report.reasons.push(stopped.reason);
      logger.error(stopped.reason);
      return;
    }
    case 'failed':
    case 'timeout': {
      if (watch.outcome === 'timeout')
        report.reasons.push(
          `Not finished after ${formatDuration(timeoutMs)} (${inputs.timeoutMs === undefined ? `the timeout derived from ${plan.describe}` : 'input "timeout"'}).`,
        );
      report.reasons.push(...(await gatherFailureReasons(deps, target, watch.last)));
      for (const reason of report.reasons) logger.error(reason);
      // One ECS could not roll back leaves the service half-deployed: the rollback falls back to UpdateService.
      const native = watch.last?.deployment?.status;
      const ours = watch.outcome === 'timeout' || native === undefined || native === 'ROLLBACK_FAILED';
      if (!inputs.rollbackOnFailure || !ours) {
        report.status = 'failed';
        return;
      }
      const rollback = await logger.group('Rolling back', () =>
        rollBack(deps, target, clock.now() + timeoutMs),
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

/**
 * Nothing was deployed (the service runs this revision with this configuration already): green
 * only when the service is healthy. A service short of its desired count is given a few minutes to
 * settle (a task being replaced, a scale-out); one whose last deployment failed, or that does not
 * settle, fails with the service's events and its stopped tasks.
 */
async function confirmHealthy(
  deps: Deps,
  inputs: DeployInputs,
  report: DeployReport,
  service: Service,
  target: WatchTarget,
  deadline: number,
): Promise<void> {
  let problems = serviceProblems(service);
  if (problems.length === 0) {
    report.status = 'succeeded';
    return;
  }
  const revision = shortTaskDefinition(target.taskDefinitionArn);
  let last: WatchResult['last'] = { at: deps.clock.now(), service };
  const failed = service.deployments?.some((d) => d.status === 'PRIMARY' && d.rolloutState === 'FAILED');
  if (inputs.wait.kind !== 'none' && !failed) {
    deps.logger.info(
      `The service already runs ${revision}, but ${problems.join('; ')}: waiting for it to settle.`,
    );
    const { deploymentArn: _none, ...serviceOnly } = target;
    const watch = await watchDeployment(deps, serviceOnly, {
      wait: { kind: 'stable' },
      deadline: Math.min(deadline, deps.clock.now() + SETTLE_WINDOW_MS),
      hooks: { kind: 'first-gate', strategy: inputs.strategy },
    });
    if (watch.outcome === 'succeeded') {
      report.status = 'succeeded';
      return;
    }
    last = watch.last ?? last;
    if (last.service) problems = serviceProblems(last.service);
  }
  report.status = 'failed';
  report.reasons.push(
    `Nothing was deployed (the service already runs ${revision}), but the service is not healthy: ${problems.join('; ') || 'it did not settle'}.`,
  );
  report.reasons.push(...(await gatherFailureReasons(deps, target, last)));
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
