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

/** True when `current` is `wanted` or a later stage. */
export function reachedStage(current: string | undefined, wanted: LifecycleStage): boolean {
  if (current === undefined) return false;
  const at = LIFECYCLE_STAGES.indexOf(current as LifecycleStage);
  return at >= 0 && at >= LIFECYCLE_STAGES.indexOf(wanted as LifecycleStage);
}
