import type { BuilderInfo } from './builder.js';
import type { BuildPushInputs } from './inputs.js';
import { CACHE_TAG_PREFIX } from './repository-policy.js';
import type { VariantPlan } from './variant-plan.js';

export type CacheRefs = { from?: string; to?: string };

/**
 * Where BuildKit reads and writes its layer cache. A builder that cannot export is said so once,
 * with why and how to enable it, and the build goes on reading the cache only: never a failure.
 */
export function cachePlan(
  inputs: Pick<BuildPushInputs, 'cache' | 'push'>,
  builder: BuilderInfo,
  where: { host: string; repository: string },
  logger: { warning(message: string): void },
  env: NodeJS.ProcessEnv = process.env,
): (plan: VariantPlan) => CacheRefs {
  if (inputs.cache === 'none' || !inputs.push) return () => ({});
  const exportable = builder.cacheExport;
  if (inputs.cache === 'gha') {
    const runtime = Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL));
    if (builder.kind !== 'buildx' || !runtime) {
      const why =
        builder.kind !== 'buildx'
          ? builder.cacheExportWhyNot
          : 'the runner does not expose its cache service to this step (ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_URL): run crazy-max/ghaction-github-runtime before it';
      logger.warning(`cache is gha, but ${why}; building without a cache.`);
      return () => ({});
    }
    if (!exportable) logger.warning(`The gha cache is read but not written: ${builder.cacheExportWhyNot}.`);
    return (plan) => {
      const scope = `scope=${where.repository.replace(/[^A-Za-z0-9_.-]/g, '-')}-${plan.variant.name}`;
      return { from: `type=gha,${scope}`, ...(exportable ? { to: `type=gha,${scope},mode=max` } : {}) };
    };
  }
  if (!exportable)
    logger.warning(`The registry cache is read but not written: ${builder.cacheExportWhyNot}.`);
  return (plan) => {
    const ref = `ref=${where.host}/${where.repository}:${CACHE_TAG_PREFIX}${plan.variant.name}`;
    return {
      from: `type=registry,${ref}`,
      ...(exportable ? { to: `type=registry,${ref},mode=max,image-manifest=true,oci-mediatypes=true` } : {}),
    };
  };
}
