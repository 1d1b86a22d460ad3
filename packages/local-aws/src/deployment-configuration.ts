import type { DeploymentConfiguration, DeploymentLifecycleHook, LoadBalancer } from '@aws-sdk/client-ecs';
import { invalidParameter } from './aws-error.js';

/** Stages a PAUSE hook may not sit on (ECS refuses them). */
const NO_PAUSE_STAGES = new Set(['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT']);
const STAGES = new Set([
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
]);
const STRATEGIES = new Set(['ROLLING', 'BLUE_GREEN', 'CANARY', 'LINEAR']);

/**
 * The configuration ECS stores from a CreateService/UpdateService `deploymentConfiguration`: the
 * given one replaces the stored one whole, with maximumPercent 200, minimumHealthyPercent 100 and
 * strategy ROLLING when left out (ECS API reference, DeploymentConfiguration).
 */
export function storedConfiguration(given: DeploymentConfiguration | undefined): DeploymentConfiguration {
  const configuration: DeploymentConfiguration = structuredClone(given ?? {});
  configuration.maximumPercent ??= 200;
  configuration.minimumHealthyPercent ??= 100;
  configuration.strategy ??= 'ROLLING';
  return configuration;
}

/** Refuses what ECS refuses, with InvalidParameterException (REFERENCE.md sections 1 and 6). */
export function validateConfiguration(
  configuration: DeploymentConfiguration,
  wiring: { loadBalancers: LoadBalancer[]; serviceConnect: boolean },
): void {
  const strategy = configuration.strategy ?? 'ROLLING';
  if (!STRATEGIES.has(strategy))
    throw invalidParameter(
      `deploymentConfiguration.strategy must be one of ROLLING, BLUE_GREEN, CANARY, LINEAR; got ${strategy}`,
    );
  if (configuration.earlySuccessCriteria !== undefined && strategy !== 'ROLLING')
    throw invalidParameter(
      `earlySuccessCriteria is only supported with the ROLLING deployment strategy, not ${strategy}`,
    );
  const linear = configuration.linearConfiguration;
  if (linear?.stepPercent !== undefined) {
    const tenths = linear.stepPercent * 10;
    if (linear.stepPercent < 3 || linear.stepPercent > 100 || Math.abs(tenths - Math.round(tenths)) > 1e-6)
      throw invalidParameter(
        `linearConfiguration.stepPercent must be a multiple of 0.1 from 3 to 100; got ${linear.stepPercent}`,
      );
  }
  checkMinutes('linearConfiguration.stepBakeTimeInMinutes', linear?.stepBakeTimeInMinutes, 1440);
  const canary = configuration.canaryConfiguration;
  if (canary?.canaryPercent !== undefined && (canary.canaryPercent < 0.1 || canary.canaryPercent > 100))
    throw invalidParameter(
      `canaryConfiguration.canaryPercent must be from 0.1 to 100; got ${canary.canaryPercent}`,
    );
  checkMinutes('canaryConfiguration.canaryBakeTimeInMinutes', canary?.canaryBakeTimeInMinutes, 1440);
  checkMinutes('bakeTimeInMinutes', configuration.bakeTimeInMinutes, 1440);
  if (strategy !== 'ROLLING') {
    const advanced = wiring.loadBalancers.some((lb) => lb.advancedConfiguration !== undefined);
    if (!advanced && !wiring.serviceConnect)
      throw invalidParameter(
        `The ${strategy} deployment strategy needs loadBalancers with advancedConfiguration or a serviceConnectConfiguration`,
      );
  }
  (configuration.lifecycleHooks ?? []).forEach(validateHook);
}

function validateHook(hook: DeploymentLifecycleHook, index: number): void {
  const where = `lifecycleHooks[${index}]`;
  const stages = hook.lifecycleStages ?? [];
  if (stages.length === 0) throw invalidParameter(`${where}.lifecycleStages must name at least one stage`);
  for (const stage of stages) {
    if (!STAGES.has(stage)) throw invalidParameter(`${where}.lifecycleStages: unknown stage ${stage}`);
    if (hook.targetType === 'PAUSE' && NO_PAUSE_STAGES.has(stage))
      throw invalidParameter(`${where}: a PAUSE hook cannot be at ${stage}`);
  }
  if (hook.targetType !== 'PAUSE' && hook.hookTargetArn === undefined)
    throw invalidParameter(`${where}.hookTargetArn is required for ${hook.targetType ?? 'AWS_LAMBDA'} hooks`);
  const timeout = hook.timeoutConfiguration?.timeoutInMinutes;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 20160))
    throw invalidParameter(
      `${where}.timeoutConfiguration.timeoutInMinutes must be from 1 to 20160; got ${timeout}`,
    );
  const action = hook.timeoutConfiguration?.action;
  if (action !== undefined && action !== 'CONTINUE' && action !== 'ROLLBACK')
    throw invalidParameter(
      `${where}.timeoutConfiguration.action must be CONTINUE or ROLLBACK; got ${action}`,
    );
}

function checkMinutes(name: string, value: number | undefined, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max))
    throw invalidParameter(`${name} must be a whole number of minutes from 0 to ${max}; got ${value}`);
}
