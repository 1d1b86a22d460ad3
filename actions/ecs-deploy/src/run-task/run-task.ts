import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { isTransientAwsError } from '@ecs-ship/shared/aws-clients';
import { CancelledError, describeError } from '@ecs-ship/shared/errors';
import { formatDuration } from '@ecs-ship/shared/duration';
import { poll } from '@ecs-ship/shared/poll';
import { Checks } from '../checks.js';
import { throwIfCancelled, type Deps } from '../deps.js';
import { describeStoppedTask } from '../deployment/failure-reasons.js';
import { imagesForDeploy } from '../images-from/target-images.js';
import type { DeployInputs } from '../inputs.js';
import { BASE_TIMEOUT_MS } from '../deployment/deployment-timeout.js';
import { planOffline } from '../offline-checks.js';
import { preflight } from '../preflight.js';
import { registerOrReuse } from '../revision/registration.js';
import { recordRendered, type DeployReport } from '../report.js';
import type { StateStore } from '../state.js';

/** A one-off task polls faster than a deployment: migrations often take seconds. */
export const TASK_TIMING = { initialDelayMs: 2_000, maxDelayMs: 20_000, backoff: 1.5 };

/**
 * run-task mode: validate and render, check the task can run as asked, register (or reuse) the
 * revision, run one task and wait for it to stop. A bad input registers nothing and runs nothing.
 */
export async function runTaskMode(
  deps: Deps,
  inputs: DeployInputs,
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  const pre = await preflight(deps.ecs, inputs);
  if (pre.previousTaskDefinitionArn) report.previousTaskDefinitionArn = pre.previousTaskDefinitionArn;
  const images = await imagesForDeploy(deps, inputs, pre.base, report);
  const planned = planOffline(
    {
      inputs,
      base: { load: () => pre.base, ...(pre.file ? { file: pre.file } : {}) },
      images,
      runTask: true,
    },
    Checks.stopAtFirst(),
  );
  if (!planned.rendered) throw new Error('planOffline returned no rendered revision');
  const rendered = planned.rendered;
  recordRendered(deps.logger, rendered, images, report);
  const definition = rendered.taskDefinition;
  const commandContainer = planned.commandContainer;
  const essential = definition.containerDefinitions
    .filter((container) => container.essential !== false)
    .map((container) => container.name ?? '');
  const registration = await registerOrReuse(deps, definition, pre);
  report.taskDefinitionArn = registration.taskDefinitionArn;
  report.registered = registration.registered;
  await runOneOffTask(
    deps,
    inputs,
    { arn: registration.taskDefinitionArn, commandContainer, essential },
    report,
    state,
  );
}

/**
 * Runs one task of the revision and waits for it to stop. Succeeds when every essential container
 * (and the command's container) exited 0: a non-essential sidecar (a log router, a proxy) that
 * exits non-zero once the task stops does not fail a migration that succeeded; its exit code is
 * noted in the summary. Otherwise the failure names the container, its exit code and AWS's reasons.
 */
async function runOneOffTask(
  deps: Deps,
  inputs: DeployInputs,
  taskDefinition: { arn: string; commandContainer: string | undefined; essential: string[] },
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  const { ecs, logger, clock } = deps;
  const run = inputs.runTask;
  const { commandContainer } = taskDefinition;
  const timeoutMs = inputs.timeoutMs ?? BASE_TIMEOUT_MS;
  report.timeout = { ms: timeoutMs };

  throwIfCancelled(deps.signal);
  const response = await ecs.send(
    new RunTaskCommand({
      cluster: inputs.cluster,
      taskDefinition: taskDefinition.arn,
      count: 1,
      startedBy: 'ecs-ship/ecs-deploy',
      ...(run.launchType ? { launchType: run.launchType } : {}),
      ...(run.capacityProviderStrategy ? { capacityProviderStrategy: run.capacityProviderStrategy } : {}),
      ...(run.subnets.length > 0
        ? {
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: run.subnets,
                ...(run.securityGroups.length > 0 ? { securityGroups: run.securityGroups } : {}),
                ...(run.assignPublicIp ? { assignPublicIp: run.assignPublicIp } : {}),
              },
            },
          }
        : {}),
      ...(run.command && commandContainer
        ? { overrides: { containerOverrides: [{ name: commandContainer, command: run.command }] } }
        : {}),
    }),
  );
  const task = response.tasks?.[0];
  if (!task?.taskArn) {
    const failure = response.failures?.[0];
    report.status = 'failed';
    throw new Error(
      `RunTask started no task: ${failure?.reason ?? 'no reason given'}${failure?.detail ? ` (${failure.detail})` : ''}`,
    );
  }
  const taskArn = task.taskArn;
  report.task = { arn: taskArn };
  state.save('region', report.region);
  state.save('cluster', inputs.cluster);
  state.save('task-arn', taskArn);
  logger.info(
    `Started task ${taskArn}${run.command ? ` (${commandContainer}: ${run.command.length} argument(s))` : ''}.`,
  );
  if (inputs.wait.kind === 'none') {
    report.status = 'in-progress';
    return;
  }

  let last = task;
  let lastStatus = '';
  const stop = async (reason: string) => {
    await ecs.send(new StopTaskCommand({ cluster: inputs.cluster, task: taskArn, reason }));
    logger.warning(`Stopped task ${taskArn}: ${reason}`);
  };
  let result;
  try {
    result = await poll<Task>(
      async () => {
        const described = await ecs.send(
          new DescribeTasksCommand({ cluster: inputs.cluster, tasks: [taskArn] }),
        );
        const current = described.tasks?.[0];
        if (!current) throw new Error(`DescribeTasks does not know ${taskArn}`);
        last = current;
        const changed = current.lastStatus !== lastStatus;
        if (changed) logger.info(`task ${current.lastStatus ?? '?'}`);
        lastStatus = current.lastStatus ?? '';
        return { done: current.lastStatus === 'STOPPED', changed, value: current };
      },
      {
        clock,
        deadline: report.startedAt + timeoutMs,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.random ? { random: deps.random } : {}),
        ...TASK_TIMING,
        isTransient: isTransientAwsError,
        maxConsecutiveErrors: 6,
      },
    );
  } catch (error) {
    if (error instanceof CancelledError) {
      report.status = 'failed';
      report.reasons.push('The workflow run was cancelled while the task ran.');
      await stop('workflow run cancelled').catch((stopError: unknown) =>
        logger.error(describeError(stopError)),
      );
      // Stopped: nothing left for the post step.
      state.save('finished', 'true');
    }
    throw error;
  }
  report.task = { arn: taskArn, ...(last.lastStatus ? { lastStatus: last.lastStatus } : {}) };
  if (result.status === 'timeout') {
    report.status = 'failed';
    report.reasons.push(
      `Task still ${last.lastStatus ?? 'running'} after ${formatDuration(timeoutMs)} (input "timeout").`,
    );
    await stop(`ecs-deploy timeout ${formatDuration(timeoutMs)}`);
    return;
  }
  const exitCode = taskExitCode(last, taskDefinition);
  if (exitCode !== undefined) report.task.exitCode = exitCode;
  const judged = new Set([...taskDefinition.essential, ...(commandContainer ? [commandContainer] : [])]);
  const failed = failedContainers(last);
  const failedJudged = failed.filter((container) => judged.has(container.name ?? ''));
  for (const container of failed.filter((c) => !judged.has(c.name ?? ''))) {
    report.notes.push(
      `Non-essential container ${container.name ?? '?'} ${container.exitCode !== undefined ? `exited ${container.exitCode}` : 'has no exit code'}${container.reason ? ` (${container.reason})` : ''}; not counted against the task.`,
    );
  }
  for (const note of report.notes) logger.warning(note);
  if (failedJudged.length === 0 && exitCode !== undefined) {
    report.status = 'succeeded';
    logger.info(`Task finished: exit code ${exitCode}.`);
  } else {
    report.status = 'failed';
    report.reasons.push(describeStoppedTask(last));
  }
}

/**
 * The `exit-code` output. With `command` or `command-container`: the exit code of that container.
 * Otherwise: of the first essential container (in task-definition order) that exited non-zero, else
 * of the first essential container. Undefined when that container has none (it never ran).
 */
export function taskExitCode(
  task: Task,
  containers: { commandContainer: string | undefined; essential: readonly string[] },
): number | undefined {
  const exitOf = (name: string) => task.containers?.find((c) => c.name === name)?.exitCode;
  if (containers.commandContainer !== undefined) return exitOf(containers.commandContainer);
  const codes = containers.essential.map(exitOf);
  return codes.find((code) => code !== undefined && code !== 0) ?? codes[0];
}

/** Containers that exited non-zero, or never ran (no exit code: image pull failures, OOM before start). */
function failedContainers(task: Task) {
  return (task.containers ?? []).filter((c) => c.exitCode === undefined || c.exitCode !== 0);
}
