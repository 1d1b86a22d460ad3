import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isTransientAwsError } from '@ecs-ship/shared/aws-clients';
import type { Clock } from '@ecs-ship/shared/clock';
import { formatDuration } from '@ecs-ship/shared/duration';
import { describeError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';
import type { TrafficRoles } from '@ecs-ship/shared/traffic-roles';
import type { DeploymentControl } from './deployment-control.js';

export type RolesWaitResult =
  | { kind: 'known'; roles: TrafficRoles }
  | { kind: 'refused'; rule: 'wrong-revision' | 'unknown-revision' | 'cancelled'; reason: string };

export interface RolesWaitOptions {
  expected?: { canaryTargetGroup?: string; baselineTargetGroup?: string };
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  /** How long unknown roles are read again before the gate fails closed. */
  limitMs: number;
  intervalMs: number;
}

/**
 * Reads which target group holds the deployment's new revision, again at each poll while ECS or
 * the listener rule cannot tell yet (no weight reported, a rule mid-change), for at most `limitMs`.
 * Inputs that contradict ECS are refused at once: judging the old revision as the canary would
 * promote a regression.
 */
export async function awaitTrafficRoles(
  control: DeploymentControl,
  elbv2: ElasticLoadBalancingV2Client,
  options: RolesWaitOptions,
): Promise<RolesWaitResult> {
  const { clock, logger } = options;
  const startedAt = clock.now();
  let lastReason: string;
  for (;;) {
    try {
      const view = await control.describe();
      if (view.finished) {
        return {
          kind: 'refused',
          rule: 'unknown-revision',
          reason: `ECS ended the deployment as ${view.status} before the gate could tell which target group holds the new revision.`,
        };
      }
      const roles = await control.trafficRoles(elbv2, view, options.expected);
      if (roles.kind === 'known') {
        logger.info(`Traffic roles: ${roles.evidence}`);
        return { kind: 'known', roles };
      }
      if (roles.kind === 'contradicted')
        return { kind: 'refused', rule: 'wrong-revision', reason: roles.reason };
      lastReason = roles.reason;
    } catch (error) {
      if (!isTransientAwsError(error)) throw error;
      lastReason = describeError(error);
    }
    if (clock.now() - startedAt >= options.limitMs) {
      return {
        kind: 'refused',
        rule: 'unknown-revision',
        reason: `After ${formatDuration(options.limitMs)} the gate still cannot tell which target group holds the new revision: ${lastReason}`,
      };
    }
    logger.info(`Waiting to learn which target group holds the new revision: ${lastReason}`);
    await clock.sleep(options.intervalMs, options.signal);
  }
}
