import { createHash } from 'node:crypto';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { Revision, ServiceRecord } from './ecs-model.js';
import { isInFlight } from './ecs-model.js';
import type { EcsState } from './ecs-state.js';
import { serviceDeploymentsView } from './ecs-serialize.js';

/** A service task as the emulator derives it: tasks exist only as counts of the model. */
export interface ServiceTask {
  id: string;
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
        service,
        revision: latest.target,
        lastStatus: 'STOPPED',
        stoppedReason: failing.reason,
        exitCode: failing.exitCode,
      });
  }
  return tasks;
}

/** DescribeTasks' shape for one task; imageDigest only when the image is pinned by digest. */
export function serializeTask(
  task: ServiceTask,
  identity: { region: string; account: string },
  clusterName: string,
  containers: ContainerDefinition[],
): Record<string, unknown> {
  const stopped = task.lastStatus === 'STOPPED';
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
      imageDigest: /@(sha256:[a-f0-9]{64})$/.exec(container.image ?? '')?.[1],
      lastStatus: task.lastStatus,
      ...(stopped && container.essential !== false ? { exitCode: task.exitCode } : {}),
    })),
  };
}
