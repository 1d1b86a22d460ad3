import type {
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  DeploymentStrategy,
} from '@aws-sdk/client-ecs';
import type { Strategy, StrategyInputs } from '../inputs.js';
import { canonical } from '../revision/task-definition.js';

export const ECS_STRATEGY: Record<Strategy, DeploymentStrategy> = {
  rolling: 'ROLLING',
  canary: 'CANARY',
  linear: 'LINEAR',
  'blue-green': 'BLUE_GREEN',
};

/** Blue/green needs a bake time; without `bake-minutes` (and none on the service) the action uses this. */
export const DEFAULT_BLUE_GREEN_BAKE_MINUTES = 5;

/** What ECS assumes for a field left out (SDK model doc comments). */
export const ECS_DEFAULTS = {
  canaryPercent: 5,
  canaryBakeTimeInMinutes: 10,
  stepPercent: 10,
  stepBakeTimeInMinutes: 6,
  hookTimeoutInMinutes: 1440,
  hookTimeoutAction: 'ROLLBACK',
  resetOnHealthyTask: true,
  hookTargetType: 'AWS_LAMBDA',
} as const;

/**
 * The action's gate. A PAUSE hook has no id of its own, and the SDK model says `hookDetails` is not
 * used for PAUSE hooks (so a marker there could be dropped or refused): the gate is recognised by
 * its exact shape, a PAUSE hook at PRE_PRODUCTION_TRAFFIC_SHIFT alone. A user's own PAUSE hook of
 * that same shape is therefore taken for the gate (the README says so); any other hook, a PAUSE
 * hook at POST_TEST_TRAFFIC_SHIFT for an approval included, is the user's and is kept.
 */
export function isGateHook(hook: DeploymentLifecycleHook): boolean {
  return (
    hook.targetType === 'PAUSE' &&
    hook.hookTargetArn === undefined &&
    hook.lifecycleStages?.length === 1 &&
    hook.lifecycleStages[0] === 'PRE_PRODUCTION_TRAFFIC_SHIFT'
  );
}

export function gateHook(inputs: Pick<StrategyInputs, 'gateTimeoutMinutes' | 'gateTimeoutAction'>) {
  return {
    targetType: 'PAUSE',
    lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
    timeoutConfiguration: { timeoutInMinutes: inputs.gateTimeoutMinutes, action: inputs.gateTimeoutAction },
  } satisfies DeploymentLifecycleHook;
}

/**
 * The native deploymentConfiguration for the inputs, merged over the service's current one: only
 * what an input asks for changes. Kept from the service: maximumPercent, minimumHealthyPercent,
 * the circuit breaker's thresholdConfiguration and resetOnHealthyTask, every lifecycle hook but
 * the gate, and canary / linear / bake settings that no input overrides (field by field; ECS's
 * defaults only where neither says). Dropped: settings the strategy does not use (ECS refuses
 * canaryConfiguration outside CANARY, linearConfiguration outside LINEAR, earlySuccessCriteria and
 * the circuit breaker outside ROLLING).
 */
export function buildDeploymentConfiguration(
  inputs: StrategyInputs,
  current: DeploymentConfiguration = {},
): DeploymentConfiguration {
  const config: DeploymentConfiguration = structuredClone(current);
  config.strategy = ECS_STRATEGY[inputs.strategy];
  if (inputs.strategy !== 'canary') delete config.canaryConfiguration;
  if (inputs.strategy !== 'linear') delete config.linearConfiguration;

  if (inputs.strategy === 'rolling') {
    delete config.bakeTimeInMinutes;
    const enable = inputs.circuitBreaker ?? true;
    config.deploymentCircuitBreaker = {
      ...current.deploymentCircuitBreaker,
      enable,
      rollback: enable && inputs.rollbackOnFailure,
    };
  } else {
    delete config.deploymentCircuitBreaker;
    delete config.earlySuccessCriteria;
    const bake =
      inputs.bakeMinutes ??
      current.bakeTimeInMinutes ??
      (inputs.strategy === 'blue-green' ? DEFAULT_BLUE_GREEN_BAKE_MINUTES : undefined);
    if (bake !== undefined) config.bakeTimeInMinutes = bake;
  }
  if (inputs.strategy === 'canary') {
    const service = current.canaryConfiguration;
    config.canaryConfiguration = {
      canaryPercent: inputs.canaryPercent ?? service?.canaryPercent ?? ECS_DEFAULTS.canaryPercent,
      canaryBakeTimeInMinutes:
        inputs.canaryBakeMinutes ?? service?.canaryBakeTimeInMinutes ?? ECS_DEFAULTS.canaryBakeTimeInMinutes,
    };
  }
  if (inputs.strategy === 'linear') {
    const service = current.linearConfiguration;
    config.linearConfiguration = {
      stepPercent: inputs.linearStepPercent ?? service?.stepPercent ?? ECS_DEFAULTS.stepPercent,
      stepBakeTimeInMinutes:
        inputs.linearStepBakeMinutes ?? service?.stepBakeTimeInMinutes ?? ECS_DEFAULTS.stepBakeTimeInMinutes,
    };
  }

  if (inputs.alarms.length > 0) {
    config.alarms = { alarmNames: [...inputs.alarms], enable: true, rollback: inputs.rollbackOnFailure };
  } else if (config.alarms) {
    // Alarms configured on the service outside this action keep watching; rollback follows the input.
    config.alarms = {
      ...config.alarms,
      rollback: inputs.rollbackOnFailure && config.alarms.rollback !== false,
    };
  }

  const hooks = withGate(
    current.lifecycleHooks ?? [],
    inputs.gate === 'pause' ? gateHook(inputs) : undefined,
  );
  // A service that had hooks gets the list even when it is now empty, so that our gate is removed.
  if (hooks.length > 0 || (current.lifecycleHooks ?? []).length > 0) config.lifecycleHooks = hooks;
  else delete config.lifecycleHooks;
  return config;
}

/** The hooks with the gate replaced (in place, so the order ECS reports stays), added or removed. */
function withGate(
  hooks: readonly DeploymentLifecycleHook[],
  gate: DeploymentLifecycleHook | undefined,
): DeploymentLifecycleHook[] {
  const at = hooks.findIndex(isGateHook);
  const others = hooks.filter((hook) => !isGateHook(hook)).map((hook) => structuredClone(hook));
  if (gate === undefined) return others;
  others.splice(at < 0 ? others.length : at, 0, gate);
  return others;
}

/**
 * True when two configurations ask ECS for the same thing: key order, empty fields, the order of
 * alarm names and hooks, fields left out where ECS has a default, and settings the strategy does
 * not use do not count.
 */
export function sameDeploymentConfiguration(
  a: DeploymentConfiguration | undefined,
  b: DeploymentConfiguration | undefined,
): boolean {
  return comparable(a) === comparable(b);
}

function comparable(config: DeploymentConfiguration | undefined): string {
  const copy: DeploymentConfiguration = structuredClone(config ?? {});
  copy.strategy ??= 'ROLLING';
  if (copy.strategy === 'ROLLING') {
    delete copy.bakeTimeInMinutes;
    if (copy.deploymentCircuitBreaker)
      copy.deploymentCircuitBreaker.resetOnHealthyTask ??= ECS_DEFAULTS.resetOnHealthyTask;
  } else {
    delete copy.deploymentCircuitBreaker;
    delete copy.earlySuccessCriteria;
  }
  if (copy.strategy === 'CANARY') {
    copy.canaryConfiguration = {
      canaryPercent: copy.canaryConfiguration?.canaryPercent ?? ECS_DEFAULTS.canaryPercent,
      canaryBakeTimeInMinutes:
        copy.canaryConfiguration?.canaryBakeTimeInMinutes ?? ECS_DEFAULTS.canaryBakeTimeInMinutes,
    };
  } else delete copy.canaryConfiguration;
  if (copy.strategy === 'LINEAR') {
    copy.linearConfiguration = {
      stepPercent: copy.linearConfiguration?.stepPercent ?? ECS_DEFAULTS.stepPercent,
      stepBakeTimeInMinutes:
        copy.linearConfiguration?.stepBakeTimeInMinutes ?? ECS_DEFAULTS.stepBakeTimeInMinutes,
    };
  } else delete copy.linearConfiguration;
  if (copy.alarms?.alarmNames) copy.alarms.alarmNames = [...copy.alarms.alarmNames].sort();
  // ECS reports a service without alarms as an empty, disabled alarm configuration.
  if (copy.alarms && !copy.alarms.enable && (copy.alarms.alarmNames ?? []).length === 0) delete copy.alarms;
  copy.lifecycleHooks = (copy.lifecycleHooks ?? [])
    .map((hook) => JSON.stringify(canonical(withHookDefaults(hook))))
    .sort()
    .map((text) => JSON.parse(text) as DeploymentLifecycleHook);
  return JSON.stringify(canonical(copy));
}

function withHookDefaults(hook: DeploymentLifecycleHook): DeploymentLifecycleHook {
  const targetType = hook.targetType ?? ECS_DEFAULTS.hookTargetType;
  return {
    ...hook,
    targetType,
    ...(targetType === 'PAUSE'
      ? {
          timeoutConfiguration: {
            timeoutInMinutes:
              hook.timeoutConfiguration?.timeoutInMinutes ?? ECS_DEFAULTS.hookTimeoutInMinutes,
            action: hook.timeoutConfiguration?.action ?? ECS_DEFAULTS.hookTimeoutAction,
          },
        }
      : {}),
  };
}

/**
 * The configuration a rollback by UpdateService sends: the service's own, without the gate. A
 * rollback that inherited our gate would stop at it, and if nobody answered, the gate's timeout
 * action could roll the rollback back, i.e. forward again. The user's own hooks stay: removing
 * them would destroy the service's settings, and the rollback continues any pause it meets.
 */
export function rollbackConfiguration(current: DeploymentConfiguration | undefined): DeploymentConfiguration {
  const config: DeploymentConfiguration = structuredClone(current ?? {});
  // An empty list rather than no field, so that the hook is removed, not left as it was.
  config.lifecycleHooks = (config.lifecycleHooks ?? []).filter((hook) => !isGateHook(hook));
  return config;
}
