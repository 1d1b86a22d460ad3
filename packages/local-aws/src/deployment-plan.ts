import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { strategyOf, type PlanStep } from './ecs-model.js';
import type { LocalAwsTiming } from './timing.js';

const MINUTE = 60_000;

/** ECS defaults when canary/linear settings are left out (SDK doc comments, REFERENCE.md 1). */
export const CANARY_DEFAULTS = { canaryPercent: 5, canaryBakeTimeInMinutes: 10 };
export const LINEAR_DEFAULTS = { stepPercent: 10, stepBakeTimeInMinutes: 6 };

/**
 * The stages a deployment walks through, in ECS's order (ServiceDeployment.lifecycleStage doc):
 * rolling scales up and cleans up; blue/green, canary and linear scale up, shift test traffic,
 * then shift production in one step (blue/green), canaryPercent then 100 (canary) or stepPercent
 * steps (linear), entering PRE_PRODUCTION_TRAFFIC_SHIFT before every production shift, then
 * POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME and CLEAN_UP.
 */
export function buildPlan(
  configuration: DeploymentConfiguration,
  timing: LocalAwsTiming,
  hasTestTraffic: boolean,
): PlanStep[] {
  const strategy = strategyOf(configuration);
  const steps: PlanStep[] = [
    { stage: 'RECONCILE_SERVICE', durationMs: 0 },
    { stage: 'PRE_SCALE_UP', durationMs: 0 },
    { stage: 'SCALE_UP', durationMs: timing.scaleUpMs, scaleUp: true },
    { stage: 'POST_SCALE_UP', durationMs: 0 },
  ];
  if (strategy === 'ROLLING') {
    steps.push({ stage: 'CLEAN_UP', durationMs: timing.cleanUpMs, cleanUp: true });
    return steps;
  }
  steps.push(
    { stage: 'TEST_TRAFFIC_SHIFT', durationMs: hasTestTraffic ? timing.shiftMs : 0, testWeight: 100 },
    { stage: 'POST_TEST_TRAFFIC_SHIFT', durationMs: 0 },
  );
  // Blue/green's bake is required by ECS; canary and linear default to no final bake.
  const bakeMinutes = configuration.bakeTimeInMinutes ?? 0;
  for (const { weight, bakeAfterMinutes } of productionShifts(configuration)) {
    steps.push(
      { stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', durationMs: 0 },
      {
        stage: 'PRODUCTION_TRAFFIC_SHIFT',
        productionWeight: weight,
        durationMs: timing.shiftMs + bakeAfterMinutes * MINUTE,
      },
    );
  }
  steps.push(
    { stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', durationMs: 0 },
    { stage: 'BAKE_TIME', durationMs: bakeMinutes * MINUTE },
    { stage: 'CLEAN_UP', durationMs: timing.cleanUpMs, cleanUp: true },
  );
  return steps;
}

/**
 * The stages of a rollback: the source revision scaled back up when it lost tasks (rolling, or a
 * failed start), then production and test traffic back to it in one rewrite ("rollback during
 * bake time is a listener-weight flip: seconds", REFERENCE.md 1). ECS's documentation says only
 * Lambda hooks at TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT run during a rollback, so a
 * rollback passes no PAUSE hook; `pauseDuringRollback` adds PRE_ and POST_PRODUCTION_TRAFFIC_SHIFT
 * steps where configured PAUSE hooks wait (an unverified variant, for tests of clients that must
 * answer a pause during a rollback).
 */
export function buildRollbackPlan(
  timing: LocalAwsTiming,
  sourceNeedsScaleUp: boolean,
  pauseDuringRollback: boolean,
): PlanStep[] {
  const steps: PlanStep[] = [];
  if (sourceNeedsScaleUp)
    steps.push({ stage: 'SCALE_UP', durationMs: timing.scaleUpMs, scaleUpSource: true });
  if (pauseDuringRollback) steps.push({ stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', durationMs: 0 });
  steps.push({
    stage: 'PRODUCTION_TRAFFIC_SHIFT',
    durationMs: timing.rollbackMs,
    productionWeight: 0,
    testWeight: 0,
  });
  if (pauseDuringRollback) steps.push({ stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', durationMs: 0 });
  steps.push({ stage: 'CLEAN_UP', durationMs: 0, cleanUpTarget: true });
  return steps;
}

/** The first deployment of a new service: its tasks start; there is no traffic to shift from. */
export function buildCreatePlan(timing: LocalAwsTiming): PlanStep[] {
  return [
    { stage: 'RECONCILE_SERVICE', durationMs: 0 },
    { stage: 'PRE_SCALE_UP', durationMs: 0 },
    { stage: 'SCALE_UP', durationMs: timing.scaleUpMs, scaleUp: true },
    { stage: 'POST_SCALE_UP', durationMs: 0 },
    { stage: 'CLEAN_UP', durationMs: 0 },
  ];
}

/** The production weights of the new revision, step by step, with the bake after each. */
export function productionShifts(
  configuration: DeploymentConfiguration,
): Array<{ weight: number; bakeAfterMinutes: number }> {
  const strategy = strategyOf(configuration);
  if (strategy === 'CANARY') {
    const percent = configuration.canaryConfiguration?.canaryPercent ?? CANARY_DEFAULTS.canaryPercent;
    const bake =
      configuration.canaryConfiguration?.canaryBakeTimeInMinutes ?? CANARY_DEFAULTS.canaryBakeTimeInMinutes;
    if (percent >= 100) return [{ weight: 100, bakeAfterMinutes: 0 }];
    return [
      { weight: percent, bakeAfterMinutes: bake },
      { weight: 100, bakeAfterMinutes: 0 },
    ];
  }
  if (strategy === 'LINEAR') {
    const step = configuration.linearConfiguration?.stepPercent ?? LINEAR_DEFAULTS.stepPercent;
    const bake =
      configuration.linearConfiguration?.stepBakeTimeInMinutes ?? LINEAR_DEFAULTS.stepBakeTimeInMinutes;
    const shifts: Array<{ weight: number; bakeAfterMinutes: number }> = [];
    // Tenths as integers so that 10 x 10% lands on 100 exactly; the bake is not applied after 100%.
    for (let tenths = Math.round(step * 10); tenths < 1000; tenths += Math.round(step * 10))
      shifts.push({ weight: tenths / 10, bakeAfterMinutes: bake });
    shifts.push({ weight: 100, bakeAfterMinutes: 0 });
    return shifts;
  }
  return [{ weight: 100, bakeAfterMinutes: 0 }];
}
