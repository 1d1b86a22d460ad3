import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ECSClient,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isTransientAwsError } from '@ecs-ship/shared/aws-clients';
import type { Clock } from '@ecs-ship/shared/clock';
import { ConfigurationError, describeError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';
import { resolveTrafficRoles, type TrafficRolesResult } from '@ecs-ship/shared/traffic-roles';

export type DeploymentTarget = { serviceDeploymentArn: string } | { cluster: string; service: string };

/** What the gate needs to know about the ECS deployment it judges. */
export interface DeploymentView {
  arn: string;
  status: string;
  stage?: string;
  /** PAUSE hooks waiting for a decision. */
  awaitingHookIds: string[];
  /** When each waiting hook gives up, and what ECS then does. */
  awaitingHooks: Array<{ hookId: string; expiresAt?: Date; timeoutAction?: string }>;
  /** Share of production traffic requested for the new revision, when ECS reports it. */
  canaryWeight?: number;
  statusReason?: string;
  clusterArn?: string;
  serviceArn?: string;
  /** The deployment as ECS described it, for reading the traffic roles. */
  deployment: ServiceDeployment;
  /** ROLLING, CANARY, LINEAR or BLUE_GREEN. */
  strategy?: string;
  finished: boolean;
}

const ACTIVE = new Set(['PENDING', 'IN_PROGRESS']);

export function viewOf(deployment: ServiceDeployment): DeploymentView {
  // Only PAUSE hooks: a Lambda hook answers for itself.
  const awaitingHooks = (deployment.lifecycleHookDetails ?? [])
    .filter(
      (hook) => hook.status === 'AWAITING_ACTION' && hook.hookId && (hook.targetType ?? 'PAUSE') === 'PAUSE',
    )
    .map((hook) => ({
      hookId: hook.hookId as string,
      ...(hook.expiresAt ? { expiresAt: new Date(hook.expiresAt) } : {}),
      ...(hook.timeoutAction ? { timeoutAction: hook.timeoutAction } : {}),
    }));
  const weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
  const strategy = deployment.deploymentConfiguration?.strategy;
  return {
    arn: deployment.serviceDeploymentArn ?? '',
    status: deployment.status ?? 'UNKNOWN',
    ...(deployment.lifecycleStage ? { stage: deployment.lifecycleStage } : {}),
    awaitingHookIds: awaitingHooks.map((hook) => hook.hookId),
    awaitingHooks,
    // Only a real number is a weight: absent, null or NaN is unknown, never zero.
    ...(typeof weight === 'number' && Number.isFinite(weight) ? { canaryWeight: weight } : {}),
    ...(strategy ? { strategy } : {}),
    ...(deployment.statusReason ? { statusReason: deployment.statusReason } : {}),
    ...(deployment.clusterArn ? { clusterArn: deployment.clusterArn } : {}),
    ...(deployment.serviceArn ? { serviceArn: deployment.serviceArn } : {}),
    deployment,
    finished: !ACTIVE.has(deployment.status ?? ''),
  };
}

/**
 * Continues or rolls back the ECS deployment the gate judges. Every call names the deployment by ARN,
 * so the gate can never act on a newer deployment that replaced the one it measured.
 */
export class DeploymentControl {
  readonly actions: string[] = [];
  /** Hooks ECS confirmed as answered: only these are never sent again. */
  private readonly answeredHooks = new Set<string>();
  private constructor(
    private readonly ecs: ECSClient,
    private readonly logger: Logger,
    readonly arn: string,
    private readonly clock?: Clock,
  ) {}

  /** Finds the deployment and checks it is still running: before the gate reads any metric. */
  static async attach(
    ecs: ECSClient,
    logger: Logger,
    target: DeploymentTarget,
    clock?: Clock,
  ): Promise<DeploymentControl> {
    const arn =
      'serviceDeploymentArn' in target
        ? target.serviceDeploymentArn
        : await findActive(ecs, target.cluster, target.service);
    const control = new DeploymentControl(ecs, logger, arn, clock);
    const view = await control.describe();
    if (view.finished) {
      throw new ConfigurationError(
        `The service deployment ${arn} is ${view.status}: there is nothing left to gate. Run the gate while the deployment is in progress.`,
      );
    }
    return control;
  }

  /** For the post step: the deployment saved by the main step, without re-checking inputs. */
  static forArn(ecs: ECSClient, logger: Logger, arn: string, clock?: Clock): DeploymentControl {
    return new DeploymentControl(ecs, logger, arn, clock);
  }

  async describe(): Promise<DeploymentView> {
    const response = await this.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [this.arn] }),
    );
    const deployment = response.serviceDeployments?.[0];
    if (!deployment) {
      const failure = response.failures?.[0];
      throw new ConfigurationError(
        `Input "service-deployment-arn": ECS does not know ${this.arn}${failure?.reason ? ` (${failure.reason})` : ''}.`,
      );
    }
    return viewOf(deployment);
  }

  /**
   * Which target group holds this deployment's new revision, from the service's load balancer
   * configuration and the production listener rule (see @ecs-ship/shared/traffic-roles).
   */
  async trafficRoles(
    elbv2: ElasticLoadBalancingV2Client,
    view: DeploymentView,
    expected?: { canaryTargetGroup?: string; baselineTargetGroup?: string },
  ): Promise<TrafficRolesResult> {
    if (!view.clusterArn || !view.serviceArn) {
      return { kind: 'unknown', reason: `ECS does not report the cluster and service of ${this.arn}.` };
    }
    const response = await this.ecs.send(
      new DescribeServicesCommand({ cluster: view.clusterArn, services: [view.serviceArn] }),
    );
    const service = response.services?.[0];
    if (!service) return { kind: 'unknown', reason: `DescribeServices does not return ${view.serviceArn}.` };
    return resolveTrafficRoles(
      { elbv2 },
      { deployment: view.deployment, service, ...(expected ? { expected } : {}) },
    );
  }

  /**
   * Whether a STOPPED deployment was replaced by a newer one: the service's current deployment is
   * another, or ECS says so in statusReason. Such a deployment was neither promoted nor rolled back.
   */
  async supersededBy(view: DeploymentView): Promise<string | undefined> {
    if (view.status !== 'STOPPED') return undefined;
    if (view.statusReason && /supersed|newer deployment|replaced/i.test(view.statusReason)) {
      return view.statusReason;
    }
    if (!view.clusterArn || !view.serviceArn) return undefined;
    try {
      const response = await this.ecs.send(
        new DescribeServicesCommand({ cluster: view.clusterArn, services: [view.serviceArn] }),
      );
      const current = response.services?.[0]?.currentServiceDeployment;
      return current && current !== this.arn
        ? `the service's current deployment is now ${current}`
        : undefined;
    } catch (error) {
      this.logger.warning(
        `Could not read the service to tell why ECS stopped ${this.arn}: ${describeError(error)}`,
      );
      return undefined;
    }
  }

  /**
   * A canary or linear deployment also pauses before its first shift, when the new revision has no
   * production traffic yet: there is nothing to judge, so that pause is continued at once. (A
   * blue/green deployment's single pause is the gate itself: it is never continued here.) An
   * unknown weight is never taken for that zero.
   */
  async continueFirstPause(view: DeploymentView): Promise<boolean> {
    const progressive = view.strategy === 'CANARY' || view.strategy === 'LINEAR';
    if (!progressive || view.canaryWeight !== 0 || view.awaitingHookIds.length === 0) return false;
    this.logger.info(
      'The deployment paused before any production traffic reached the new revision; continuing so the canary takes traffic.',
    );
    await this.continuePauses(view);
    return true;
  }

  /** Hooks still waiting that ECS has not confirmed an answer to. */
  unanswered(view: DeploymentView): string[] {
    return view.awaitingHookIds.filter((hookId) => !this.answeredHooks.has(hookId));
  }

  /**
   * Lets every waiting pause proceed to the next traffic shift. A hook counts as answered only once
   * ECS accepted the answer (or says it was already answered); after a transient failure it is sent
   * again at the next poll. Other errors are thrown.
   */
  async continuePauses(view: DeploymentView): Promise<number> {
    let continued = 0;
    for (const hookId of this.unanswered(view)) {
      try {
        await this.ecs.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: this.arn,
            hookId,
            action: 'CONTINUE',
          }),
        );
      } catch (error) {
        if (alreadyAnswered(error)) {
          this.answeredHooks.add(hookId);
          this.logger.info(`ECS says hook ${hookId} was already answered.`);
          continue;
        }
        if (isTransientAwsError(error)) {
          this.logger.warning(
            `Continuing hook ${hookId} failed (${describeError(error)}); it is sent again at the next poll.`,
          );
          continue;
        }
        throw error;
      }
      this.answeredHooks.add(hookId);
      this.actions.push(`ContinueServiceDeployment CONTINUE (hook ${hookId})`);
      this.logger.info(
        `Continued the deployment at hook ${hookId}${view.canaryWeight !== undefined ? ` (new revision at ${view.canaryWeight}% of production traffic)` : ''}.`,
      );
      continued += 1;
    }
    return continued;
  }

  /**
   * Rolls back from the deployment's state right now: at a waiting pause, the hook's ROLLBACK
   * answer; otherwise, or when the hook has moved on meanwhile, StopServiceDeployment ROLLBACK.
   * Either way ECS shifts traffic back to the previous revision. Transient failures of either call
   * are retried (a rollback left unsent leaves production split until the hook times out).
   */
  async rollback(reason: string): Promise<DeploymentView> {
    const view = await this.withRetries('DescribeServiceDeployments', () => this.describe());
    if (view.finished) {
      this.logger.warning(`Not rolling back ${this.arn}: ECS already ended it as ${view.status}. ${reason}`);
      return view;
    }
    this.logger.warning(`Rolling back ${this.arn}: ${reason}`);
    const hookId = this.unanswered(view)[0];
    if (hookId) {
      try {
        await this.withRetries('ContinueServiceDeployment ROLLBACK', () =>
          this.ecs.send(
            new ContinueServiceDeploymentCommand({
              serviceDeploymentArn: this.arn,
              hookId,
              action: 'ROLLBACK',
            }),
          ),
        );
        this.answeredHooks.add(hookId);
        this.actions.push(`ContinueServiceDeployment ROLLBACK (hook ${hookId})`);
        return view;
      } catch (error) {
        this.logger.warning(
          `The pause ${hookId} no longer takes an answer (${describeError(error)}); stopping the deployment instead.`,
        );
      }
    }
    await this.withRetries('StopServiceDeployment ROLLBACK', () =>
      this.ecs.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: this.arn, stopType: 'ROLLBACK' }),
      ),
    );
    this.actions.push('StopServiceDeployment ROLLBACK');
    return view;
  }

  private async withRetries<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isTransientAwsError(error) || attempt >= ROLLBACK_ATTEMPTS) throw error;
        const waitMs = Math.min(30_000, 1000 * 2 ** attempt);
        this.logger.warning(`${what} failed (${describeError(error)}); retrying in ${waitMs / 1000}s.`);
        if (this.clock) await this.clock.sleep(waitMs);
        else await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}

/** Attempts at each rollback call before giving up (about a minute of backoff in all). */
const ROLLBACK_ATTEMPTS = 6;

/** ECS refuses an answer to a hook that already has one with InvalidParameterException. */
export function alreadyAnswered(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'InvalidParameterException' || error.name === 'ClientException') &&
    /already|no longer (awaiting|waiting)|not (in )?awaiting/i.test(error.message)
  );
}

async function findActive(ecs: ECSClient, cluster: string, service: string): Promise<string> {
  const response = await ecs.send(
    new ListServiceDeploymentsCommand({
      cluster,
      service,
      status: ['IN_PROGRESS', 'PENDING'],
      maxResults: 10,
    }),
  );
  const newest = [...(response.serviceDeployments ?? [])].sort(
    (a, b) => new Date(b.createdAt ?? 0).getTime() - new Date(a.createdAt ?? 0).getTime(),
  )[0];
  if (!newest?.serviceDeploymentArn) {
    throw new ConfigurationError(
      `Service "${service}" in cluster "${cluster}" has no deployment in progress: start one with ecs-deploy (wait: gate) before the gate, or pass "service-deployment-arn".`,
    );
  }
  return newest.serviceDeploymentArn;
}
