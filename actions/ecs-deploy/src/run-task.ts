import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { isTransientAwsError } from '@ecs-ship/shared/aws-clients';
import { CancelledError, ConfigurationError, describeError } from '@ecs-ship/shared/errors';
import { formatDuration } from '@ecs-ship/shared/duration';
import { poll } from '@ecs-ship/shared/poll';
import { describeStoppedTask } from './failure-reasons.js';
import type { DeployInputs } from './inputs.js';
import type { DeployReport } from './report.js';
import type { StateStore } from './state.js';
import type { RegistrableTaskDefinition } from './task-definition.js';
import type { Deps } from './watch.js';

/** A one-off task polls faster than a deployment: migrations often take seconds. */
export const TASK_TIMING = { initialDelayMs: 2_000, maxDelayMs: 20_000, backoff: 1.5 };

/**
 * Runs one task of the revision and waits for it to stop. Succeeds only when every essential
 * container exited 0; otherwise the failure names the container, its exit code and AWS's reasons.
 */
export async function runOneOffTask(
  deps: Deps,
  inputs: DeployInputs,
  taskDefinition: { arn: string; definition: RegistrableTaskDefinition },
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  const { ecs, logger, clock } = deps;
  const run = inputs.runTask;
  const containers = taskDefinition.definition.containerDefinitions;
  const commandContainer =
    run.commandContainer ?? containers.find((c) => c.essential !== false)?.name ?? containers[0]?.name;
  if (run.commandContainer && !containers.some((c) => c.name === run.commandContainer)) {
    throw new ConfigurationError(
      `Input "command-container" names "${run.commandContainer}", which the task definition does not have; its containers are ${containers.map((c) => `"${c.name}"`).join(', ')}.`,
    );
  }
  if (taskDefinition.definition.networkMode === 'awsvpc' && run.subnets.length === 0) {
    throw new ConfigurationError(
      'Input "subnets" is required: the task definition uses networkMode awsvpc, so the task needs subnets to run in.',
    );
  }

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
      ...(run.command
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
  state.save('task-arn', taskArn);
  state.save('cluster', inputs.cluster);
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
        deadline: report.startedAt + inputs.timeoutMs,
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
    }
    throw error;
  }
  report.task = { arn: taskArn, ...(last.lastStatus ? { lastStatus: last.lastStatus } : {}) };
  if (result.status === 'timeout') {
    report.status = 'failed';
    report.reasons.push(
      `Task still ${last.lastStatus ?? 'running'} after ${formatDuration(inputs.timeoutMs)} (input "timeout").`,
    );
    await stop(`ecs-deploy timeout ${formatDuration(inputs.timeoutMs)}`);
    return;
  }
  const exitCode = taskExitCode(last, commandContainer);
  if (exitCode !== undefined) report.task.exitCode = exitCode;
  const failed = failedContainers(last);
  if (failed.length === 0 && exitCode !== undefined) {
    report.status = 'succeeded';
    logger.info(`Task finished: exit code ${exitCode}.`);
  } else {
    report.status = 'failed';
    report.reasons.push(describeStoppedTask(last));
  }
}

/** The exit code of the container that ran the command (else the first non-zero one). */
export function taskExitCode(task: Task, container: string | undefined): number | undefined {
  const failed = failedContainers(task)[0];
  if (failed?.exitCode !== undefined) return failed.exitCode;
  return (
    (task.containers ?? []).find((c) => c.name === container)?.exitCode ?? task.containers?.[0]?.exitCode
  );
}

/** Containers that exited non-zero, or never ran (no exit code: image pull failures, OOM before start). */
function failedContainers(task: Task) {
  return (task.containers ?? []).filter((c) => c.exitCode === undefined || c.exitCode !== 0);
}
