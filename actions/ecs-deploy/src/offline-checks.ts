import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { formatDuration } from '@ecs-ship/shared/duration';
import type { Checks } from './checks.js';
import { buildDeploymentConfiguration } from './deployment/deployment-config.js';
import { checkDeploymentConfiguration } from './deployment/deployment-config-check.js';
import { resolveTimeout, timeoutPlan, type TimeoutPlan } from './deployment/deployment-timeout.js';
import type { DeployInputs, ImageOverride } from './inputs.js';
import { renderTaskDefinition, type Rendered } from './revision/render.js';
import type { RegistrableTaskDefinition } from './revision/task-definition.js';
import { checkRunTask } from './run-task/run-task-check.js';

export interface DeploymentPlan {
  configuration: DeploymentConfiguration;
  plan: TimeoutPlan;
  timeoutMs: number;
}

/** What the checks decided: undefined where a check was refused (mode validate goes on). */
export interface OfflinePlan {
  rendered?: Rendered;
  deployment?: DeploymentPlan;
  /** run-task: the container the command is for. */
  commandContainer?: string;
}

export interface OfflineSubject {
  inputs: DeployInputs;
  /**
   * The task definition to render from. A file given to us is parsed by `load` as a check of its
   * own in mode validate (a deploy parsed it while reading, preflight.ts); `file` names it, and its
   * plain-text credentials are refused, not only warned about.
   */
  base: { load: () => RegistrableTaskDefinition; file?: string };
  /** `images`, or what images-from resolved (images-from/target-images.ts). */
  images: readonly ImageOverride[];
  /** Service deploys: the service's configuration the inputs merge over (none: ECS's defaults). */
  deployment?: { current: DeploymentConfiguration | undefined; serviceName: string };
  /** Whether RunTask's own checks apply. */
  runTask: boolean;
}

/**
 * Every check a deploy makes before its first change that needs no AWS call, in order: the task
 * definition, images, secrets, environment (credential refusal included), the strategy settings
 * merged over the service's, the timeout against the bakes, and RunTask's networking. Service and
 * run-task modes call it with `Checks.stopAtFirst()` once the reads are done; mode validate with
 * `Checks.collectAll()` on the file alone: one code path, so validate passes what a deploy passes.
 */
export function planOffline(subject: OfflineSubject, checks: Checks): OfflinePlan {
  const { inputs } = subject;
  const plan: OfflinePlan = {};
  const base = checks.run(
    'task definition',
    subject.base.load,
    (definition) =>
      `family "${definition.family}", containers ${definition.containerDefinitions.map((c) => c.name).join(', ')}`,
  );
  if (base === undefined) {
    for (const check of ['images', 'secrets', 'environment'])
      checks.skip(check, 'needs the task definition, which was refused');
  } else {
    plan.rendered = renderTaskDefinition(
      base,
      {
        images: subject.images,
        environment: inputs.environment,
        secrets: inputs.secrets,
        allowPlaintext: inputs.allowPlaintext,
      },
      {
        base: subject.base.file ? { kind: 'file', where: subject.base.file } : { kind: 'revision' },
        checks,
      },
    );
  }

  if (subject.deployment) {
    const { current, serviceName } = subject.deployment;
    const configuration = checks.run(
      'strategy',
      () => {
        const merged = buildDeploymentConfiguration(inputs, current);
        checkDeploymentConfiguration(merged, inputs, serviceName);
        return merged;
      },
      (merged) =>
        `${merged.strategy ?? 'ROLLING'}${inputs.gate === 'pause' ? ' with the gate' : ''}${current === undefined ? " (merged over ECS's defaults: the service's own settings are not read)" : ''}`,
    );
    if (configuration === undefined)
      checks.skip('timeout', 'needs the strategy settings, which were refused');
    else {
      const timing = timeoutPlan(configuration, inputs.wait);
      const timeoutMs = checks.run(
        'timeout',
        () => resolveTimeout(inputs.timeoutMs, timing, inputs.wait),
        (ms) =>
          `${formatDuration(ms)}${inputs.timeoutMs === undefined ? ` (derived from ${timing.describe})` : ''} fits ${timing.describe}`,
      );
      if (timeoutMs !== undefined) plan.deployment = { configuration, plan: timing, timeoutMs };
    }
  }

  if (subject.runTask) {
    if (plan.rendered === undefined) checks.skip('run-task', 'needs the task definition, which was refused');
    else {
      const definition = plan.rendered.taskDefinition;
      const commandContainer = checks.run(
        'run-task',
        () => checkRunTask(definition, inputs.runTask),
        (container) =>
          `networking${definition.networkMode ? ` (${definition.networkMode})` : ''}${container ? `; command for container ${container}` : ''}`,
      );
      if (commandContainer !== undefined) plan.commandContainer = commandContainer;
    }
  }
  return plan;
}
