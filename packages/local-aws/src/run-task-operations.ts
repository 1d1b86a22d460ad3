import { randomBytes, randomUUID } from 'node:crypto';
import {
  DescribeTaskDefinitionCommand,
  type CapacityProviderStrategyItem,
  type ECSClient,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { AwsError, invalidParameter } from './aws-error.js';
import type { EcsState } from './ecs-state.js';
import {
  familyRevision,
  serializeOneOffTask,
  statusAt,
  type OneOffContainer,
  type OneOffStop,
  type OneOffTask,
} from './one-off-tasks.js';
import type { LocalAwsTiming } from './timing.js';

type Input = Record<string, unknown>;

export interface ResolvedCluster {
  arn: string;
  name: string;
  defaultCapacityProviderStrategy: CapacityProviderStrategyItem[];
}

export interface RunTaskContext {
  state: EcsState;
  timing: LocalAwsTiming;
  ecs: ECSClient;
  resolveCluster(cluster: unknown): Promise<ResolvedCluster>;
}

export const DEFAULT_EXIT_REASON = 'Essential container in task exited';
/** What a task stopped with StopTask and no reason reports (as the ECS console shows it). */
export const DEFAULT_STOP_REASON = 'Task stopped by user';
/**
 * StopTask is `docker stop`: SIGTERM, then SIGKILL after the stop timeout (ECS API reference). A
 * container's main process is PID 1, which ignores SIGTERM unless it handles it, so the common
 * outcome is the SIGKILL: 128 + 9.
 */
export const DEFAULT_STOP_EXIT_CODE = 137;

/**
 * RunTask as ECS validates it (count 1..10, launchType xor capacityProviderStrategy, subnets for
 * awsvpc, overrides naming the definition's containers) and answers it: `count` tasks in
 * PROVISIONING whose whole life follows the emulator's clock and the outcome set for their task
 * definition (LocalAws.exitRunTasksOf).
 */
export async function runTask(context: RunTaskContext, input: Input, now: number): Promise<unknown> {
  const count = input.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10)
    throw invalidParameter(`count must be an integer from 1 to 10; got ${String(count)}.`);
  const strategy = input.capacityProviderStrategy as CapacityProviderStrategyItem[] | undefined;
  if (input.launchType !== undefined && strategy !== undefined && strategy.length > 0)
    throw invalidParameter(
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    );
  const startedBy = input.startedBy;
  if (
    startedBy !== undefined &&
    (typeof startedBy !== 'string' || !/^[A-Za-z0-9_/-]{1,128}$/.test(startedBy))
  )
    throw invalidParameter(
      `startedBy must be up to 128 letters, numbers, hyphens, forward slashes and underscores; got ${String(startedBy)}.`,
    );
  const cluster = await context.resolveCluster(input.cluster);
  const definition = await describeDefinition(context.ecs, input.taskDefinition);
  const containerDefinitions = definition.containerDefinitions ?? [];
  checkNetwork(definition, input.networkConfiguration as NetworkInput | undefined);
  const overrides = (input.overrides as Record<string, unknown> | undefined) ?? {};
  const given = (overrides.containerOverrides as Array<Record<string, unknown>> | undefined) ?? [];
  for (const override of given) {
    if (!containerDefinitions.some((c) => c.name === override.name))
      throw invalidParameter(
        `Override for container named ${String(override.name)} is not a container in the TaskDefinition.`,
      );
  }
  const placement = placementOf(
    input.launchType as string | undefined,
    strategy !== undefined && strategy.length > 0 ? strategy : cluster.defaultCapacityProviderStrategy,
  );

  const taskDefinitionArn = definition.taskDefinitionArn ?? '';
  const family = definition.family ?? familyRevision(taskDefinitionArn).family;
  const outcome = context.state.runTaskOutcomes.for(taskDefinitionArn);
  const names = containerDefinitions.map((c) => c.name ?? '');
  const subject =
    outcome.container ?? containerDefinitions.find((c) => c.essential !== false)?.name ?? names[0] ?? '';
  if (outcome.container !== undefined && !names.includes(outcome.container))
    throw new Error(
      `exitRunTasksOf names container "${outcome.container}"; ${taskDefinitionArn} has ${names.map((n) => `"${n}"`).join(', ')}`,
    );
  const reported = {
    ...overrides,
    containerOverrides: names.map((name) => ({ ...given.find((o) => o.name === name), name })),
  };

  const { region, account } = context.state.identity;
  const tasks: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const id = randomBytes(16).toString('hex');
    const containers: OneOffContainer[] = containerDefinitions.map((c) => {
      const command = (given.find((o) => o.name === c.name)?.command as string[] | undefined) ?? c.command;
      return {
        name: c.name ?? '',
        image: c.image ?? '',
        essential: c.essential !== false,
        ...(command !== undefined ? { command: [...command] } : {}),
        imageDigest: context.state.imageDigests.at(c.image ?? '', now),
        runtimeId: randomUUID(),
      };
    });
    const runningAt = now + context.timing.runTaskStartMs;
    const failReason =
      outcome.failToStart &&
      (outcome.failToStart.reason ??
        `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${containers.find((c) => c.name === subject)?.image ?? ''}: not found`);
    const real = context.state.realOneOffTasks;
    const stop: OneOffStop =
      failReason !== undefined
        ? {
            at: runningAt,
            code: 'TaskFailedToStart',
            reason: failReason,
            containerReason: { name: subject, reason: failReason },
          }
        : real !== undefined
          ? // A real task ends when its process does (completeOneOffTask); nothing is decided here.
            {
              at: Number.POSITIVE_INFINITY,
              code: 'EssentialContainerExited',
              reason: outcome.reason ?? DEFAULT_EXIT_REASON,
            }
          : {
              at: runningAt + (outcome.runForMs ?? context.timing.runTaskDurationMs),
              code: 'EssentialContainerExited',
              reason: outcome.reason ?? DEFAULT_EXIT_REASON,
              exitCodes: Object.fromEntries(
                names.map((name) => [name, name === subject ? (outcome.exitCode ?? 0) : 0]),
              ),
            };
    const task: OneOffTask = {
      id,
      arn: `arn:aws:ecs:${region}:${account}:task/${cluster.name}/${id}`,
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      taskDefinitionArn,
      family,
      group: typeof input.group === 'string' ? input.group : `family:${family}`,
      ...(typeof startedBy === 'string' ? { startedBy } : {}),
      ...placement,
      ...(typeof input.platformVersion === 'string' ? { platformVersion: input.platformVersion } : {}),
      ...(definition.cpu !== undefined ? { cpu: definition.cpu } : {}),
      ...(definition.memory !== undefined ? { memory: definition.memory } : {}),
      overrides: structuredClone(reported),
      containers,
      subject,
      createdAt: now,
      pendingAt: now + Math.floor(context.timing.runTaskStartMs / 2),
      ...(failReason === undefined ? { runningAt } : {}),
      stop,
      stopExitCode: outcome.stopExitCode ?? DEFAULT_STOP_EXIT_CODE,
    };
    context.state.oneOffTasks.set(id, task);
    if (real !== undefined && failReason === undefined) real.launch(task, containerDefinitions, given);
    tasks.push(serializeOneOffTask(task, context.state.identity, now));
  }
  return { tasks, failures: [] };
}

/** The one-off task a task ARN or id names, if the emulator ran it. */
export function findOneOffTask(state: EcsState, task: unknown): OneOffTask | undefined {
  if (typeof task !== 'string') return undefined;
  return state.oneOffTasks.get(task.slice(task.lastIndexOf('/') + 1));
}

/**
 * StopTask of a one-off task: STOPPED at once (ECS's SIGTERM grace period is not modelled) with
 * stopCode UserInitiated; containers that were running exit with the outcome's stopExitCode.
 */
export async function stopTask(context: RunTaskContext, input: Input, now: number): Promise<unknown> {
  const cluster = await context.resolveCluster(input.cluster);
  const task = findOneOffTask(context.state, input.task);
  if (task === undefined || task.clusterArn !== cluster.arn)
    throw invalidParameter('The referenced task was not found.');
  const reason = input.reason ?? DEFAULT_STOP_REASON;
  if (typeof reason !== 'string' || reason.length > 255)
    throw invalidParameter('reason must be a string of up to 255 characters.');
  if (statusAt(task, now) !== 'STOPPED') {
    const running = task.runningAt !== undefined && task.runningAt <= now;
    context.state.realOneOffTasks?.stop(task);
    task.stop = {
      at: now,
      code: 'UserInitiated',
      reason,
      ...(running
        ? { exitCodes: Object.fromEntries(task.containers.map((c) => [c.name, task.stopExitCode])) }
        : {}),
    };
  }
  return { task: serializeOneOffTask(task, context.state.identity, now) };
}

/** One-off tasks in `clusterArn` that ListTasks' filters select at `now`. */
export function listOneOffTasks(
  state: EcsState,
  clusterArn: string,
  filters: { family?: string; startedBy?: string; desiredStatus: string; launchType?: string },
  now: number,
): OneOffTask[] {
  return [...state.oneOffTasks.values()].filter(
    (task) =>
      task.clusterArn === clusterArn &&
      (filters.family === undefined || task.family === filters.family) &&
      (filters.startedBy === undefined || task.startedBy === filters.startedBy) &&
      (filters.launchType === undefined || task.launchType === filters.launchType) &&
      (statusAt(task, now) === 'STOPPED' ? 'STOPPED' : 'RUNNING') === filters.desiredStatus,
  );
}

async function describeDefinition(ecs: ECSClient, taskDefinition: unknown): Promise<TaskDefinition> {
  if (typeof taskDefinition !== 'string' || taskDefinition === '')
    throw invalidParameter('taskDefinition must be a task definition family, family:revision or ARN.');
  let found: TaskDefinition | undefined;
  try {
    found = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined || status >= 500) throw error;
  }
  if (found?.taskDefinitionArn === undefined)
    throw new AwsError('ClientException', 'TaskDefinition not found.');
  if (found.status === 'INACTIVE')
    throw new AwsError('ClientException', `TaskDefinition is inactive: ${found.taskDefinitionArn}.`);
  return found;
}

interface NetworkInput {
  awsvpcConfiguration?: { subnets?: string[] };
}

function checkNetwork(definition: TaskDefinition, network: NetworkInput | undefined): void {
  if (definition.networkMode !== 'awsvpc') {
    if (network !== undefined)
      throw invalidParameter(
        'Network Configuration is not valid for the given networkMode of this task definition.',
      );
    return;
  }
  if (network?.awsvpcConfiguration === undefined)
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  if ((network.awsvpcConfiguration.subnets ?? []).length === 0)
    throw invalidParameter('subnets can not be empty.');
}

/**
 * What the task reports it runs on: the launch type given, else the capacity provider the strategy
 * (given, or the cluster's default) puts it on, first by base then by weight; FARGATE and
 * FARGATE_SPOT tasks report launchType FARGATE. Neither: EC2 (placement is not modelled).
 */
function placementOf(
  launchType: string | undefined,
  strategy: CapacityProviderStrategyItem[],
): { launchType: string; capacityProviderName?: string } {
  if (launchType !== undefined) return { launchType };
  const chosen =
    strategy.find((item) => (item.base ?? 0) > 0) ??
    [...strategy].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))[0];
  if (chosen?.capacityProvider === undefined) return { launchType: 'EC2' };
  const provider = chosen.capacityProvider;
  return {
    launchType: provider === 'FARGATE' || provider === 'FARGATE_SPOT' ? 'FARGATE' : 'EC2',
    capacityProviderName: provider,
  };
}
