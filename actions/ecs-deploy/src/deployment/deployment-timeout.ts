import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { formatDuration } from '@ecs-ship/shared/duration';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { WaitMode } from '../inputs.js';
import { reachedStage } from './stages.js';

const MINUTE = 60_000;

/** Rolling deployments, one-off tasks, and the floor of every derived default. */
export const BASE_TIMEOUT_MS = 30 * MINUTE;
/** The longest `timeout`: a GitHub-hosted job runs at most 6 hours. */
export const MAX_TIMEOUT_MS = 6 * 60 * MINUTE;
/**
 * Before the first production shift: new tasks pull their image, start, pass the load balancer's
 * health checks (several intervals each) and take test traffic. Generous, since a default that is
 * too short rolls back a healthy deployment.
 */
export const SCALE_UP_MARGIN_MS = 15 * MINUTE;
/** After the last bake, old tasks drain (the target group's deregistration delay is 300 s by default). */
export const CLEAN_UP_MARGIN_MS = 5 * MINUTE;
/** What even the fastest deployment needs beyond its bakes, for the refusal of a `timeout` that cannot fit. */
export const MINIMUM_MARGIN_MS = 5 * MINUTE;
/**
 * ECS's default bakeTimeInMinutes for canary and linear is not in the SDK model: a derived default
 * counts an unset one as the blue/green default; the refusal counts it as 0 (refuse only on certainty).
 */
export const UNSET_BAKE_ASSUMED_MINUTES = 5;

export interface TimeoutPlan {
  /** The derived default `timeout`. */
  defaultMs: number;
  /** Less than this cannot fit the bakes ECS waits through before what `wait` waits for. */
  minimumMs: number;
  /** The strategy and its bakes, for messages: "linear 10% steps with 6-minute bakes". */
  describe: string;
}

/**
 * How long the wait `wait` asks for takes at least, and what the default `timeout` is: the bakes
 * ECS waits through before that point (whatever the tasks do), plus margins for scale-up and
 * clean-up. With `wait: gate` only the bakes before the gate count: the timeout ends there.
 */
export function timeoutPlan(config: DeploymentConfiguration, wait: WaitMode): TimeoutPlan {
  const untilEnd = wait.kind === 'stable' || (wait.kind === 'stage' && wait.stage === 'CLEAN_UP');
  const pastShift = wait.kind === 'stage' && reachedStage(wait.stage, 'POST_PRODUCTION_TRAFFIC_SHIFT');
  const bake = config.bakeTimeInMinutes;
  const finalBake = (assumeUnset: boolean) =>
    untilEnd ? (bake ?? (assumeUnset ? UNSET_BAKE_ASSUMED_MINUTES : 0)) * MINUTE : 0;
  const bakeText = bake ? ` and a ${bake}-minute bake` : '';
  const plan = (shiftBakesMs: number, describe: string): TimeoutPlan => {
    if (wait.kind === 'none') return { defaultMs: BASE_TIMEOUT_MS, minimumMs: 0, describe };
    const minimumMs = shiftBakesMs + finalBake(false) + MINIMUM_MARGIN_MS;
    const derived = shiftBakesMs + finalBake(true) + SCALE_UP_MARGIN_MS + (untilEnd ? CLEAN_UP_MARGIN_MS : 0);
    return { defaultMs: Math.max(BASE_TIMEOUT_MS, derived), minimumMs, describe };
  };

  switch (config.strategy) {
    case 'CANARY': {
      const percent = config.canaryConfiguration?.canaryPercent ?? 5;
      const canaryBake = percent < 100 ? (config.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10) : 0;
      const counted = untilEnd || pastShift || wait.kind === 'gate';
      return plan(
        counted ? canaryBake * MINUTE : 0,
        `canary ${percent}% with a ${canaryBake}-minute canary bake${bakeText}`,
      );
    }
    case 'LINEAR': {
      const step = config.linearConfiguration?.stepPercent ?? 10;
      const stepBake = config.linearConfiguration?.stepBakeTimeInMinutes ?? 6;
      // ECS bakes after every step but the one that reaches 100% (SDK model, LinearConfiguration).
      const bakes = Math.ceil(100 / step - 1e-9) - 1;
      const counted = untilEnd || pastShift ? bakes : wait.kind === 'gate' ? Math.min(1, bakes) : 0;
      return plan(
        counted * stepBake * MINUTE,
        `linear ${step}% steps with ${stepBake}-minute bakes${bakeText}`,
      );
    }
    case 'BLUE_GREEN':
      return plan(0, `blue-green with a ${bake ?? 0}-minute bake`);
    default:
      return { defaultMs: BASE_TIMEOUT_MS, minimumMs: 0, describe: 'rolling' };
  }
}

/**
 * The `timeout` to use: the input when it fits the plan, the derived default when it is unset.
 * Refused, before any change, when the input cannot fit, or when nothing within the 6-hour limit can.
 */
export function resolveTimeout(given: number | undefined, plan: TimeoutPlan, wait: WaitMode): number {
  const waitText = wait.kind === 'stage' ? wait.stage : wait.kind;
  if (plan.minimumMs > MAX_TIMEOUT_MS) {
    throw new ConfigurationError(
      `The deployment (${plan.describe}) needs at least ${formatDuration(plan.minimumMs)} with "wait: ${waitText}", more than the ${formatDuration(MAX_TIMEOUT_MS)} a job may wait: ` +
        'use shorter bakes or larger steps, or "wait: none" (or "gate: pause") and follow it elsewhere.',
    );
  }
  if (given === undefined) return Math.min(plan.defaultMs, MAX_TIMEOUT_MS);
  if (given < plan.minimumMs) {
    throw new ConfigurationError(
      `Input "timeout" ${formatDuration(given)} cannot fit ${plan.describe} (wait: ${waitText}): it needs at least ${formatDuration(plan.minimumMs)}. ` +
        `Raise it, or leave it unset for the derived default (${formatDuration(Math.min(plan.defaultMs, MAX_TIMEOUT_MS))}).`,
    );
  }
  return given;
}
