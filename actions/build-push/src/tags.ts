import { ConfigurationError } from '@ecs-ship/shared/errors';

/** Docker's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_TAG = 128;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS = ['sha', 'short-sha', 'branch', 'variant', 'suffix'] as const;
/** The content tags this action writes (content-key.ts); a template may not imitate one. */
const CONTENT_TAG = /^content-[0-9a-f]{40}$/;
const COMMIT_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

export interface TagContext {
  /** The full commit id. */
  sha: string;
  /** The branch (or `refs/heads/...`); '' or 'HEAD' when the commit is on none. */
  branch: string;
  variant: string;
  suffix: string;
}

/**
 * A branch name as part of a tag: `refs/heads/` dropped, every run of characters a tag cannot hold
 * (`/` among them) made one `-`, no leading `.` or `-`, at most `max` characters. '' when nothing
 * is left.
 */
export function sanitiseBranch(branch: string, max = MAX_TAG): string {
  return branch
    .replace(/^refs\/heads\//, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, Math.max(0, max));
}

/**
 * This commit's tags for one variant: the commit SHA plus suffix always first, then each template
 * of the `tags` input with `{sha}`, `{short-sha}` (7 characters), `{branch}`, `{variant}` and
 * `{suffix}` filled in. The variant's suffix is appended to a template that names neither
 * `{variant}` nor `{suffix}`, so `latest` gives `latest` and `latest-cuda` rather than one tag
 * written twice. A branch too long for the tag is shortened to fit. Duplicates are dropped; an
 * unknown placeholder or an invalid tag is an error naming the template and the variant.
 */
export function renderTags(templates: string[], context: TagContext): string[] {
  if (!COMMIT_ID.test(context.sha)) {
    throw new Error(`renderTags needs the full commit id; got ${JSON.stringify(context.sha)}.`);
  }
  const tags = [`${context.sha}${context.suffix}`];
  templates.forEach((raw, index) => {
    const template = raw.trim();
    if (template === '') return;
    const where = `tags[${index}] (${JSON.stringify(template)})`;
    const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
    const unknown = names.find((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
    if (unknown !== undefined) {
      throw new ConfigurationError(
        `${where} must use only the placeholders ${PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}; got {${unknown}}.`,
      );
    }
    const withSuffix =
      names.includes('variant') || names.includes('suffix') ? template : `${template}{suffix}`;
    const fill = (branch: string) =>
      withSuffix.replace(PLACEHOLDER, (_, name: string) => {
        if (name === 'sha') return context.sha;
        if (name === 'short-sha') return context.sha.slice(0, 7);
        if (name === 'variant') return context.variant;
        if (name === 'suffix') return context.suffix;
        return branch;
      });
    let tag = fill('');
    const branchUses = names.filter((name) => name === 'branch').length;
    if (branchUses > 0) {
      const branchName = context.branch === 'HEAD' ? '' : context.branch;
      if (sanitiseBranch(branchName) === '') {
        throw new ConfigurationError(
          `${where} uses {branch}, but ${
            branchName === ''
              ? 'this commit is on no branch (a detached checkout)'
              : `the branch ${JSON.stringify(branchName)} has no character a tag can hold`
          } (variant ${context.variant}): use {sha} or {short-sha} for such runs.`,
        );
      }
      const room = Math.max(1, Math.floor((MAX_TAG - tag.length) / branchUses));
      tag = fill(sanitiseBranch(branchName, room));
    }
    if (!TAG.test(tag)) {
      throw new ConfigurationError(
        `${where} must give a valid tag for variant ${context.variant} (1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -); got ${JSON.stringify(tag)}.`,
      );
    }
    if (CONTENT_TAG.test(tag)) {
      throw new ConfigurationError(
        `${where} must not give a tag of the form content-<40 hex>, which this action keeps for content keys; got ${JSON.stringify(tag)}.`,
      );
    }
    if (!tags.includes(tag)) tags.push(tag);
  });
  return tags;
}

/**
 * No two variants may write the same tag: the later push would silently take it from the other.
 * The error names the tag and both variants.
 */
export function checkTagCollisions(tagsByVariant: Map<string, string[]>): void {
  const owner = new Map<string, string>();
  for (const [variant, tags] of tagsByVariant) {
    for (const tag of tags) {
      const other = owner.get(tag);
      if (other !== undefined && other !== variant) {
        throw new ConfigurationError(
          `Variants ${other} and ${variant} would both be tagged ${JSON.stringify(tag)}: give each its own tag-suffix (e.g. tag-suffix: -${variant}), or put {variant} or {suffix} in that entry of "tags".`,
        );
      }
      owner.set(tag, variant);
    }
  }
}
