import path from 'node:path';
import type { Clock } from '@ecs-ship/shared/clock';
import type { Logger } from '@ecs-ship/shared/logger';
import { build, type BuilderInfo } from './builder.js';
import type { Exec } from './exec.js';
import type { BuildPushInputs } from './inputs.js';
import type { CacheRefs } from './cache-plan.js';
import type { RegistryClient } from './registry-client.js';
import type { VariantPlan } from './variant-plan.js';

export interface VariantResult {
  name: string;
  /** `host/repository@sha256:...` when the image is in the registry, else `host/repository:tag`. */
  uri: string;
  digest?: string;
  /** Every tag that now names this image: the commit's, then the content key's. */
  tags: string[];
  built: boolean;
  /** Why it was built or skipped, in one sentence. */
  reason: string;
  contentKey: string;
  durationMs: number;
  /** Image size in the registry (config and layers, compressed). */
  sizeBytes?: number;
  steps?: number;
  cachedSteps?: number;
  /** Tags that already pointed at this image (a re-run). */
  unchangedTags: string[];
}

export interface PublishContext {
  exec: Exec;
  env: Record<string, string>;
  registry: RegistryClient;
  /** Logs in and finds the builder on first use: a run that only retags never needs Docker. */
  prepareBuild: (plan: VariantPlan) => Promise<{ builder: BuilderInfo; cache: CacheRefs }>;
  host: string;
  repository: string;
  inputs: Pick<BuildPushInputs, 'push' | 'provenance' | 'cleanup' | 'context' | 'file'>;
  workspace: string;
  secretFiles: Record<string, string>;
  metadataFile: string;
  logger: Logger;
  clock: Clock;
}

/**
 * One variant: when the registry already holds an image of the same content (its content tag), that
 * image gets this commit's tags by a manifest retag (no layer moves, the digest stays); otherwise it
 * is built and pushed under this commit's tags and its content tag.
 */
export async function publishVariant(plan: VariantPlan, context: PublishContext): Promise<VariantResult> {
  const { registry, repository, logger, clock } = context;
  const started = clock.now();
  const name = plan.variant.name;
  const base = { name, contentKey: plan.contentKey };
  const existing = await registry.getManifest(repository, plan.contentTag);
  if (existing) {
    const sizeBytes = registry.manifestSize(existing);
    if (!context.inputs.push) {
      logger.info(
        `Same content as ${plan.contentTag} (${existing.digest}); push is false, so no tag is written.`,
      );
      return {
        ...base,
        uri: `${context.host}/${repository}@${existing.digest}`,
        digest: existing.digest,
        tags: [plan.contentTag],
        built: false,
        reason: `Same content as ${plan.contentTag}: nothing to build (push is false: not retagged).`,
        durationMs: clock.now() - started,
        ...(sizeBytes !== undefined ? { sizeBytes } : {}),
        unchangedTags: [],
      };
    }
    const retag = await registry.retag(repository, existing, plan.tags);
    logger.info(
      `Same content as ${plan.contentTag}: gave ${existing.digest} the tags ${plan.tags.join(', ')} (${retag.created.length} new, ${retag.unchanged.length} already there); nothing built or uploaded.`,
    );
    return {
      ...base,
      uri: `${context.host}/${repository}@${retag.digest}`,
      digest: retag.digest,
      tags: [...plan.tags, plan.contentTag],
      built: false,
      reason: `Same content as ${plan.contentTag} (${plan.files} files of ${plan.variant.paths.join(', ')} unchanged): retagged, not built.`,
      durationMs: clock.now() - started,
      ...(sizeBytes !== undefined ? { sizeBytes } : {}),
      unchangedTags: retag.unchanged,
    };
  }

  const refs = [...plan.tags, plan.contentTag].map((tag) => `${context.host}/${repository}:${tag}`);
  const { builder, cache } = await context.prepareBuild(plan);
  const result = await build(
    context.exec,
    builder,
    {
      name,
      contextDir: path.resolve(context.workspace, context.inputs.context),
      dockerfile: path.resolve(context.workspace, context.inputs.file),
      ...(plan.variant.target ? { target: plan.variant.target } : {}),
      buildArgs: plan.variant.buildArgs,
      platforms: plan.variant.platforms,
      tags: refs,
      push: context.inputs.push,
      provenance: context.inputs.provenance,
      ...(cache.from ? { cacheFrom: cache.from } : {}),
      ...(cache.to ? { cacheTo: cache.to } : {}),
      secretFiles: context.secretFiles,
      metadataFile: context.metadataFile,
    },
    context.env,
  );
  let sizeBytes: number | undefined;
  if (result.digest) {
    // The builder's digest is checked against the registry's own answer for the content tag.
    const pushed = await registry.getManifest(repository, plan.contentTag);
    if (pushed?.digest !== result.digest) {
      throw new Error(
        `Variant "${name}": the builder reports ${result.digest} but the registry has ${pushed?.digest ?? 'nothing'} under ${plan.contentTag}.`,
      );
    }
    sizeBytes = registry.manifestSize(pushed);
  }
  if (context.inputs.cleanup && context.inputs.push) await removeLocalImages(context, refs);
  const why = plan.changed.note
    ? `no image of this content yet (${plan.changed.note})`
    : plan.changed.base
      ? plan.changed.files.length > 0
        ? `no image of this content yet; ${plan.changed.files.length} file(s) changed since ${plan.changed.base.slice(0, 12)}: ${summariseFiles(plan.changed.files)}`
        : `no image of this content yet (nothing in its paths changed since ${plan.changed.base.slice(0, 12)}, but the registry has no image for ${plan.contentTag})`
      : 'no image of this content yet';
  return {
    name,
    contentKey: plan.contentKey,
    uri: result.digest ? `${context.host}/${repository}@${result.digest}` : (refs[0] as string),
    ...(result.digest ? { digest: result.digest } : {}),
    tags: [...plan.tags, plan.contentTag],
    built: true,
    reason: `Built: ${why}.`,
    durationMs: clock.now() - started,
    ...(sizeBytes !== undefined ? { sizeBytes } : {}),
    steps: result.steps,
    cachedSteps: result.cachedSteps,
    unchangedTags: [],
  };
}

function summariseFiles(files: string[]): string {
  const shown = files.slice(0, 3).join(', ');
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

/** CUDA-sized images fill runner disks: once pushed, the local copies go. */
async function removeLocalImages(context: PublishContext, refs: string[]): Promise<void> {
  const removed = await context.exec('docker', ['image', 'rm', ...refs], { env: context.env, silent: true });
  if (removed.exitCode !== 0) {
    context.logger.debug(`docker image rm: ${removed.stderr.trim()}`);
  }
}
