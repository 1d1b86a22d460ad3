import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Deps } from '../deps.js';
import { STRATEGIES, type ContinueInputs, type Strategy } from '../inputs.js';
import type { DeployReport } from '../report.js';
import { shortTaskDefinition } from '../revision/task-definition.js';
import { saveCleanupContext, type StateStore } from '../state.js';
import { ECS_STRATEGY } from './deployment-config.js';
import { taskDefinitionsOf } from './deployment-lookup.js';
import { MAX_TIMEOUT_MS, timeoutPlan } from './deployment-timeout.js';
import { followDeployment, recordRollback } from './follow.js';
import { awaitingHookIds } from './hook-answers.js';
import { rollBack, watchRollback, type RollbackTarget } from './rollback.js';

/** States in which the deployment may still change: the post step has something to clean up. */
const UNFINISHED = new Set([
  'PENDING',
  'IN_PROGRESS',
  'STOP_REQUESTED',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
]);
/** States in which `answer: rollback` has something to roll back (a finished one by the guarded UpdateService). */
const ROLLBACK_NEEDED = new Set(['PENDING', 'IN_PROGRESS', 'SUCCESSFUL']);

/**
 * Mode continue: finishes a deployment another step left (paused at a gate, or still going). With
 * `answer: continue` every pause of it is continued, each resent until ECS confirms it, and the
 * deployment is followed as service mode follows its own (same watcher, rollback on failure or
 * timeout, same outputs). With `answer: rollback` it is rolled back through the rollback path of
 * service mode: a waiting pause is answered ROLLBACK, a deployment in flight is stopped with
 * ROLLBACK, and one that already finished is rolled back by the guarded UpdateService to the
 * previous revision. A deployment that ended already (rolled back by canary-gate, superseded) is
 * reported as it ended, at the first look.
 */
export async function continueDeployment(
  deps: Deps,
  inputs: ContinueInputs,
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  const { ecs, logger } = deps;
  report.deploymentArn = inputs.deploymentArn;
  report.answer = inputs.answer;
  const deployment = await describeDeployment(deps, inputs);
  const service = (
    await ecs.send(new DescribeServicesCommand({ cluster: inputs.cluster, services: [inputs.service] }))
  ).services?.[0];
  if (!service)
    throw new ConfigurationError(
      `Input "service-deployment-arn": service "${inputs.service}" of cluster "${inputs.cluster}" that it names does not exist.`,
    );

  const targetRevision = deployment.targetServiceRevision?.arn;
  const sourceRevision = deployment.sourceServiceRevisions?.[0]?.arn;
  const revisions = await taskDefinitionsOf(
    deps,
    [targetRevision, sourceRevision].filter((arn): arn is string => arn !== undefined),
  );
  const taskDefinitionArn = targetRevision ? revisions.get(targetRevision) : undefined;
  // Without the revision it deploys, neither success nor a rollback can be told: fail closed.
  if (!taskDefinitionArn)
    throw new Error(
      `ECS did not tell which task definition ${inputs.deploymentArn} deploys (DescribeServiceRevisions of ${targetRevision ?? 'no target revision'}).`,
    );
  const previousTaskDefinitionArn = sourceRevision ? revisions.get(sourceRevision) : undefined;
  const configuration = deployment.deploymentConfiguration ?? service.deploymentConfiguration;
  const strategy = strategyOf(configuration?.strategy);
  report.strategy = strategy;
  report.taskDefinitionArn = taskDefinitionArn;
  if (previousTaskDefinitionArn) report.previousTaskDefinitionArn = previousTaskDefinitionArn;

  // The deployment is partway: the plan of the whole is an upper bound of what is left.
  const plan = timeoutPlan(configuration ?? {}, inputs.wait);
  const timeoutMs = inputs.timeoutMs ?? Math.min(plan.defaultMs, MAX_TIMEOUT_MS);
  report.timeout = {
    ms: timeoutMs,
    ...(inputs.timeoutMs === undefined ? { derivedFrom: plan.describe } : {}),
  };
  const deadline = report.startedAt + timeoutMs;
  const target: RollbackTarget = {
    cluster: inputs.cluster,
    service: inputs.service,
    deploymentArn: inputs.deploymentArn,
    taskDefinitionArn,
    strategy,
    ...(configuration ? { deploymentConfiguration: configuration } : {}),
    ...(previousTaskDefinitionArn ? { previousTaskDefinitionArn } : {}),
  };
  const status = deployment.status ?? 'PENDING';
  const awaiting = status === 'IN_PROGRESS' ? awaitingHookIds(deployment) : [];
  logger.info(
    `Deployment ${inputs.deploymentArn} of ${shortTaskDefinition(taskDefinitionArn)}: ${status}` +
      `${deployment.lifecycleStage ? ` at ${deployment.lifecycleStage}` : ''}` +
      `${awaiting.length > 0 ? `, paused at lifecycle hook ${awaiting.join(', ')}` : ''}; answer: ${inputs.answer}.`,
  );

  if (UNFINISHED.has(status) || (inputs.answer === 'rollback' && status === 'SUCCESSFUL')) {
    saveCleanupContext(state, {
      region: report.region,
      cluster: inputs.cluster,
      service: inputs.service,
      strategy,
      timeoutMs,
      rollbackOnFailure: inputs.rollbackOnFailure,
      ...(previousTaskDefinitionArn ? { previousTaskDefinitionArn } : {}),
    });
    state.save('task-definition-arn', taskDefinitionArn);
    state.save('deployment-arn', inputs.deploymentArn);
  }

  if (inputs.answer === 'rollback' && ROLLBACK_NEEDED.has(status)) {
    const rollback = await logger.group('Rolling back (answer: rollback)', () =>
      // A waiting pause takes the rollback as its answer (ContinueServiceDeployment ROLLBACK, resent
      // until ECS confirms it); otherwise StopServiceDeployment ROLLBACK, or the guarded UpdateService.
      awaiting.length > 0
        ? watchRollback(deps, { target, by: 'stop' }, deadline)
        : rollBack(deps, target, deadline),
    );
    recordRollback(report, rollback);
    if (rollback.outcome === 'rolled-back') report.reasons.push('Rolled back as asked (answer: rollback).');
    return;
  }
  await followDeployment(
    deps,
    {
      target,
      service,
      wait: inputs.answer === 'rollback' ? { kind: 'stable' } : inputs.wait,
      deadline,
      timeoutMs,
      timeoutSource:
        inputs.timeoutMs === undefined ? `the timeout derived from ${plan.describe}` : 'input "timeout"',
      hooks:
        inputs.answer === 'continue' ? { kind: 'continue-all' } : { kind: 'rollback', answer: 'ROLLBACK' },
      rollbackOnFailure: inputs.rollbackOnFailure,
    },
    report,
    state,
  );
}

async function describeDeployment(
  deps: Pick<Deps, 'ecs'>,
  inputs: ContinueInputs,
): Promise<ServiceDeployment> {
  const response = await deps.ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [inputs.deploymentArn] }),
  );
  const deployment = response.serviceDeployments?.[0];
  if (!deployment) {
    const why = response.failures?.[0]?.reason;
    throw new ConfigurationError(
      `Input "service-deployment-arn": ECS does not know deployment ${inputs.deploymentArn}${why ? ` (${why})` : ''}; ` +
        'pass the service-deployment-arn output of the ecs-deploy step that started it, in the same account and region.',
    );
  }
  return deployment;
}

function strategyOf(ecsStrategy: string | undefined): Strategy {
  return STRATEGIES.find((strategy) => ECS_STRATEGY[strategy] === (ecsStrategy ?? 'ROLLING')) ?? 'rolling';
}
