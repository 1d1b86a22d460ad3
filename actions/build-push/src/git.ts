import { execFile } from 'node:child_process';

/** Runs git with these arguments in one repository and returns its stdout; throws a GitError. */
export type Git = (args: string[]) => Promise<string>;

export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly args: string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${stderr}`);
  }
}

/**
 * git without a shell, in `cwd`. Read-only use: GIT_OPTIONAL_LOCKS=0 keeps git from refreshing the
 * index (and taking its lock) while other steps may use the checkout; no prompt can hang the job.
 */
export function gitRunner(cwd: string, env: NodeJS.ProcessEnv = process.env): Git {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        'git',
        args,
        {
          cwd,
          env: { ...env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
          maxBuffer: 512 * 1024 * 1024,
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const code = typeof error.code === 'number' ? error.code : undefined;
          reject(new GitError(args, code, stderr.trim() || error.message));
        },
      );
    });
}

/**
 * A variant's `paths` as git pathspecs: `top` so they are relative to the repository root whatever
 * the working directory, `glob` so `*` stays in one directory and `**` crosses them (plain git
 * pathspecs let `*` cross `/`), `exclude` for a leading `!`.
 */
export function globPathspecs(paths: string[]): { includes: string[]; excludes: string[] } {
  const includes: string[] = [];
  const excludes: string[] = [];
  for (const glob of paths) {
    if (glob.startsWith('!')) excludes.push(`:(top,glob,exclude)${glob.slice(1)}`);
    else includes.push(`:(top,glob)${glob}`);
  }
  return { includes, excludes };
}

/** One file of a commit, as its tree records it. */
export interface TreeFile {
  mode: string;
  /** The blob (or, for a submodule, commit) id. */
  object: string;
  path: string;
}

/**
 * The files of `commit` that the pathspecs select, read from git's object database (no file of
 * the working tree is read). `git ls-tree` refuses glob pathspecs, so this is the diff from the
 * empty tree, which lists the same mode, id and path of every file and takes any pathspec.
 */
export async function filesAt(git: Git, commit: string, pathspecs: string[]): Promise<TreeFile[]> {
  const empty = await emptyTree(git);
  const out = await git(['diff-tree', '-r', '-z', '--no-renames', empty, commit, '--', ...pathspecs]);
  // -z: `:<old mode> <new mode> <old id> <new id> <status>` NUL `<path>` NUL, paths unquoted.
  const fields = out.split('\0');
  const files: TreeFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, mode, , object] = (fields[i] as string).split(' ');
    if (mode && object) files.push({ mode, object, path: fields[i + 1] as string });
  }
  return files;
}

/** Files of the list that are inside `contextDir` ('.' for the repository root). */
export function insideContext<T extends { path: string } | string>(items: T[], contextDir: string): T[] {
  if (contextDir === '.' || contextDir === '') return items;
  const prefix = `${contextDir.replace(/\/+$/, '')}/`;
  return items.filter((item) => (typeof item === 'string' ? item : item.path).startsWith(prefix));
}

const EMPTY_TREE: Record<string, string> = {
  sha1: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  sha256: '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321',
};

const emptyTrees = new WeakMap<Git, Promise<string>>();

/** The id of the empty tree in this repository's object format (SHA-1, or SHA-256 repositories). */
function emptyTree(git: Git): Promise<string> {
  let id = emptyTrees.get(git);
  if (!id) {
    id = git(['rev-parse', '--show-object-format']).then((out) => {
      const format = out.trim();
      const tree = EMPTY_TREE[format];
      if (!tree)
        throw new Error(
          `git reports the object format ${JSON.stringify(format)}, which this action does not know.`,
        );
      return tree;
    });
    emptyTrees.set(git, id);
  }
  return id;
}
