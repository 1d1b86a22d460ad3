/** The registry cache's tags (mutable: rewritten by every build of the variant). */
export const CACHE_TAG_PREFIX = 'buildcache-';

/**
 * The tags this action rewrites to point at newer images, as ECR tag-mutability exclusion patterns
 * (`*` matches any characters): everything else it writes (the commit SHA, the content key) names
 * one image forever, so a repository it creates keeps those immutable.
 *
 * A template without `{sha}` or `{short-sha}` (`latest`, `{branch}`) moves with every build; the
 * trailing `*` covers the variant's tag suffix. The registry cache tags move with every build too.
 */
export function mutableTagPatterns(templates: string[], registryCache: boolean): string[] {
  const patterns = new Set<string>();
  for (const template of templates) {
    if (/\{(sha|short-sha)\}/.test(template)) continue;
    patterns.add(`${template.replace(/\{[a-z-]+\}/g, '*')}*`.replace(/\*+/g, '*'));
  }
  if (registryCache) patterns.add(`${CACHE_TAG_PREFIX}*`);
  return [...patterns];
}
