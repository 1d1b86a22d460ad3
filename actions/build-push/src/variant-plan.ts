import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { changedSince } from './changed-paths.js';
import { contentKey } from './content-key.js';
import { checkTargets, dockerfileStages } from './dockerfile.js';
import type { Git } from './git.js';
import type { BuildPushInputs } from './inputs.js';
import { refuseSecretLookingArgs } from './secret-args.js';
import { checkTagCollisions, renderTags } from './tags.js';
import type { Variant } from './variant.js';

/** Everything decided about one variant before the registry is asked anything. */
export interface VariantPlan {
  variant: Variant;
  /** sha256 of what the image is made of, and the tag that records it in the registry. */
  contentKey: string;
  contentTag: string;
  /** Files of the variant's paths at HEAD (how many the key covers). */
  files: number;
  /** This commit's tags: the commit SHA plus suffix first, then the rendered templates. */
  tags: string[];
  changed: { base?: string; files: string[]; note?: string };
}

export interface PlanContext {
  git: Git;
  workspace: string;
  sha: string;
  branch: string;
  baseRef?: string;
}

/**
 * Validates every variant against the Dockerfile and the repository and computes its content key
 * and tags: all of it before any registry or build call, so bad input changes nothing.
 */
export async function planVariants(inputs: BuildPushInputs, context: PlanContext): Promise<VariantPlan[]> {
  const dockerfilePath = path.resolve(context.workspace, inputs.file);
  let dockerfileText: string;
  try {
    dockerfileText = await readFile(dockerfilePath, 'utf8');
  } catch {
    throw new ConfigurationError(
      `Input "file" must name an existing Dockerfile; ${JSON.stringify(inputs.file)} was not found in ${context.workspace}.`,
    );
  }
  checkTargets(inputs.variants, dockerfileStages(dockerfileText), inputs.file);
  refuseSecretLookingArgs(inputs.variants);

  const plans: VariantPlan[] = [];
  const tagsByVariant = new Map<string, string[]>();
  for (const [index, variant] of inputs.variants.entries()) {
    const tags = renderTags(inputs.tagTemplates, {
      sha: context.sha,
      branch: context.branch,
      variant: variant.name,
      suffix: variant.tagSuffix,
    });
    tagsByVariant.set(variant.name, tags);
    const key = await contentKey(context.git, {
      variant,
      index,
      dockerfilePath: inputs.file,
      dockerfileText,
      contextDir: inputs.context,
    });
    const changed = await changedSince(context.git, {
      ...(context.baseRef ? { base: context.baseRef } : {}),
      paths: variant.paths,
      contextDir: inputs.context,
    });
    plans.push({ variant, contentKey: key.key, contentTag: key.tag, files: key.files, tags, changed });
  }
  checkTagCollisions(tagsByVariant);
  return plans;
}
