import type { ServiceDeploymentLifecycleStage } from '@aws-sdk/client-ecs';

export type LifecycleStage = ServiceDeploymentLifecycleStage;

/**
 * The stages a service deployment reports, in order. PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage
 * (DeploymentLifecycleHookStage) but not one that ServiceDeployment.lifecycleStage reports in the SDK
 * model, so a pause there is recognised by its hook (AWAITING_ACTION), not by the stage.
 */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] as const satisfies readonly LifecycleStage[];

/**
 * The order of what ECS may report, PRE_PRODUCTION_TRAFFIC_SHIFT included: the SDK's doc comment
 * lists it as a value of lifecycleStage though the enum lacks it, so a deployment paused there may
 * report it.
 */
const STAGE_ORDER: readonly string[] = [
  ...LIFECYCLE_STAGES.slice(0, LIFECYCLE_STAGES.indexOf('PRODUCTION_TRAFFIC_SHIFT')),
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  ...LIFECYCLE_STAGES.slice(LIFECYCLE_STAGES.indexOf('PRODUCTION_TRAFFIC_SHIFT')),
];

/** True when `current` is `wanted` or a later stage. */
export function reachedStage(current: string | undefined, wanted: LifecycleStage): boolean {
  if (current === undefined) return false;
  const at = STAGE_ORDER.indexOf(current);
  return at >= 0 && at >= STAGE_ORDER.indexOf(wanted);
}
