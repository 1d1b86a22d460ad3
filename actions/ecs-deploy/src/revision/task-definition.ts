import type { RegisterTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { describeValue, isPlainObject, type PlainObject } from '@ecs-ship/shared/structure';

/** What RegisterTaskDefinition accepts, without tags (tagging needs ecs:TagResource; we never tag). */
export type RegistrableTaskDefinition = Omit<RegisterTaskDefinitionRequest, 'tags'> & {
  family: string;
  containerDefinitions: NonNullable<RegisterTaskDefinitionRequest['containerDefinitions']>;
};

export const REGISTRABLE_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const;

/** Fields `describe-task-definition` prints that RegisterTaskDefinition rejects. */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'deregisteredAt',
  'deleteRequestedAt',
  'registeredBy',
  'tags',
] as const;

/**
 * A parsed task-definition file, or the output of `aws ecs describe-task-definition` as it is
 * (the `taskDefinition` wrapper, `tags` beside it and read-only fields are dropped), as a request
 * RegisterTaskDefinition accepts. Unknown fields are refused rather than silently lost.
 */
export function toRegistrable(document: unknown, where: string): RegistrableTaskDefinition {
  let body = document;
  if (isPlainObject(body) && isPlainObject(body.taskDefinition)) body = body.taskDefinition;
  if (!isPlainObject(body))
    throw new ConfigurationError(`${where} must be a task definition (a map); got ${describeValue(body)}.`);
  const out: PlainObject = {};
  for (const [key, value] of Object.entries(body)) {
    if ((READ_ONLY_FIELDS as readonly string[]).includes(key)) continue;
    if (!(REGISTRABLE_FIELDS as readonly string[]).includes(key)) {
      throw new ConfigurationError(
        `${where}: unknown field "${key}"; a task definition has ${REGISTRABLE_FIELDS.join(', ')}.`,
      );
    }
    if (value !== null && value !== undefined) out[key] = value;
  }
  if (typeof out.family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(out.family)) {
    throw new ConfigurationError(
      `${where}: "family" must be a name of letters, digits, - and _; got ${describeValue(out.family)}.`,
    );
  }
  const containers = out.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new ConfigurationError(
      `${where}: "containerDefinitions" must be a non-empty list; got ${describeValue(containers)}.`,
    );
  }
  const names = new Set<string>();
  containers.forEach((container: unknown, index) => {
    const at = `${where}: containerDefinitions[${index}]`;
    if (!isPlainObject(container))
      throw new ConfigurationError(`${at} must be a map; got ${describeValue(container)}.`);
    if (typeof container.name !== 'string' || container.name === '') {
      throw new ConfigurationError(
        `${at}: "name" must be a non-empty string; got ${describeValue(container.name)}.`,
      );
    }
    if (names.has(container.name))
      throw new ConfigurationError(`${at}: container name "${container.name}" appears twice.`);
    names.add(container.name);
    if (typeof container.image !== 'string' || container.image === '') {
      throw new ConfigurationError(
        `${at}: "image" must be a non-empty string; got ${describeValue(container.image)}.`,
      );
    }
  });
  for (const field of ['cpu', 'memory'] as const) {
    if (typeof out[field] === 'number') out[field] = String(out[field]);
  }
  return out as RegistrableTaskDefinition;
}

/** The registrable part of a described revision. */
export function fromDescribed(taskDefinition: TaskDefinition): RegistrableTaskDefinition {
  const out: PlainObject = {};
  for (const field of REGISTRABLE_FIELDS) {
    const value = (taskDefinition as PlainObject)[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return toRegistrable(out, `task definition ${taskDefinition.taskDefinitionArn ?? ''}`.trim());
}

/**
 * A canonical form for comparing revisions: ECS fills in defaults and empty lists when it stores a
 * revision, and the order of environment variables and secrets means nothing to it.
 */
export function normalizeTaskDefinition(taskDefinition: RegistrableTaskDefinition): unknown {
  const copy = structuredClone(taskDefinition) as PlainObject;
  copy.containerDefinitions = taskDefinition.containerDefinitions.map((container) => {
    const c = structuredClone(container) as PlainObject;
    if (c.essential === undefined) c.essential = true;
    if (c.cpu === 0) delete c.cpu;
    for (const field of ['environment', 'secrets']) {
      const list = c[field];
      if (Array.isArray(list)) {
        c[field] = [...(list as Array<{ name?: string }>)].sort((a, b) =>
          (a.name ?? '').localeCompare(b.name ?? ''),
        );
      }
    }
    if (Array.isArray(c.portMappings)) {
      c.portMappings = (c.portMappings as PlainObject[]).map((mapping) => {
        const out: PlainObject = { protocol: 'tcp', ...mapping };
        if (taskDefinition.networkMode === 'awsvpc' && out.hostPort === undefined)
          out.hostPort = out.containerPort;
        return out;
      });
    }
    return c;
  });
  if (Array.isArray(copy.requiresCompatibilities))
    copy.requiresCompatibilities = [...(copy.requiresCompatibilities as string[])].sort();
  return canonical(copy);
}

export function sameTaskDefinition(a: RegistrableTaskDefinition, b: RegistrableTaskDefinition): boolean {
  return JSON.stringify(normalizeTaskDefinition(a)) === JSON.stringify(normalizeTaskDefinition(b));
}

/** Sorted keys; null, empty lists and empty maps dropped (ECS returns them for fields never set). */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (!isPlainObject(value)) return value;
  const out: PlainObject = {};
  for (const key of Object.keys(value).sort()) {
    const entry = canonical(value[key]);
    if (entry === null || entry === undefined) continue;
    if (Array.isArray(entry) && entry.length === 0) continue;
    if (isPlainObject(entry) && Object.keys(entry).length === 0) continue;
    out[key] = entry;
  }
  return out;
}

/** `family:revision` from a task definition ARN, for logs. */
export function shortTaskDefinition(arn: string | undefined): string {
  if (!arn) return '(none)';
  return arn.includes('/') ? arn.slice(arn.lastIndexOf('/') + 1) : arn;
}
