import { readFileSync } from 'node:fs';
import { GitError, globPathspecs, insideContext, type Git } from './git.js';

export interface ChangedPaths {
  /** The commit compared with, when this clone has it. */
  base?: string;
  /** Files of the paths (inside the context) that differ between base and HEAD; renames as delete + add. */
  files: string[];
  /** Why there is no comparison (no base, or a base this clone does not have). */
  note?: string;
}

export interface ChangedPathsOptions {
  /** A commit id or ref; all zeros (a push that created the branch) counts as none. */
  base?: string;
  paths: string[];
  /** When given, only files inside it are listed (what the key counts). */
  contextDir?: string;
  /** HEAD when absent. */
  head?: string;
}

/**
 * Which files of the paths changed since `base`: for the summary only. What is built is decided by
 * content keys, never by this diff (a diff is wrong on re-runs, new branches and reverts). A base
 * this clone does not have (force-pushed away, a shallow checkout) is said so, with no files.
 */
export async function changedSince(git: Git, options: ChangedPathsOptions): Promise<ChangedPaths> {
  const given = options.base?.trim();
  if (!given || /^0+$/.test(given)) {
    return { files: [], note: 'no base commit to compare with (a new branch, a tag, or a manual run)' };
  }
  let base: string;
  try {
    base = (await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${given}^{commit}`])).trim();
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const shallow = (await git(['rev-parse', '--is-shallow-repository']).catch(() => '')).trim() === 'true';
    return {
      files: [],
      note: `the base ${given.slice(0, 12)} is not in this clone (${
        shallow
          ? 'a shallow checkout: actions/checkout with fetch-depth: 0 fetches it'
          : 'force-pushed away, or never fetched'
      }), so no changes are listed`,
    };
  }
  const { includes, excludes } = globPathspecs(options.paths);
  const out = await git([
    'diff-tree',
    '-r',
    '-z',
    '--name-only',
    '--no-renames',
    base,
    options.head ?? 'HEAD',
    '--',
    ...includes,
    ...excludes,
  ]);
  const files = out.split('\0').filter(Boolean);
  return { base, files: options.contextDir ? insideContext(files, options.contextDir) : files };
}

const COMMIT_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The default base: a push's `before` (unless all zeros: the push created the branch), a pull
 * request's base commit, a merge queue's base; read from the event payload the runner writes to
 * GITHUB_EVENT_PATH. Anything else, or a payload that cannot be read, gives none.
 */
export function defaultBaseRef(
  env: NodeJS.ProcessEnv,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): string | undefined {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(read(file));
  } catch {
    return undefined;
  }
  const payload = (event ?? {}) as {
    before?: unknown;
    pull_request?: { base?: { sha?: unknown } };
    merge_group?: { base_sha?: unknown };
  };
  const candidates: Record<string, unknown> = {
    push: payload.before,
    pull_request: payload.pull_request?.base?.sha,
    pull_request_target: payload.pull_request?.base?.sha,
    merge_group: payload.merge_group?.base_sha,
  };
  const name = env.GITHUB_EVENT_NAME;
  const value =
    name !== undefined && name !== ''
      ? candidates[name]
      : (payload.pull_request?.base?.sha ?? payload.merge_group?.base_sha ?? payload.before);
  if (typeof value !== 'string' || !COMMIT_ID.test(value) || /^0+$/.test(value)) return undefined;
  return value;
}
