import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Clock } from '@ecs-ship/shared/clock';

/**
 * REFERENCE, not ours: the official amazon-ecs-deploy-task-definition action's wait, i.e. the SDK's
 * waitUntilServicesStable with minDelay 15 s (maxDelay 120 s, the ECS waiter default): a first look
 * at once, then random delays between 15 s and min(120 s, 15 s·2^(n-1)), and 120 s from the 5th
 * look on (@smithy util-waiter's exponentialBackoffWithJitter). Stable: one deployment and
 * runningCount == desiredCount. Reimplemented over an injectable clock so a 30-minute deployment
 * can be replayed in milliseconds.
 */
export async function referenceWaitUntilServicesStable(
  ecs: ECSClient,
  input: { cluster: string; service: string },
  clock: Clock,
  random: () => number,
  maxWaitMs = 30 * 60_000,
): Promise<{ calls: number; stable: boolean }> {
  const minDelay = 15_000;
  const maxDelay = 120_000;
  const ceiling = Math.log(maxDelay / minDelay) / Math.log(2) + 1;
  const until = clock.now() + maxWaitMs;
  let calls = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      const capped = Math.min(minDelay * 2 ** (attempt - 1), maxDelay);
      let delay = attempt > ceiling ? maxDelay : minDelay + random() * (capped - minDelay);
      if (clock.now() + delay > until) delay = Math.max(0, until - clock.now() - 500);
      await clock.sleep(delay);
    }
    calls++;
    const response = await ecs.send(
      new DescribeServicesCommand({ cluster: input.cluster, services: [input.service] }),
    );
    const service = response.services?.[0];
    if (
      service &&
      (service.deployments?.length ?? 0) === 1 &&
      service.runningCount === service.desiredCount
    ) {
      return { calls, stable: true };
    }
    if (clock.now() >= until) return { calls, stable: false };
  }
}

/** A small seeded generator, so the reference's random delays are the same on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
