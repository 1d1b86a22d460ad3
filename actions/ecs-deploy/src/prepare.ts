import type { Deps } from './deps.js';
import type { DeployInputs } from './inputs.js';
import { preflight, type Preflight } from './preflight.js';
import { registerOrReuse } from './registration.js';
import { renderTaskDefinition } from './render.js';
import type { DeployReport } from './report.js';
import type { RegistrableTaskDefinition } from './task-definition.js';

export interface Prepared {
  pre: Preflight;
  /** The task definition to deploy or run, not yet registered. */
  definition: RegistrableTaskDefinition;
}

/** Every read and check that needs no change: preflight, then the rendered task definition. */
export async function loadAndRender(
  deps: Deps,
  inputs: DeployInputs,
  report: DeployReport,
): Promise<Prepared> {
  const pre = await preflight(deps.ecs, inputs);
  if (pre.previousTaskDefinitionArn) report.previousTaskDefinitionArn = pre.previousTaskDefinitionArn;
  const rendered = renderTaskDefinition(pre.base, inputs.images, inputs.environment);
  report.images = rendered.images;
  report.environment = rendered.environment;
  for (const change of rendered.images)
    deps.logger.info(`image ${change.container}: ${change.from} → ${change.to}`);
  for (const change of rendered.environment)
    deps.logger.info(`environment ${change.container}: set ${change.names.join(', ')}`);
  return { pre, definition: rendered.taskDefinition };
}

/** The first change: registers the rendered revision, or reuses an equal one. Returns its ARN. */
export async function register(deps: Deps, prepared: Prepared, report: DeployReport): Promise<string> {
  const { pre, definition } = prepared;
  const registration = await registerOrReuse(deps, definition, {
    base: pre.base,
    ...(pre.baseArn ? { baseArn: pre.baseArn } : {}),
    ...(pre.previousTaskDefinitionArn ? { currentArn: pre.previousTaskDefinitionArn } : {}),
  });
  report.taskDefinitionArn = registration.taskDefinitionArn;
  report.registered = registration.registered;
  return registration.taskDefinitionArn;
}
