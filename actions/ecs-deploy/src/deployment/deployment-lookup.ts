import {
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
} from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import { poll } from '@ecs-ship/shared/poll';
import type { Deps } from '../deps.js';
import { shortTaskDefinition } from '../revision/task-definition.js';

/** Clocks differ between the runner and ECS; a deployment created this much before our call may still be ours. */
export const CLOCK_SKEW_MS = 60_000;
/**
 * ListServiceDeployments may lag UpdateService: a deployment not listed yet is looked for again
 * for this long before the service is followed instead. Errors are not retried here: the SDK has
 * retried throttling and 5xx already.
 */
export const LOOKUP_TIMING = { initialDelayMs: 3_000, maxDelayMs: 15_000, backoff: 2, windowMs: 60_000 };

export interface DeploymentQuery {
  cluster: string;
  service: string;
  /** The revision the deployment must deploy (its target service revision's task definition). */
  taskDefinitionArn: string;
  /** Our UpdateService's time: a deployment created before it (less the skew) is not ours. */
  since?: number;
  /** Only deployments in these states (e.g. the in-flight one a re-run attaches to). */
  status?: ServiceDeploymentStatus[];
  deadline: number;
}

/**
 * The service deployment that is ours: newest first, among those created since our UpdateService,
 * the one whose target revision runs `taskDefinitionArn` (ListServiceDeployments gives the target
 * service revision; DescribeServiceRevisions its task definition). Another run's deployment of the
 * same service, started just before or after ours, is never taken for it. Looked for again while
 * ECS catches up; undefined when it cannot be told (the caller then follows the service, as the
 * ServicesStable waiter does, which never mistakes another revision for ours).
 */
export async function findOurDeployment(
  deps: Pick<Deps, 'ecs' | 'logger' | 'clock' | 'signal' | 'random'>,
  query: DeploymentQuery,
): Promise<string | undefined> {
  const { logger, clock } = deps;
  const revisionsOf = new Map<string, string | undefined>();
  let unavailable = false;
  const result = await poll<string | undefined>(
    async () => {
      let briefs: ServiceDeploymentBrief[];
      try {
        briefs = await listSince(deps, query);
      } catch (error) {
        // The SDK has retried throttling and 5xx already; what is left will not pass in a minute.
        logger.warning(
          `Could not list service deployments (${describeError(error)}); following the service's deployments instead, as the ServicesStable waiter does.`,
        );
        unavailable = true;
        return { done: true, value: undefined };
      }
      const unknown = briefs
        .map((brief) => brief.targetServiceRevisionArn)
        .filter((arn): arn is string => arn !== undefined && !revisionsOf.has(arn));
      if (unknown.length > 0) {
        try {
          for (const [arn, taskDefinition] of await taskDefinitionsOf(deps, unknown))
            revisionsOf.set(arn, taskDefinition);
        } catch (error) {
          logger.warning(
            `Could not read the deployments' service revisions (${describeError(error)}); without their task definitions no deployment is taken for ours: following the service instead.`,
          );
          unavailable = true;
          return { done: true, value: undefined };
        }
      }
      const ours = briefs.find(
        (brief) =>
          brief.targetServiceRevisionArn !== undefined &&
          revisionsOf.get(brief.targetServiceRevisionArn) === query.taskDefinitionArn,
      );
      return { done: ours !== undefined, value: ours?.serviceDeploymentArn };
    },
    {
      clock,
      deadline: Math.min(query.deadline, clock.now() + LOOKUP_TIMING.windowMs),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...LOOKUP_TIMING,
    },
  );
  if (result.value === undefined && !unavailable) {
    logger.warning(
      `ECS lists no deployment of ${shortTaskDefinition(query.taskDefinitionArn)} for service ${query.service}` +
        `${query.since !== undefined ? ' since the update' : ''}; following the service's deployments instead.`,
    );
  }
  return result.value;
}

/** The service's deployments since `query.since` (all pages), newest first. */
async function listSince(deps: Pick<Deps, 'ecs'>, query: DeploymentQuery): Promise<ServiceDeploymentBrief[]> {
  const briefs: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: query.cluster,
        service: query.service,
        ...(query.status ? { status: query.status } : {}),
        ...(query.since !== undefined ? { createdAt: { after: new Date(query.since - CLOCK_SKEW_MS) } } : {}),
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    briefs.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken && briefs.length < 100);
  const since = query.since === undefined ? undefined : query.since - CLOCK_SKEW_MS;
  return briefs
    .filter((brief) => since === undefined || (brief.createdAt?.getTime() ?? Number.NaN) >= since)
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

/** Service revision ARN → its task definition, 20 per DescribeServiceRevisions call (the API's limit). */
export async function taskDefinitionsOf(
  deps: Pick<Deps, 'ecs'>,
  arns: string[],
): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  for (let at = 0; at < arns.length; at += 20) {
    const batch = arns.slice(at, at + 20);
    const response = await deps.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }));
    for (const revision of response.serviceRevisions ?? [])
      if (revision.serviceRevisionArn) found.set(revision.serviceRevisionArn, revision.taskDefinition);
  }
  // A revision ECS did not describe stays unknown (not in the map), so a later look asks again.
  return found;
}
