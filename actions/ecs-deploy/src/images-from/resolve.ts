import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';
import { shortTaskDefinition } from '../revision/task-definition.js';
import { describeImagesFrom, type ImagesFrom } from './spec.js';

export interface ResolvedContainer {
  container: string;
  /** `<repository>@<digest>`: what the source runs, pinned. */
  uri: string;
  digest: string;
  /** RUNNING tasks of the source's revision that report this digest (all of them). */
  runningTasks: number;
  /** The source's task definition pins this digest itself; the tasks agree with it. */
  pinned: boolean;
}

export interface ResolvedImages {
  from: ImagesFrom;
  /** The region the source was read in. */
  region: string;
  taskDefinitionArn: string;
  containers: ResolvedContainer[];
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PINNED = /@(sha256:[a-f0-9]{64})$/;

/**
 * What the source service actually runs, container by container, as `repository@digest`. Read
 * from ECS, never inferred from a tag: the primary deployment's task definition (a source that is
 * mid-deploy, or not steady, is refused: its images are about to change), then the image digest
 * each RUNNING task of that revision reports (DescribeTasks containers[].imageDigest; ECS resolves
 * a tag to a digest per deployment). Every task must report one, and all must agree, else the
 * resolution is refused: a tag is never taken instead. A container already pinned by digest in the
 * task definition keeps its pin. Reads only; `ecs` holds the source's credentials and region.
 */
export async function resolveImagesFrom(
  deps: { ecs: ECSClient; logger: Logger },
  from: ImagesFrom,
  region: string,
): Promise<ResolvedImages> {
  const { ecs, logger } = deps;
  const source = describeImagesFrom({ cluster: from.cluster, service: from.service });
  const refuse = (why: string): never => {
    throw new ConfigurationError(`Input "images-from": ${why}`);
  };

  let service;
  try {
    service = (
      await ecs.send(new DescribeServicesCommand({ cluster: from.cluster, services: [from.service] }))
    ).services?.[0];
  } catch (error) {
    if (error instanceof Error && error.name === 'ClusterNotFoundException')
      refuse(
        `cluster "${from.cluster}" does not exist in region ${region}${from.roleArn ? ` of the account of ${from.roleArn}` : ''}.`,
      );
    throw error;
  }
  if (!service || service.status !== 'ACTIVE')
    refuse(
      `expected an ACTIVE service "${from.service}" in cluster "${from.cluster}" (region ${region}); ${service ? `it is ${service.status}` : 'there is none'}.`,
    );
  const deployments = service?.deployments ?? [];
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (deployments.length !== 1 || !primary) {
    refuse(
      `the source ${source} is mid-deploy (${deployments.length} deployments in flight: ${deployments.map((d) => `${d.status ?? '?'} ${shortTaskDefinition(d.taskDefinition)}`).join(', ') || 'none reported'}), ` +
        'so what it runs is about to change. Promote once its deployment has finished.',
    );
  }
  // rolloutState is not reported for every service (Classic Load Balancer ones): then the counts tell, as for the waiter.
  const rollout = primary?.rolloutState ?? 'COMPLETED';
  if (rollout !== 'COMPLETED' || primary?.runningCount !== primary?.desiredCount) {
    refuse(
      `the source ${source} is not steady (rollout ${primary?.rolloutState ?? 'not reported'}, ${primary?.runningCount ?? '?'} of ${primary?.desiredCount ?? '?'} tasks running), ` +
        'so its tasks may not all run what it is meant to. Promote once it is steady.',
    );
  }
  const taskDefinitionArn = primary?.taskDefinition ?? service?.taskDefinition;
  if (!taskDefinitionArn) return refuse(`DescribeServices reported no task definition for ${source}.`);

  const definition = (
    await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))
  ).taskDefinition;
  const images = new Map(
    (definition?.containerDefinitions ?? []).map((container) => [
      container.name ?? '',
      container.image ?? '',
    ]),
  );
  const names = from.containers ?? [...images.keys()];
  const unknown = names.filter((name) => !images.has(name));
  if (unknown.length > 0)
    refuse(
      `${unknown.map((name) => `"${name}"`).join(', ')} ${unknown.length > 1 ? 'are not containers' : 'is not a container'} of ${shortTaskDefinition(taskDefinitionArn)}, which ${source} runs; its containers are ${[...images.keys()].map((name) => `"${name}"`).join(', ')}.`,
    );

  const tasks = (await runningTasks(ecs, from)).filter(
    (task) => task.taskDefinitionArn === taskDefinitionArn && task.lastStatus === 'RUNNING',
  );
  if (tasks.length === 0)
    refuse(
      `no RUNNING task of ${shortTaskDefinition(taskDefinitionArn)} in ${source}: image digests are read from running tasks, never guessed from a tag.`,
    );

  const containers = names.map((container): ResolvedContainer => {
    const image = images.get(container) ?? '';
    const pin = PINNED.exec(image)?.[1];
    const reported = tasks.map((task) => ({
      task: taskId(task),
      digest: task.containers?.find((candidate) => candidate.name === container)?.imageDigest,
    }));
    const missing = reported.filter((entry) => entry.digest === undefined);
    if (missing.length > 0 && pin === undefined)
      refuse(
        `task ${missing[0]?.task ?? '?'} of ${source} reports no image digest for container "${container}" (${missing.length} of ${tasks.length} tasks), ` +
          'so what it runs cannot be told; a tag is never used instead. Look again once ECS reports it (the task may still be starting).',
      );
    const counts = new Map<string, number>();
    for (const { digest } of reported)
      if (digest !== undefined) counts.set(digest, (counts.get(digest) ?? 0) + 1);
    if (pin !== undefined) counts.set(pin, counts.get(pin) ?? 0);
    if (counts.size > 1)
      refuse(
        `the RUNNING tasks of ${source} run different images for container "${container}" (${[...counts].map(([digest, count]) => `${digest}: ${count} task(s)`).join(', ')}${pin ? `; the task definition pins ${pin}` : ''}), ` +
          'so there is no one image to promote (a tag that moved while tasks were replaced, with versionConsistency disabled?). Redeploy the source so that its tasks agree.',
      );
    const digest = pin ?? [...counts.keys()][0] ?? '';
    if (!DIGEST.test(digest))
      refuse(
        `container "${container}" of ${source} reports the image digest ${JSON.stringify(digest)}, which is not sha256:<64 hex digits>.`,
      );
    return {
      container,
      uri: `${repositoryOf(image)}@${digest}`,
      digest,
      runningTasks: tasks.length,
      pinned: pin !== undefined,
    };
  });
  logger.info(
    `images-from ${describeImagesFrom(from)} (${region}): ${shortTaskDefinition(taskDefinitionArn)}, ${tasks.length} running task(s): ` +
      containers.map((c) => `${c.container}=${c.uri}`).join(', '),
  );
  return { from, region, taskDefinitionArn, containers };
}

/**
 * The image without its tag or digest: `host:5000/team/app:1.2@sha256:…` → `host:5000/team/app`.
 * A colon counts as the tag's only in the last path segment (the first may be host:port).
 */
export function repositoryOf(image: string): string {
  const withoutDigest = image.includes('@') ? image.slice(0, image.indexOf('@')) : image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', slash + 1);
  return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Every RUNNING task of the service (all pages), described 100 at a time (DescribeTasks' limit). */
async function runningTasks(ecs: ECSClient, from: ImagesFrom): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTasksCommand({
        cluster: from.cluster,
        serviceName: from.service,
        desiredStatus: 'RUNNING',
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const tasks: Task[] = [];
  for (let at = 0; at < arns.length; at += 100) {
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: from.cluster, tasks: arns.slice(at, at + 100) }),
    );
    tasks.push(...(described.tasks ?? []));
  }
  return tasks;
}

function taskId(task: Task): string {
  return task.taskArn?.slice(task.taskArn.lastIndexOf('/') + 1) ?? '?';
}
