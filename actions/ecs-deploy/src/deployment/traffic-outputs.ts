import { DescribeServiceDeploymentsCommand, type Service, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import { resolveTrafficRoles } from '@ecs-ship/shared/traffic-roles';
import type { Deps } from '../deps.js';
import type { DeployReport } from '../report.js';

/**
 * The `canary-target-group` and `baseline-target-group` outputs: which target group serves the new
 * revision of the deployment this run started. ECS alternates the two groups on every deployment,
 * so this is read per deployment (the service's load balancer pair, the weight ECS requested for
 * the new revision, the production listener rule's weights), never assumed. When it cannot be told
 * (no weight reported yet, a rule mid-change, Service Connect, a read refused), the outputs stay
 * unset and the log says why: a guess would make the gate judge the old revision as the canary.
 */
export async function recordTrafficRoles(
  deps: Pick<Deps, 'ecs' | 'elbv2' | 'logger'>,
  service: Service,
  report: DeployReport,
  observed: ServiceDeployment | undefined,
): Promise<void> {
  const { logger } = deps;
  if (!deps.elbv2 || report.deploymentArn === undefined) return;
  if (!(service.loadBalancers ?? []).some((lb) => lb.advancedConfiguration?.alternateTargetGroupArn)) {
    logger.info(
      'canary-target-group and baseline-target-group are not set: the service has no load balancer with an alternate target group (Service Connect, or no load balancer).',
    );
    return;
  }
  try {
    const deployment =
      observed ??
      (
        await deps.ecs.send(
          new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [report.deploymentArn] }),
        )
      ).serviceDeployments?.[0];
    if (!deployment) {
      logger.info(
        'canary-target-group and baseline-target-group are not set: ECS does not describe the deployment yet.',
      );
      return;
    }
    const roles = await resolveTrafficRoles({ elbv2: deps.elbv2 }, { deployment, service });
    if (roles.kind !== 'known') {
      logger.info(`canary-target-group and baseline-target-group are not set: ${roles.reason}`);
      return;
    }
    report.trafficRoles = {
      canaryTargetGroupArn: roles.canaryTargetGroupArn,
      baselineTargetGroupArn: roles.baselineTargetGroupArn,
    };
    logger.info(`target groups: ${roles.evidence}`);
  } catch (error) {
    logger.warning(
      `canary-target-group and baseline-target-group are not set: could not read the production listener rule (${describeError(error)}); the role needs elasticloadbalancing:DescribeRules.`,
    );
  }
}
