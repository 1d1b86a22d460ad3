import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Clock } from '@ecs-ship/shared/clock';
import { CancelledError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';

/** The side effects domain code is given: the ECS client, the log, the clock, cancellation. */
export interface Deps {
  ecs: ECSClient;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** For the polls' jitter; tests fix it. */
  random?: () => number;
}

/**
 * Called right before a command that changes something (RegisterTaskDefinition, UpdateService,
 * RunTask): a run cancelled during the reads before it changes nothing.
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
