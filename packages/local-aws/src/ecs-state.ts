import { randomBytes } from 'node:crypto';
import type { Revision, ServiceDeploymentRecord, ServiceRecord } from './ecs-model.js';
import { ImageDigests } from './image-digests.js';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { RunTaskOutcomes, type OneOffTask } from './one-off-tasks.js';

/** Runs RunTask's tasks for real (real-tasks.ts): their end comes from completeOneOffTask. */
export interface RealOneOffTasks {
  launch(
    task: OneOffTask,
    containers: ContainerDefinition[],
    overrides: Array<Record<string, unknown>>,
  ): void;
  /** StopTask: the real task is stopped too (its record keeps StopTask's outcome). */
  stop(task: OneOffTask): void;
}

export interface EmulatorIdentity {
  region: string;
  account: string;
}

/** Task definitions whose tasks fail to start, and those whose tasks keep crashing once running. */
export interface TaskFaults {
  failing: Map<string, { since: number; reason: string; exitCode: number }>;
  crashLooping: Set<string>;
}

/**
 * Everything the emulator knows about ECS services and one-off tasks; moto keeps clusters and task
 * definitions.
 */
export class EcsState {
  readonly services = new Map<string, ServiceRecord>();
  readonly deployments = new Map<string, ServiceDeploymentRecord>();
  readonly revisions = new Map<string, Revision & { serviceArn: string; clusterArn: string }>();
  readonly taskFaults: TaskFaults = { failing: new Map(), crashLooping: new Set() };
  readonly imageDigests = new ImageDigests();
  /** RunTask's tasks by id. */
  readonly oneOffTasks = new Map<string, OneOffTask>();
  readonly runTaskOutcomes = new RunTaskOutcomes();
  /** Set by startRealTasks: RunTask's tasks then run as containers or processes. */
  realOneOffTasks?: RealOneOffTasks;

  constructor(readonly identity: EmulatorIdentity) {}

  serviceArn(clusterName: string, serviceName: string): string {
    return `arn:aws:ecs:${this.identity.region}:${this.identity.account}:service/${clusterName}/${serviceName}`;
  }

  newDeploymentArn(clusterName: string, serviceName: string): string {
    return `arn:aws:ecs:${this.identity.region}:${this.identity.account}:service-deployment/${clusterName}/${serviceName}/${randomId()}`;
  }

  newRevision(service: ServiceRecord, taskDefinition: string, at: number, targetGroupArn?: string): Revision {
    const arn = `arn:aws:ecs:${this.identity.region}:${this.identity.account}:service-revision/${service.clusterName}/${service.name}/${randomDigits(19)}`;
    const revision: Revision = {
      arn,
      taskDefinition,
      createdAt: at,
      targetGroupArn,
      ecsDeploymentId: newEcsDeploymentId(),
    };
    this.revisions.set(arn, { ...revision, serviceArn: service.arn, clusterArn: service.clusterArn });
    return revision;
  }

  /** A service by the name or ARN the caller gave, in the cluster given (name or ARN). */
  findService(clusterName: string, service: string): ServiceRecord | undefined {
    const name = service.startsWith('arn:') ? (service.split('/').pop() ?? service) : service;
    return this.services.get(this.serviceArn(clusterName, name));
  }
}

export function randomId(): string {
  return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
}

export function randomDigits(length: number): string {
  let digits = '';
  while (digits.length < length) digits += String(randomBytes(4).readUInt32BE(0));
  return digits.slice(0, length);
}

/** A pause's id; ECS's look like `ecs-pause-<43 url-safe characters>` (pause hooks guide). */
export function newHookId(): string {
  return `ecs-pause-${randomBytes(32).toString('base64url')}`;
}

export function newEcsDeploymentId(): string {
  return `ecs-svc/${randomDigits(19)}`;
}
