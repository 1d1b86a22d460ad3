import { createHash } from 'node:crypto';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { Revision, ServiceRecord } from './ecs-model.js';
import { isInFlight } from './ecs-model.js';
import type { EcsState } from './ecs-state.js';
import type { ImageDigests } from './image-digests.js';
import { serviceDeploymentsView } from './ecs-serialize.js';

/** A service task as the emulator derives it: tasks exist only as counts of the model. */
export interface ServiceTask {
  id: string;
  /** Its place among the revision's running tasks (0 first). */
  index: number;
  /** How many tasks of its revision run (the last one is the one a drifted digest shows on). */
  ofRunning: number;
  service: ServiceRecord;
  revision: Revision;
  lastStatus: 'RUNNING' | 'STOPPED';
  stoppedReason?: string;
  exitCode?: number;
}

/** A 32-hex task id derived from the revision and an index, so DescribeTasks can find it again. */
export function taskId(revisionArn: string, index: number): string {
  return createHash('sha256').update(`${revisionArn}#${index}`).digest('hex').slice(0, 32);
}

/**
 * The tasks of a service right now: RUNNING ones per Service.deployments[] running counts, and
 * STOPPED ones for the failures the circuit breaker counted on a failing revision.
 */
export function serviceTasks(state: EcsState, service: ServiceRecord): ServiceTask[] {
  const crashLooping = (taskDefinition: string) => state.taskFaults.crashLooping.has(taskDefinition);
  const tasks: ServiceTask[] = [];
  for (const view of serviceDeploymentsView(service, crashLooping)) {
    for (let index = 0; index < view.running; index++)
      tasks.push({
        id: taskId(view.revision.arn, index),
        index,
        ofRunning: view.running,
        service,
        revision: view.revision,
        lastStatus: 'RUNNING',
      });
  }
  const latest = service.deployments[service.deployments.length - 1];
  const failing = latest && state.taskFaults.failing.get(latest.target.taskDefinition);
  if (latest !== undefined && failing !== undefined && (isInFlight(latest) || latest.failed)) {
    for (let index = 0; index < latest.circuitBreaker.failureCount; index++)
      tasks.push({
        id: taskId(latest.target.arn, 10_000 + index),
        index: 10_000 + index,
        ofRunning: 0,
        service,
        revision: latest.target,
        lastStatus: 'STOPPED',
        stoppedReason: failing.reason,
        exitCode: failing.exitCode,
      });
  }
  return tasks;
}

/**
 * DescribeTasks' shape for one task. `imageDigest` is what the image resolved to when the task's
 * revision was created (pinned images: their digest), except on the last running task of a
 * task definition given a drifted digest for that container (ImageDigests.drift).
 */
export function serializeTask(
  task: ServiceTask,
  identity: { region: string; account: string },
  clusterName: string,
  containers: ContainerDefinition[],
  digests: ImageDigests,
): Record<string, unknown> {
  const stopped = task.lastStatus === 'STOPPED';
  const digestOf = (container: ContainerDefinition): string => {
    const drifted = digests.driftOf(task.revision.taskDefinition, container.name ?? '');
    if (drifted !== undefined && !stopped && task.index === task.ofRunning - 1) return drifted;
    return digests.at(container.image ?? '', task.revision.createdAt);
  };
  return {
    taskArn: `arn:aws:ecs:${identity.region}:${identity.account}:task/${clusterName}/${task.id}`,
    clusterArn: task.service.clusterArn,
    taskDefinitionArn: task.revision.taskDefinition,
    group: `service:${task.service.name}`,
    startedBy: task.revision.ecsDeploymentId,
    lastStatus: task.lastStatus,
    desiredStatus: task.lastStatus,
    launchType: task.service.extra.launchType,
    ...(stopped ? { stoppedReason: task.stoppedReason, stopCode: 'TaskFailedToStart' } : {}),
    containers: containers.map((container) => ({
      name: container.name,
      image: container.image,
      imageDigest: digestOf(container),
      lastStatus: task.lastStatus,
      ...(stopped && container.essential !== false ? { exitCode: task.exitCode } : {}),
    })),
  };
}
