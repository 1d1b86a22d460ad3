import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Clock } from '@ecs-ship/shared/clock';
import { CancelledError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';

/** The side effects domain code is given: the AWS clients, the log, the clock, cancellation. */
export interface Deps {
  ecs: ECSClient;
  /** Reads the production listener rule for the target-group outputs; without it they stay unset. */
  elbv2?: ElasticLoadBalancingV2Client;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** For the polls' jitter; tests fix it. */
  random?: () => number;
  /**
   * The ECS client images-from reads the source service through (its region, and the credentials
   * of images-from-role when set). Called only once the inputs are validated; unset without images-from.
   */
  sourceEcs?: () => Promise<ECSClient>;
}

/**
 * Called right before a command that changes something (RegisterTaskDefinition, UpdateService,
 * RunTask): a run cancelled during the reads before it changes nothing.
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
