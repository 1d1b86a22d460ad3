import type { DeploymentConfiguration, ServiceDeployment } from '@aws-sdk/client-ecs';

/** When the last stage and traffic weight were first seen: the start of a bake whose length is known. */
export interface Marks {
  stage?: { name: string; since: number };
  weight?: { value: number; since: number };
}

/** Wake this long before a predicted stage end, so the change itself is seen with tight polling. */
export const WAKE_LEAD_MS = 5_000;
/** The longest predicted sleep: a rollback ECS starts mid-bake is reported at most this late. */
export const MAX_PREDICTED_SLEEP_MS = 10 * 60_000;

export function updateMarks(marks: Marks, deployment: ServiceDeployment | undefined, now: number): Marks {
  const stage = deployment?.lifecycleStage;
  const weight = deployment?.targetServiceRevision?.requestedProductionTrafficWeight;
  return {
    ...(stage ? { stage: marks.stage?.name === stage ? marks.stage : { name: stage, since: now } } : {}),
    ...(weight !== undefined
      ? { weight: marks.weight?.value === weight ? marks.weight : { value: weight, since: now } }
      : {}),
  };
}

/**
 * During a bake of known length (bakeTimeInMinutes, a canary's or a linear step's bake), nothing
 * happens until it ends: sleep until just before then instead of polling through it. Undefined when
 * there is no such wait, or it is shorter than ordinary polling would be anyway.
 */
export function predictedSleepMs(
  deployment: ServiceDeployment | undefined,
  fallback: DeploymentConfiguration | undefined,
  marks: Marks,
  now: number,
  ordinaryMaxMs: number,
): number | undefined {
  if (deployment?.status !== 'IN_PROGRESS') return undefined;
  if (
    deployment.lifecycleHookDetails?.some(
      (hook) => hook.status === 'AWAITING_ACTION' || hook.status === 'IN_PROGRESS',
    )
  )
    return undefined;
  const config = deployment.deploymentConfiguration ?? fallback;
  let end: number | undefined;
  if (
    deployment.lifecycleStage === 'BAKE_TIME' &&
    marks.stage?.name === 'BAKE_TIME' &&
    config?.bakeTimeInMinutes
  ) {
    end = marks.stage.since + config.bakeTimeInMinutes * 60_000;
  } else if (
    deployment.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT' ||
    deployment.lifecycleStage === 'POST_PRODUCTION_TRAFFIC_SHIFT'
  ) {
    const weight = marks.weight;
    const stepBake =
      config?.strategy === 'CANARY'
        ? (config.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10)
        : config?.strategy === 'LINEAR'
          ? (config.linearConfiguration?.stepBakeTimeInMinutes ?? 6)
          : undefined;
    if (weight && weight.value > 0 && weight.value < 100 && stepBake) end = weight.since + stepBake * 60_000;
  }
  if (end === undefined) return undefined;
  const sleep = end - WAKE_LEAD_MS - now;
  if (sleep <= ordinaryMaxMs) return undefined;
  return Math.min(sleep, MAX_PREDICTED_SLEEP_MS);
}
