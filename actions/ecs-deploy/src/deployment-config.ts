import type { DeploymentConfiguration, DeploymentStrategy } from '@aws-sdk/client-ecs';
import type { Strategy, StrategyInputs } from './inputs.js';
import { canonical } from './task-definition.js';

export const ECS_STRATEGY: Record<Strategy, DeploymentStrategy> = {
  rolling: 'ROLLING',
  canary: 'CANARY',
  linear: 'LINEAR',
  'blue-green': 'BLUE_GREEN',
};

/** Blue/green needs a bake time; without `bake-minutes` the action uses this. */
export const DEFAULT_BLUE_GREEN_BAKE_MINUTES = 5;

/**
 * The native deploymentConfiguration for the inputs, merged over the service's current one so that
 * what the action does not manage (maximumPercent, minimumHealthyPercent, other hooks) is kept.
 */
export function buildDeploymentConfiguration(
  inputs: StrategyInputs,
  current: DeploymentConfiguration = {},
): DeploymentConfiguration {
  const config: DeploymentConfiguration = { ...current, strategy: ECS_STRATEGY[inputs.strategy] };
  delete config.canaryConfiguration;
  delete config.linearConfiguration;

  if (inputs.strategy === 'rolling') {
    delete config.bakeTimeInMinutes;
    config.deploymentCircuitBreaker = {
      enable: inputs.circuitBreaker ?? true,
      rollback: (inputs.circuitBreaker ?? true) && inputs.rollbackOnFailure,
    };
  } else {
    delete config.deploymentCircuitBreaker;
    if (inputs.bakeMinutes !== undefined) config.bakeTimeInMinutes = inputs.bakeMinutes;
    else if (inputs.strategy === 'blue-green' && config.bakeTimeInMinutes === undefined) {
      config.bakeTimeInMinutes = DEFAULT_BLUE_GREEN_BAKE_MINUTES;
    }
  }
  if (inputs.strategy === 'canary') {
    config.canaryConfiguration = {
      canaryPercent: inputs.canaryPercent ?? 5,
      canaryBakeTimeInMinutes: inputs.canaryBakeMinutes ?? 10,
    };
  }
  if (inputs.strategy === 'linear') {
    config.linearConfiguration = {
      stepPercent: inputs.linearStepPercent ?? 10,
      stepBakeTimeInMinutes: inputs.linearStepBakeMinutes ?? 6,
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

  const otherHooks = (config.lifecycleHooks ?? []).filter((hook) => hook.targetType !== 'PAUSE');
  if (inputs.gate === 'pause') {
    otherHooks.push({
      targetType: 'PAUSE',
      lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
      timeoutConfiguration: { timeoutInMinutes: inputs.gateTimeoutMinutes, action: inputs.gateTimeoutAction },
    });
  }
  // A service that had hooks gets the list even when it is now empty, so that our gate is removed.
  if (otherHooks.length > 0 || (current.lifecycleHooks ?? []).length > 0) config.lifecycleHooks = otherHooks;
  else delete config.lifecycleHooks;
  return config;
}

/**
 * True when two configurations ask ECS for the same thing: key order, empty fields, the order of
 * alarm names and, for rolling, settings that only the other strategies use do not count.
 */
export function sameDeploymentConfiguration(
  a: DeploymentConfiguration | undefined,
  b: DeploymentConfiguration | undefined,
): boolean {
  const comparable = (config: DeploymentConfiguration | undefined): string => {
    const copy: DeploymentConfiguration = structuredClone(config ?? {});
    copy.strategy ??= 'ROLLING';
    if (copy.strategy === 'ROLLING') {
      delete copy.bakeTimeInMinutes;
      delete copy.canaryConfiguration;
      delete copy.linearConfiguration;
    }
    if (copy.alarms?.alarmNames) copy.alarms.alarmNames = [...copy.alarms.alarmNames].sort();
    return JSON.stringify(canonical(copy));
  };
  return comparable(a) === comparable(b);
}

/**
 * The configuration a rollback by UpdateService sends: the service's own, without PAUSE hooks. A
 * rollback that inherited our gate would stop at it, and if nobody answered, the gate's timeout
 * action could roll the rollback back, i.e. forward again.
 */
export function rollbackConfiguration(current: DeploymentConfiguration | undefined): DeploymentConfiguration {
  const config: DeploymentConfiguration = structuredClone(current ?? {});
  // An empty list rather than no field, so that the hook is removed, not left as it was.
  config.lifecycleHooks = (config.lifecycleHooks ?? []).filter((hook) => hook.targetType !== 'PAUSE');
  return config;
}
