import { createHash } from 'node:crypto';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { filesAt, globPathspecs, GitError, insideContext, type Git, type TreeFile } from './git.js';
import { variantLabel, type Variant } from './variant.js';

/** Changed whenever what goes into a key changes, so an old key never names a new kind of image. */
const KEY_FORMAT = 'ecs-ship/build-push content key v1';

export interface ContentKey {
  /** sha256, 64 hex digits. */
  key: string;
  /** The tag that records the key in the registry: `content-<first 40 hex>`. */
  tag: string;
  /** Files of the variant's paths (inside the context) that the key covers. */
  files: number;
}

export interface ContentKeyInput {
  variant: Variant;
  /** The variant's place in the `variants` input, for error messages (`variants[1] (cuda)`). */
  index?: number;
  /** Relative to the repository root. */
  dockerfilePath: string;
  dockerfileText: string;
  /** The build context relative to the repository root; '.' for the root. */
  contextDir: string;
  /** The commit whose tree is keyed; HEAD when absent. */
  commit?: string;
}

/**
 * A hash of what the variant's image is made of: the mode, object id and path of every file its
 * paths select in the commit's tree (git's own record of the content: no file is read, and the
 * same content has the same ids on any branch, after a revert or a squash, in a shallow clone),
 * the `.dockerignore` files that decide what of the context the builder sees, the Dockerfile's
 * path and text, the context, target, build args (sorted) and platforms (sorted). History plays
 * no part, so a change outside the paths leaves the key as it was.
 *
 * Not in the key, by design: base images named by tag in `FROM` (pin them by digest to have a
 * new base rebuild), and files that are not committed (generated into the context by an earlier
 * step). Each `paths` entry must select at least one committed file in the context.
 */
export async function contentKey(git: Git, input: ContentKeyInput): Promise<ContentKey> {
  const { variant, contextDir } = input;
  const label = variantLabel(variant, input.index);
  const commit = await resolveCommit(git, input.commit ?? 'HEAD');
  const { includes, excludes } = globPathspecs(variant.paths);
  const byPath = new Map<string, TreeFile>();
  let includeIndex = 0;
  for (const [pathIndex, glob] of variant.paths.entries()) {
    if (glob.startsWith('!')) continue;
    const pathspec = includes[includeIndex++] as string;
    const selected = insideContext(await filesAt(git, commit, [pathspec, ...excludes]), contextDir);
    if (selected.length === 0) {
      throw new ConfigurationError(
        `${label}.paths[${pathIndex}] must select at least one file committed at ${commit.slice(0, 12)}${
          contextDir === '.' ? '' : ` inside the context ${contextDir}`
        }${excludes.length > 0 ? ' (after the ! exclusions)' : ''}; ${JSON.stringify(glob)} selects none. ${await hint(git, commit, glob, contextDir)}`,
      );
    }
    for (const file of selected) byPath.set(file.path, file);
  }
  const files = [...byPath.values()].sort((a, b) => compare(a.path, b.path));
  const ignoreFiles = await filesAt(git, commit, [
    `:(top,literal)${contextDir === '.' ? '' : `${contextDir}/`}.dockerignore`,
    `:(top,literal)${input.dockerfilePath}.dockerignore`,
  ]);
  const described = JSON.stringify({
    format: KEY_FORMAT,
    context: contextDir,
    dockerfile: { path: input.dockerfilePath, sha256: sha256(input.dockerfileText) },
    target: variant.target ?? null,
    buildArgs: Object.entries(variant.buildArgs).sort(([a], [b]) => compare(a, b)),
    platforms: [...new Set(variant.platforms)].sort(compare),
    ignoreFiles: ignoreFiles.map(treeLine),
    files: files.map(treeLine),
  });
  const key = sha256(described);
  return { key, tag: `content-${key.slice(0, 40)}`, files: files.length };
}

async function resolveCommit(git: Git, ref: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new ConfigurationError(
      `The content keys need the commit ${ref} of a git checkout, and git cannot read it (${error.stderr}): run actions/checkout before this step.`,
    );
  }
}

/** What the user most likely meant when a glob selects nothing. */
async function hint(git: Git, commit: string, glob: string, contextDir: string): Promise<string> {
  const rules =
    'Paths are git globs relative to the repository root: * stays in one directory, ** crosses them, a plain name takes a file or a whole directory.';
  if (contextDir === '.') return rules;
  const underContext = `${contextDir}/${glob}`;
  const { includes } = globPathspecs([underContext]);
  const found = await filesAt(git, commit, includes);
  return found.length > 0 ? `${rules} Did you mean ${JSON.stringify(underContext)}?` : rules;
}

function treeLine(file: TreeFile): string {
  return `${file.mode} ${file.object} ${file.path}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Code-unit order: the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
