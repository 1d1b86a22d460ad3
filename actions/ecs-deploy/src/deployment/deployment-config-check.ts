import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { StrategyInputs } from '../inputs.js';

/** Lifecycle stages at which ECS refuses a PAUSE hook (SDK model, DeploymentLifecycleHook). */
const NO_PAUSE_STAGES = new Set(['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT']);

/**
 * Refuses, before anything is registered, a merged configuration that UpdateService would refuse
 * (or, for a field ECS clamps, apply differently). Each value came from an input or from the
 * service's own configuration; the error names which, so the user knows where to change it.
 */
export function checkDeploymentConfiguration(
  config: DeploymentConfiguration,
  inputs: StrategyInputs,
  serviceName: string,
): void {
  const fromService = (field: string) =>
    `service "${serviceName}"'s deploymentConfiguration.${field} (set outside this action)`;
  const source = (input: string, given: number | undefined, field: string) =>
    given !== undefined ? `Input "${input}"` : `The value of ${fromService(field)}`;

  const linear = config.linearConfiguration;
  if (linear?.stepPercent !== undefined && !isTenth(linear.stepPercent, 3, 100)) {
    refuse(
      source('linear-step-percent', inputs.linearStepPercent, 'linearConfiguration.stepPercent'),
      'a multiple of 0.1 from 3 to 100',
      linear.stepPercent,
      'linear-step-percent',
    );
  }
  const canary = config.canaryConfiguration;
  if (canary?.canaryPercent !== undefined && !isTenth(canary.canaryPercent, 0.1, 100)) {
    refuse(
      source('canary-percent', inputs.canaryPercent, 'canaryConfiguration.canaryPercent'),
      'a multiple of 0.1 from 0.1 to 100',
      canary.canaryPercent,
      'canary-percent',
    );
  }
  const bakes: Array<[string, keyof StrategyInputs, string, number | undefined]> = [
    [
      'canary-bake-minutes',
      'canaryBakeMinutes',
      'canaryConfiguration.canaryBakeTimeInMinutes',
      canary?.canaryBakeTimeInMinutes,
    ],
    [
      'linear-step-bake-minutes',
      'linearStepBakeMinutes',
      'linearConfiguration.stepBakeTimeInMinutes',
      linear?.stepBakeTimeInMinutes,
    ],
    ['bake-minutes', 'bakeMinutes', 'bakeTimeInMinutes', config.bakeTimeInMinutes],
  ];
  for (const [input, key, field, value] of bakes) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 1440)) {
      refuse(
        source(input, inputs[key] as number | undefined, field),
        'a whole number of minutes from 0 to 1440',
        value,
        input,
      );
    }
  }
  if (config.earlySuccessCriteria && config.strategy !== 'ROLLING') {
    throw new ConfigurationError(
      `Input "strategy: ${inputs.strategy}" cannot be combined with ${fromService('earlySuccessCriteria')}: ECS accepts earlySuccessCriteria only for rolling deployments.`,
    );
  }
  (config.lifecycleHooks ?? []).forEach((hook, index) => {
    const refused = (hook.lifecycleStages ?? []).filter((stage) => NO_PAUSE_STAGES.has(stage));
    if (hook.targetType !== 'PAUSE' || refused.length === 0) return;
    throw new ConfigurationError(
      `${fromService(`lifecycleHooks[${index}]`)} is a PAUSE hook at ${refused.join(' and ')}, which ECS refuses ` +
        '(PAUSE hooks cannot sit on TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT), so the UpdateService this action sends ' +
        "with the service's own hooks kept would fail. Move that hook (e.g. to POST_TEST_TRAFFIC_SHIFT) on the service, then run again.",
    );
  });
}

/** A multiple of 0.1 in [min, max], allowing for binary fractions (2.3 is 2.2999…). */
export function isTenth(value: number, min: number, max: number): boolean {
  return value >= min && value <= max && Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;
}

function refuse(what: string, expected: string, given: number, input: string): never {
  const fix = what.startsWith('Input') ? '' : ` Set input "${input}" to override it.`;
  throw new ConfigurationError(`${what} must be ${expected}; it is ${given}.${fix}`);
}
