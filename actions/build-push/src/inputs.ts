import path from 'node:path';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { InputReader } from '@ecs-ship/shared/inputs';
import type { Variant } from './variant.js';
import { parseVariants } from './variants.js';

export type CacheMode = 'registry' | 'gha' | 'none';

export interface BuildPushInputs {
  /** As given: a repository name or a full URI (parsed with the registry facts in main). */
  repository: string;
  /** Relative to the workspace (the repository root), normalised, never outside it. */
  context: string;
  /** The Dockerfile, relative to the workspace. */
  file: string;
  variants: Variant[];
  tagTemplates: string[];
  baseRef?: string;
  cache: CacheMode;
  createRepository: boolean;
  push: boolean;
  provenance: boolean;
  registry?: string;
  /** BuildKit secrets: id → value (registered as secrets, so masked everywhere). */
  secrets: Record<string, string>;
  cleanup: boolean;
  region?: string;
}

/** Names of inputs whose values are never quoted back. */
export const SECRET_INPUTS = ['secrets'] as const;

const SECRET_ID = { pattern: /^[A-Za-z0-9_.-]+$/, description: 'id' };
const REGISTRY_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?$/;

/** Reads and checks every input that needs neither git nor the file system beyond the workspace. */
export function getInputs(inputs: InputReader): BuildPushInputs {
  const repository = inputs.required('repository');
  const context = workspacePath(inputs, 'context', inputs.string('context', '.'));
  const file = workspacePath(
    inputs,
    'file',
    inputs.optional('file') ?? path.posix.join(context, 'Dockerfile'),
  );
  const variantsInput = inputs.yaml('variants');
  const variants = parseVariants(variantsInput?.value, variantsInput?.source ?? 'default', context);
  const registry = inputs.optional('registry');
  if (registry !== undefined && !REGISTRY_HOST.test(registry)) {
    inputs.fail(
      'registry',
      'a registry host such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com or 127.0.0.1:5000 (no scheme, no path)',
      registry,
    );
  }
  const secrets = Object.fromEntries(
    inputs.keyValueLines('secrets', SECRET_ID, { hideValues: true, isSecret: () => true }),
  );
  const baseRef = inputs.optional('base-ref');
  const region = inputs.optional('region');
  return {
    repository,
    context,
    file,
    variants,
    tagTemplates: inputs.list('tags'),
    ...(baseRef ? { baseRef } : {}),
    cache: inputs.enumeration('cache', ['registry', 'gha', 'none'] as const, 'registry'),
    createRepository: inputs.boolean('create-repository', false),
    push: inputs.boolean('push', true),
    provenance: inputs.boolean('provenance', false),
    ...(registry ? { registry } : {}),
    secrets,
    cleanup: inputs.boolean('cleanup', true),
    ...(region ? { region } : {}),
  };
}

/** A path inside the workspace, as a normalised relative POSIX path ('.' for the root). */
function workspacePath(inputs: InputReader, name: string, value: string): string {
  const absolute = path.resolve(inputs.workspace, value);
  const relative = path.relative(inputs.workspace, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new ConfigurationError(
      `Input "${name}" must be a path inside the repository (${inputs.workspace}); got ${JSON.stringify(value)}.`,
    );
  }
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}
