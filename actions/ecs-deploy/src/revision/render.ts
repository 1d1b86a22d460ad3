import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { EnvironmentOverride, ImageOverride } from '../inputs.js';
import type { RegistrableTaskDefinition } from './task-definition.js';

export interface ImageChange {
  container: string;
  from: string;
  to: string;
}

export interface EnvironmentChange {
  container: string;
  /** Names only: values never leave the task definition. */
  names: string[];
}

export interface Rendered {
  taskDefinition: RegistrableTaskDefinition;
  images: ImageChange[];
  environment: EnvironmentChange[];
}

/**
 * Applies `images` and `environment` to a task definition. Every named container must exist; a
 * variable that the container takes from `secrets` cannot also be set as plain text.
 */
export function renderTaskDefinition(
  base: RegistrableTaskDefinition,
  images: readonly ImageOverride[],
  environment: readonly EnvironmentOverride[],
): Rendered {
  const taskDefinition = structuredClone(base);
  const names = taskDefinition.containerDefinitions.map((container) => container.name ?? '');
  const find = (input: string, container: string) => {
    const found = taskDefinition.containerDefinitions.find((candidate) => candidate.name === container);
    if (!found) {
      throw new ConfigurationError(
        `Input "${input}" names container "${container}", which task definition family "${taskDefinition.family}" does not have; its containers are ${names.map((name) => `"${name}"`).join(', ')}.`,
      );
    }
    return found;
  };

  const imageChanges: ImageChange[] = [];
  for (const { container, image } of images) {
    const definition = find('images', container);
    const from = definition.image ?? '';
    definition.image = image;
    const existing = imageChanges.find((change) => change.container === container);
    if (existing) existing.to = image;
    else imageChanges.push({ container, from, to: image });
  }

  const environmentChanges: EnvironmentChange[] = [];
  for (const { container, name, value } of environment) {
    const definition = find('environment', container);
    if (definition.secrets?.some((secret) => secret.name === name)) {
      throw new ConfigurationError(
        `Input "environment" sets ${container}.${name}, which container "${container}" already takes from "secrets" (a Secrets Manager or SSM reference); remove one of the two.`,
      );
    }
    const variables = (definition.environment ??= []);
    const current = variables.find((variable) => variable.name === name);
    if (current) current.value = value;
    else variables.push({ name, value });
    let change = environmentChanges.find((entry) => entry.container === container);
    if (!change) environmentChanges.push((change = { container, names: [] }));
    if (!change.names.includes(name)) change.names.push(name);
  }

  return {
    taskDefinition,
    images: imageChanges.filter((change) => change.from !== change.to),
    environment: environmentChanges,
  };
}

/** The log lines for what rendering changed: images, and variable names (never values). */
export function describeRendered(rendered: Rendered): string[] {
  return [
    ...rendered.images.map((change) => `image ${change.container}: ${change.from} → ${change.to}`),
    ...rendered.environment.map(
      (change) => `environment ${change.container}: set ${change.names.join(', ')}`,
    ),
  ];
}
