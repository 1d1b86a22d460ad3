import { ConfigurationError } from '@ecs-ship/shared/errors';
import { Checks } from '../checks.js';
import type { EnvironmentOverride, ImageOverride, SecretOverride } from '../inputs.js';
import {
  plaintextCredentialsIn,
  refusePlaintextCredentials,
  type PlainVariable,
} from './plaintext-credentials.js';
import type { SecretSource } from './secret-references.js';
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

export interface SecretChange {
  container: string;
  /** Names and where ECS fetches each from; the references themselves stay out of logs and summary. */
  secrets: Array<{ name: string; source: SecretSource }>;
}

export interface Rendered {
  taskDefinition: RegistrableTaskDefinition;
  images: ImageChange[];
  environment: EnvironmentChange[];
  secrets: SecretChange[];
  /** container.NAME of plain-text variables that look like credentials but were already registered. */
  plaintextWarnings: string[];
}

export interface Overrides {
  images: readonly ImageOverride[];
  environment: readonly EnvironmentOverride[];
  secrets: readonly SecretOverride[];
  /** `allow-plaintext-environment`: container.NAME known not to be secret. */
  allowPlaintext: readonly string[];
}

export interface RenderOptions {
  /**
   * Where the base came from. Plain-text credentials in a file given to us are refused (registering
   * it would store them); in a revision ECS already holds they are only warned about (refusing
   * would block every deploy of that service until someone rewrites its task definition).
   */
  base: { kind: 'file'; where: string } | { kind: 'revision' };
  checks?: Checks;
}

/**
 * Applies `images`, `secrets` and `environment` to a task definition, in that order, each as a named
 * check (checks.ts). Every named container must exist; a variable cannot be both a secret and plain
 * text; a plain-text variable that looks like a credential is refused.
 */
export function renderTaskDefinition(
  base: RegistrableTaskDefinition,
  overrides: Overrides,
  options: RenderOptions = { base: { kind: 'revision' } },
): Rendered {
  const checks = options.checks ?? Checks.stopAtFirst();
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
  const rendered: Rendered = {
    taskDefinition,
    images: [],
    environment: [],
    secrets: [],
    plaintextWarnings: [],
  };

  checks.run(
    'images',
    () => {
      for (const { container, image } of overrides.images) {
        const definition = find('images', container);
        const from = definition.image ?? '';
        definition.image = image;
        const existing = rendered.images.find((change) => change.container === container);
        if (existing) existing.to = image;
        else rendered.images.push({ container, from, to: image });
      }
      rendered.images = rendered.images.filter((change) => change.from !== change.to);
    },
    () =>
      listed(
        overrides.images.map((image) => image.container),
        'no "images"',
      ),
  );

  const fromSecretsInput = new Set<string>();
  checks.run(
    'secrets',
    () => {
      for (const { container, name, valueFrom, source } of overrides.secrets) {
        const definition = find('secrets', container);
        if (definition.environment?.some((variable) => variable.name === name)) {
          throw new ConfigurationError(
            `Input "secrets" sets ${container}.${name}, which container "${container}" already has as a plain-text environment variable ` +
              `(${options.base.kind === 'file' ? options.base.where : 'the revision it starts from'}); it would be both. ` +
              'Remove it from the environment of the task definition (a "task-definition" file renders one without it).',
          );
        }
        const list = (definition.secrets ??= []);
        const current = list.find((secret) => secret.name === name);
        if (current) current.valueFrom = valueFrom;
        else list.push({ name, valueFrom });
        fromSecretsInput.add(`${container}.${name}`);
        let change = rendered.secrets.find((entry) => entry.container === container);
        if (!change) rendered.secrets.push((change = { container, secrets: [] }));
        change.secrets = [...change.secrets.filter((secret) => secret.name !== name), { name, source }];
      }
      const withSecrets = taskDefinition.containerDefinitions.filter((c) => (c.secrets ?? []).length > 0);
      if (withSecrets.length > 0 && !taskDefinition.executionRoleArn) {
        throw new ConfigurationError(
          `Container${withSecrets.length > 1 ? 's' : ''} ${withSecrets.map((c) => `"${c.name}"`).join(', ')} take${withSecrets.length > 1 ? '' : 's'} secrets, ` +
            `but task definition family "${taskDefinition.family}" has no "executionRoleArn": ECS fetches secrets with the task execution role ` +
            '(secretsmanager:GetSecretValue, ssm:GetParameters, kms:Decrypt for customer-managed keys; see the README). Add it to the task definition.',
        );
      }
    },
    () =>
      listed(
        overrides.secrets.map((secret) => `${secret.container}.${secret.name} (${secret.source})`),
        'no "secrets"',
      ),
  );

  checks.run(
    'environment',
    () => {
      for (const { container, name, value } of overrides.environment) {
        const definition = find('environment', container);
        if (definition.secrets?.some((secret) => secret.name === name)) {
          throw new ConfigurationError(
            fromSecretsInput.has(`${container}.${name}`)
              ? `Inputs "environment" and "secrets" both set ${container}.${name}; a variable is either a secret or plain text: remove one of the two.`
              : `Input "environment" sets ${container}.${name}, which container "${container}" already takes from "secrets" (a Secrets Manager or SSM reference); remove one of the two.`,
          );
        }
        const variables = (definition.environment ??= []);
        const current = variables.find((variable) => variable.name === name);
        if (current) current.value = value;
        else variables.push({ name, value });
        let change = rendered.environment.find((entry) => entry.container === container);
        if (!change) rendered.environment.push((change = { container, names: [] }));
        if (!change.names.includes(name)) change.names.push(name);
      }
      // After the conflicts with secrets: "use secrets" is no advice for a variable already there.
      const allowed = new Set(overrides.allowPlaintext);
      refusePlaintextCredentials(overrides.environment, allowed, () => 'Input "environment" sets');
      const inherited = plainVariables(base);
      if (options.base.kind === 'file') {
        const where = options.base.where;
        refusePlaintextCredentials(
          inherited,
          allowed,
          (variable) => `${where}: container "${variable.container}" has`,
        );
      } else rendered.plaintextWarnings = plaintextCredentialsIn(inherited, allowed);
    },
    () =>
      `${listed(
        overrides.environment.map((variable) => `${variable.container}.${variable.name}`),
        'no "environment"',
      )}; no plain-text credential`,
  );
  return rendered;
}

function plainVariables(taskDefinition: RegistrableTaskDefinition): PlainVariable[] {
  return taskDefinition.containerDefinitions.flatMap((container) =>
    (container.environment ?? []).map((variable) => ({
      container: container.name ?? '',
      name: variable.name ?? '',
      ...(variable.value !== undefined ? { value: variable.value } : {}),
    })),
  );
}

function listed(items: string[], none: string): string {
  return items.length === 0 ? none : [...new Set(items)].join(', ');
}

/** The log lines for what rendering changed: images, secret names and sources, variable names (never values). */
export function describeRendered(rendered: Rendered): string[] {
  return [
    ...rendered.images.map((change) => `image ${change.container}: ${change.from} → ${change.to}`),
    ...rendered.secrets.map(
      (change) =>
        `secrets ${change.container}: ${change.secrets.map((secret) => `${secret.name} (${secret.source})`).join(', ')}`,
    ),
    ...rendered.environment.map(
      (change) => `environment ${change.container}: set ${change.names.join(', ')}`,
    ),
  ];
}
