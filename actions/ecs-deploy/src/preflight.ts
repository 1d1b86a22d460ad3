import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { DeployInputs, Strategy } from './inputs.js';
import { fromDescribed, toRegistrable, type RegistrableTaskDefinition } from './revision/task-definition.js';

export interface Preflight {
  clusterArn: string;
  service?: Service;
  /** The revision the service runs now (service mode). */
  previousTaskDefinitionArn?: string;
  /** What to render from. */
  base: RegistrableTaskDefinition;
  /** Set when `base` is an existing revision (task-definition-arn, or the current one). */
  baseArn?: string;
  /** Set when `base` is a file given to us: how messages name it. */
  file?: string;
}

/**
 * Every read the action needs before it may change anything: the cluster and service exist and are
 * active, the service can do the strategy, and the task definition to start from is loaded. Each
 * error names the input, what was expected, what was found and what to configure.
 */
export async function preflight(ecs: ECSClient, inputs: DeployInputs): Promise<Preflight> {
  // With a service, DescribeServices alone tells whether the cluster exists (one call fewer).
  let clusterArn = inputs.cluster;
  if (inputs.service === undefined) {
    const clusters = await ecs.send(new DescribeClustersCommand({ clusters: [inputs.cluster] }));
    const cluster = clusters.clusters?.[0];
    if (!cluster || cluster.status !== 'ACTIVE') throw missingCluster(inputs.cluster, cluster?.status);
    clusterArn = cluster.clusterArn ?? inputs.cluster;
  }

  let service: Service | undefined;
  if (inputs.service !== undefined) {
    let services;
    try {
      services = await ecs.send(
        new DescribeServicesCommand({ cluster: inputs.cluster, services: [inputs.service] }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ClusterNotFoundException')
        throw missingCluster(inputs.cluster, undefined);
      throw error;
    }
    service = services.services?.[0];
    if (!service || service.status !== 'ACTIVE') {
      throw new ConfigurationError(
        `Input "service": expected an ACTIVE service "${inputs.service}" in cluster "${inputs.cluster}"; ` +
          (service
            ? `it is ${service.status}.`
            : 'there is none. Create it first (this action updates services, it does not create them).'),
      );
    }
    if (inputs.mode === 'service') checkStrategy(service, inputs.strategy, inputs.alarms.length > 0);
  }

  const { base, baseArn } = await loadBase(ecs, inputs, service);
  return {
    clusterArn: service?.clusterArn ?? clusterArn,
    ...(service ? { service } : {}),
    ...(service?.taskDefinition ? { previousTaskDefinitionArn: service.taskDefinition } : {}),
    base,
    ...(baseArn ? { baseArn } : {}),
    ...(inputs.source.kind === 'file' ? { file: fileLabel(inputs.source.path) } : {}),
  };
}

/** How messages name a task-definition file (toRegistrable's errors name it the same way). */
export function fileLabel(path: string): string {
  return `Input "task-definition" (file ${path})`;
}

function missingCluster(name: string, status: string | undefined): ConfigurationError {
  return new ConfigurationError(
    `Input "cluster": expected an ACTIVE ECS cluster named "${name}" in this account and region; ` +
      (status
        ? `it is ${status}.`
        : 'there is none. Check the name, the "region" input and the credentials\' account.'),
  );
}

/** Throws when the service cannot do `strategy`; exported for table tests. */
export function checkStrategy(service: Service, strategy: Strategy, alarms: boolean): void {
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS') {
    throw new ConfigurationError(
      `Service "${service.serviceName}" uses the ${controller} deployment controller; this action deploys through the ECS ` +
        `deployment controller (needed for "strategy" ${strategy}${alarms ? ' and "alarms"' : ''}). ` +
        (controller === 'CODE_DEPLOY'
          ? 'Migrate the service: UpdateService with deploymentController {type: ECS} and a native blue/green configuration.'
          : 'EXTERNAL services are deployed through task sets, which this action does not manage.'),
    );
  }
  if (strategy === 'rolling') return;
  // Traffic shifts through a load balancer's listener rules, or through Service Connect's proxies.
  // DescribeServices reports Service Connect per deployment: the primary one's is the service's now.
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (primary?.serviceConnectConfiguration?.enabled === true) return;
  const balancers = service.loadBalancers ?? [];
  const ready = balancers.find(
    (balancer) =>
      balancer.advancedConfiguration?.alternateTargetGroupArn &&
      balancer.advancedConfiguration.productionListenerRule &&
      balancer.advancedConfiguration.roleArn,
  );
  if (!ready) {
    const given =
      balancers.length === 0
        ? 'the service has no load balancer and no Service Connect'
        : `its load balancer${balancers.length > 1 ? 's have' : ' has'} no advancedConfiguration with alternateTargetGroupArn, productionListenerRule and roleArn`;
    throw new ConfigurationError(
      `Input "strategy: ${strategy}" needs a service whose load balancer has an advancedConfiguration ` +
        `(alternateTargetGroupArn, productionListenerRule, optionally testListenerRule, and roleArn: the ECS infrastructure role that may modify the listener), ` +
        `or Service Connect (serviceConnectConfiguration enabled); ${given}. Configure one on service "${service.serviceName}" ` +
        '(UpdateService loadBalancers[].advancedConfiguration, or serviceConnectConfiguration), or use "strategy: rolling".',
    );
  }
}

async function loadBase(
  ecs: ECSClient,
  inputs: DeployInputs,
  service: Service | undefined,
): Promise<{ base: RegistrableTaskDefinition; baseArn?: string }> {
  const source = inputs.source;
  if (source.kind === 'file') return { base: toRegistrable(source.document, fileLabel(source.path)) };
  const reference = source.kind === 'arn' ? source.arn : service?.taskDefinition;
  const input = source.kind === 'arn' ? 'task-definition-arn' : 'service';
  if (!reference)
    throw new ConfigurationError(
      `Input "service": service "${inputs.service}" has no task definition to start from; give "task-definition".`,
    );
  let taskDefinition: TaskDefinition | undefined;
  try {
    taskDefinition = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference })))
      .taskDefinition;
  } catch (error) {
    if (error instanceof Error && /ClientException|InvalidParameter/.test(error.name)) {
      throw new ConfigurationError(
        `Input "${input}": task definition "${reference}" was not found (${error.message}).`,
      );
    }
    throw error;
  }
  if (!taskDefinition)
    throw new ConfigurationError(`Input "${input}": task definition "${reference}" was not found.`);
  if (taskDefinition.status !== undefined && taskDefinition.status !== 'ACTIVE') {
    throw new ConfigurationError(
      `Input "${input}": task definition "${reference}" is ${taskDefinition.status}; ECS runs only ACTIVE revisions. Register it again or choose another revision.`,
    );
  }
  return {
    base: fromDescribed(taskDefinition),
    ...(taskDefinition.taskDefinitionArn ? { baseArn: taskDefinition.taskDefinitionArn } : {}),
  };
}
