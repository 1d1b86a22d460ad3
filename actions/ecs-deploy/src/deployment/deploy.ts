import type { Service } from '@aws-sdk/client-ecs';
import { formatDuration } from '@ecs-ship/shared/duration';
import { Checks } from '../checks.js';
import type { Deps } from '../deps.js';
import { gatherFailureReasons } from './failure-reasons.js';
import { imagesForDeploy } from '../images-from/target-images.js';
import type { DeployInputs } from '../inputs.js';
import { planOffline } from '../offline-checks.js';
import { preflight } from '../preflight.js';
import { registerOrReuse } from '../revision/registration.js';
import { recordRendered, type DeployReport } from '../report.js';
import type { RollbackTarget } from './rollback.js';
import { serviceProblems, SETTLE_WINDOW_MS } from './service-health.js';
import { startDeployment } from './service-update.js';
import { saveCleanupContext, type StateStore } from '../state.js';
import { shortTaskDefinition } from '../revision/task-definition.js';
import { recordTrafficRoles } from './traffic-outputs.js';
import { describeWait, followDeployment } from './follow.js';
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
  const { logger } = deps;
  const pre = await preflight(deps.ecs, inputs);
  const service = pre.service;
  if (!service || inputs.service === undefined) throw new Error('service mode without a service');
  if (pre.previousTaskDefinitionArn) report.previousTaskDefinitionArn = pre.previousTaskDefinitionArn;
  const images = await imagesForDeploy(deps, inputs, pre.base, report);

  // Everything ECS would refuse, and a timeout that cannot fit, is refused before the first change.
  const planned = planOffline(
    {
      inputs,
      base: { load: () => pre.base, ...(pre.file ? { file: pre.file } : {}) },
      images,
      deployment: {
        current: service.deploymentConfiguration,
        serviceName: service.serviceName ?? inputs.service,
      },
      runTask: false,
    },
    Checks.stopAtFirst(),
  );
  if (!planned.rendered || !planned.deployment) throw new Error('planOffline left the deploy unplanned');
  const rendered = planned.rendered;
  recordRendered(logger, rendered, images, report);
  const { configuration: deploymentConfiguration, plan, timeoutMs } = planned.deployment;
  report.timeout = {
    ms: timeoutMs,
    ...(inputs.timeoutMs === undefined ? { derivedFrom: plan.describe } : {}),
  };
  if (inputs.timeoutMs === undefined && inputs.wait.kind !== 'none')
    logger.info(
      `timeout ${formatDuration(timeoutMs)}: derived from ${plan.describe} (wait: ${describeWait(inputs.wait)}).`,
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

  await followDeployment(
    deps,
    {
      target,
      service,
      wait: inputs.wait,
      deadline,
      timeoutMs,
      timeoutSource:
        inputs.timeoutMs === undefined ? `the timeout derived from ${plan.describe}` : 'input "timeout"',
      hooks: { kind: 'first-gate', strategy: inputs.strategy },
      rollbackOnFailure: inputs.rollbackOnFailure,
    },
    report,
    state,
  );
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
