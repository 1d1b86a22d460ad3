import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import type { Observation } from './progress-log.js';
import type { Deps } from '../deps.js';

/**
 * AWS's own account of why a deployment failed: the deployment's status and rollback reasons,
 * triggered alarms, circuit-breaker counts, the service's last events, and why the new revision's
 * tasks stopped (stoppedReason, each container's exit code and reason).
 */
export async function gatherFailureReasons(
  deps: Pick<Deps, 'ecs' | 'logger'>,
  target: { cluster: string; service?: string; taskDefinitionArn: string },
  last: Observation | undefined,
): Promise<string[]> {
  const reasons: string[] = [];
  const d = last?.deployment;
  if (d?.statusReason) reasons.push(`Deployment: ${d.statusReason}`);
  if (d?.rollback?.reason) reasons.push(`Rollback: ${d.rollback.reason}`);
  if (d?.alarms?.triggeredAlarmNames?.length)
    reasons.push(`Alarms in ALARM: ${d.alarms.triggeredAlarmNames.join(', ')}`);
  if (d?.deploymentCircuitBreaker?.status === 'TRIGGERED') {
    reasons.push(
      `Circuit breaker: ${d.deploymentCircuitBreaker.failureCount ?? '?'} task(s) failed to start (threshold ${d.deploymentCircuitBreaker.threshold ?? '?'})`,
    );
  }
  const primary = last?.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (!d && primary?.rolloutStateReason) reasons.push(`Deployment: ${primary.rolloutStateReason}`);
  if (target.service === undefined) return reasons;
  try {
    let events = last?.service?.events;
    if (!events) {
      const response = await deps.ecs.send(
        new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
      );
      events = response.services?.[0]?.events;
    }
    for (const event of (events ?? []).slice(0, 5))
      reasons.push(`Event ${event.createdAt?.toISOString() ?? ''}: ${event.message ?? ''}`.trim());
    for (const task of await stoppedTasks(deps, target)) reasons.push(describeStoppedTask(task));
  } catch (error) {
    deps.logger.warning(`Could not read the service's events and stopped tasks: ${describeError(error)}`);
  }
  return reasons;
}

async function stoppedTasks(
  deps: Pick<Deps, 'ecs'>,
  target: { cluster: string; service?: string; taskDefinitionArn: string },
): Promise<Task[]> {
  const listed = await deps.ecs.send(
    new ListTasksCommand({
      cluster: target.cluster,
      serviceName: target.service,
      desiredStatus: 'STOPPED',
      maxResults: 20,
    }),
  );
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await deps.ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: arns }));
  return (described.tasks ?? [])
    .filter((task) => task.taskDefinitionArn === target.taskDefinitionArn)
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, 3);
}

export function describeStoppedTask(task: Task): string {
  const id = task.taskArn?.slice(task.taskArn.lastIndexOf('/') + 1) ?? '?';
  const containers = (task.containers ?? [])
    .map((container) => {
      const exit = container.exitCode !== undefined ? `exit code ${container.exitCode}` : 'no exit code';
      return `${container.name ?? '?'} ${exit}${container.reason ? ` (${container.reason})` : ''}`;
    })
    .join('; ');
  return `Task ${id} stopped${task.stopCode ? ` [${task.stopCode}]` : ''}: ${task.stoppedReason ?? 'no reason given'}${containers ? ` — ${containers}` : ''}`;
}
