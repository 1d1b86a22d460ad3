import { seconds } from './ecs-serialize.js';
import type { EmulatorIdentity } from './ecs-state.js';

/** How the one-off tasks of a task definition end (test control: real containers decide this on AWS). */
export interface RunTaskOutcome {
  /** The exit code of `container` (default 0); every other container exits 0. */
  exitCode?: number;
  /** The container that exits with `exitCode` (default the first essential one). */
  container?: string;
  /** The task's stoppedReason (default 'Essential container in task exited'). */
  reason?: string;
  /** How long the task runs once RUNNING (default timing.runTaskDurationMs; Infinity: until StopTask). */
  runForMs?: number;
  /** What StopTask leaves as every running container's exit code (default 137, see README). */
  stopExitCode?: number;
  /** The task never starts: STOPPED with stopCode TaskFailedToStart and no exit code. */
  failToStart?: { reason?: string };
}

export type OneOffStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';

export interface OneOffContainer {
  name: string;
  image: string;
  essential: boolean;
  /** What ran: the override's command, else the definition's (undefined: the image's own). */
  command?: string[];
  /** What the image resolved to when the task was run. */
  imageDigest: string;
  runtimeId: string;
}

export interface OneOffStop {
  /** Simulated ms; Infinity while nothing will stop the task by itself. */
  at: number;
  code: 'EssentialContainerExited' | 'TaskFailedToStart' | 'UserInitiated';
  reason: string;
  /** Exit code by container name; undefined when the containers never ran. */
  exitCodes?: Record<string, number>;
  /** A container's own `reason` (why it could not start). */
  containerReason?: { name: string; reason: string };
}

/** A task started by RunTask: its whole life is fixed at RunTask time, except a StopTask. */
export interface OneOffTask {
  id: string;
  arn: string;
  clusterArn: string;
  clusterName: string;
  taskDefinitionArn: string;
  family: string;
  group: string;
  startedBy?: string;
  launchType?: string;
  capacityProviderName?: string;
  platformVersion?: string;
  cpu?: string;
  memory?: string;
  /** The request's overrides, with a bare `{ name }` for every container it does not override. */
  overrides: { containerOverrides: Array<Record<string, unknown> & { name: string }> } & Record<
    string,
    unknown
  >;
  containers: OneOffContainer[];
  /** The container the outcome is about (its exit code is the task's `exitCode` in runTasks()). */
  subject: string;
  createdAt: number;
  pendingAt: number;
  /** When it reaches RUNNING (undefined: it never does). */
  runningAt?: number;
  stop: OneOffStop;
  stopExitCode: number;
}

/** What a test reads back about one RunTask task (LocalAws.runTasks()). */
export interface RunTaskRecord {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  startedBy?: string;
  group: string;
  /** The overrides as the task reports them. */
  overrides: OneOffTask['overrides'];
  /** Per container, the command it ran: the override's, else the definition's (undefined: the image's). */
  commands: Record<string, string[] | undefined>;
  lastStatus: OneOffStatus;
  stopCode?: string;
  stoppedReason?: string;
  /** The exit code of the outcome's container (default the first essential one), once it exited. */
  exitCode?: number;
}

/** Outcomes configured per task definition (ARN, family:revision or family), newest first. */
export class RunTaskOutcomes {
  private readonly entries: Array<{ pattern: string; outcome: RunTaskOutcome }> = [];

  set(pattern: string, outcome: RunTaskOutcome): void {
    this.entries.unshift({ pattern, outcome });
  }

  /** The outcome set most recently for a pattern that names this task definition ARN. */
  for(taskDefinitionArn: string): RunTaskOutcome {
    return this.entries.find((entry) => namesTaskDefinition(entry.pattern, taskDefinitionArn))?.outcome ?? {};
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** `arn:...:task-definition/web:3`, `web:3` and `web` all name revision 3 of web. */
export function namesTaskDefinition(pattern: string, taskDefinitionArn: string): boolean {
  if (pattern === taskDefinitionArn) return true;
  const { family, revision } = familyRevision(taskDefinitionArn);
  const wanted = familyRevision(pattern);
  return wanted.family === family && (wanted.revision === undefined || wanted.revision === revision);
}

export function familyRevision(taskDefinition: string): { family: string; revision?: string } {
  const tail = taskDefinition.startsWith('arn:')
    ? taskDefinition.slice(taskDefinition.indexOf('task-definition/') + 'task-definition/'.length)
    : taskDefinition;
  const colon = tail.lastIndexOf(':');
  return colon < 0 ? { family: tail } : { family: tail.slice(0, colon), revision: tail.slice(colon + 1) };
}

export function statusAt(task: OneOffTask, now: number): OneOffStatus {
  if (now >= task.stop.at) return 'STOPPED';
  if (task.runningAt !== undefined && now >= task.runningAt) return 'RUNNING';
  if (now >= task.pendingAt) return 'PENDING';
  return 'PROVISIONING';
}

/** Whether the containers ran before the task stopped (or are running now). */
function ran(task: OneOffTask, now: number): boolean {
  return task.runningAt !== undefined && task.runningAt <= Math.min(now, task.stop.at);
}

/** The next simulated ms at which a one-off task changes status by itself. */
export function nextOneOffChangeAt(tasks: Iterable<OneOffTask>, now: number): number | undefined {
  let next: number | undefined;
  for (const task of tasks)
    for (const at of [task.pendingAt, task.runningAt, task.stop.at])
      if (at !== undefined && at > now && Number.isFinite(at) && (next === undefined || at < next)) next = at;
  return next;
}

/** DescribeTasks' shape of a one-off task at `now` (epoch seconds, as awsJson sends them). */
export function serializeOneOffTask(
  task: OneOffTask,
  identity: EmulatorIdentity,
  now: number,
): Record<string, unknown> {
  const status = statusAt(task, now);
  const stopped = status === 'STOPPED';
  const started = ran(task, now);
  const stopAt = stopped ? task.stop.at : undefined;
  const containerStatus = status === 'PROVISIONING' ? 'PENDING' : status;
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    group: task.group,
    ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
    lastStatus: status,
    desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
    ...(task.launchType !== undefined ? { launchType: task.launchType } : {}),
    ...(task.capacityProviderName !== undefined ? { capacityProviderName: task.capacityProviderName } : {}),
    ...(task.platformVersion !== undefined ? { platformVersion: task.platformVersion } : {}),
    ...(task.cpu !== undefined ? { cpu: task.cpu } : {}),
    ...(task.memory !== undefined ? { memory: task.memory } : {}),
    overrides: task.overrides,
    version: ['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED'].indexOf(status) + 1,
    createdAt: seconds(task.createdAt),
    ...(now >= task.pendingAt && (stopAt === undefined || task.pendingAt <= stopAt)
      ? { pullStartedAt: seconds(task.pendingAt) }
      : {}),
    ...(started ? { pullStoppedAt: seconds(task.runningAt), startedAt: seconds(task.runningAt) } : {}),
    ...(stopped
      ? {
          stopCode: task.stop.code,
          stoppedReason: task.stop.reason,
          stoppingAt: seconds(stopAt),
          executionStoppedAt: seconds(stopAt),
          stoppedAt: seconds(stopAt),
        }
      : {}),
    containers: task.containers.map((container) => {
      const exitCode = stopped ? task.stop.exitCodes?.[container.name] : undefined;
      const reason =
        stopped && task.stop.containerReason?.name === container.name
          ? task.stop.containerReason.reason
          : undefined;
      return {
        containerArn: `arn:aws:ecs:${identity.region}:${identity.account}:container/${task.clusterName}/${task.id}/${container.runtimeId}`,
        taskArn: task.arn,
        name: container.name,
        image: container.image,
        // Known once the image is pulled, as on ECS: RunTask's own answer has none.
        ...(started ? { imageDigest: container.imageDigest } : {}),
        lastStatus: containerStatus,
        ...(exitCode !== undefined ? { exitCode } : {}),
        ...(reason !== undefined ? { reason } : {}),
      };
    }),
  };
}

export function recordOf(task: OneOffTask, now: number): RunTaskRecord {
  const status = statusAt(task, now);
  const stopped = status === 'STOPPED';
  const exitCode = stopped ? task.stop.exitCodes?.[task.subject] : undefined;
  return {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
    group: task.group,
    overrides: structuredClone(task.overrides),
    commands: Object.fromEntries(task.containers.map((c) => [c.name, c.command && [...c.command]])),
    lastStatus: status,
    ...(stopped ? { stopCode: task.stop.code, stoppedReason: task.stop.reason } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
  };
}

/**
 * The end of a task that really ran: its process exited with `exitCode` at `now` (never before the
 * task reached RUNNING on the emulator's clock). A task StopTask already stopped keeps that end.
 */
export function completeOneOffTask(task: OneOffTask, now: number, exitCode: number): void {
  if (Number.isFinite(task.stop.at)) return;
  task.stop = {
    at: Math.max(now, task.runningAt ?? now),
    code: 'EssentialContainerExited',
    reason: task.stop.reason,
    exitCodes: Object.fromEntries(
      task.containers.map((c) => [c.name, c.name === task.subject ? exitCode : 0]),
    ),
  };
}
