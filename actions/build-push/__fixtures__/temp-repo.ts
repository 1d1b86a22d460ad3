import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitRunner, type Git } from '../src/git.js';

/**
 * A real git repository in a temporary directory, isolated from the machine's git configuration
 * (no global or system config: no signing, hooks or default-branch surprises).
 */
export interface TempRepo {
  dir: string;
  /** The runner under test, in the repository (or a directory of it). */
  git: Git;
  gitIn(subdir: string): Git;
  /** git run synchronously by the test itself; stdout trimmed. */
  sh(...args: string[]): string;
  write(file: string, text: string): void;
  remove(file: string): void;
  move(from: string, to: string): void;
  /** Stages everything and commits; returns the new commit id. */
  commit(message: string): string;
  /** Deletes the repository directory. */
  destroy(): void;
}

export const ISOLATED_GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export function createTempRepo(options: { objectFormat?: 'sha1' | 'sha256'; dir?: string } = {}): TempRepo {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'build-push-git-'));
  const sh = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: dir,
      env: ISOLATED_GIT_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  if (!options.dir) {
    sh(
      'init',
      '-q',
      '-b',
      'main',
      ...(options.objectFormat ? [`--object-format=${options.objectFormat}`] : []),
    );
  }
  const full = (file: string) => path.join(dir, file);
  return {
    dir,
    git: gitRunner(dir, ISOLATED_GIT_ENV),
    gitIn: (subdir) => gitRunner(full(subdir), ISOLATED_GIT_ENV),
    sh,
    write(file, text) {
      mkdirSync(path.dirname(full(file)), { recursive: true });
      writeFileSync(full(file), text);
    },
    remove: (file) => rmSync(full(file), { recursive: true }),
    move(from, to) {
      mkdirSync(path.dirname(full(to)), { recursive: true });
      renameSync(full(from), full(to));
    },
    commit(message) {
      sh('add', '-A');
      sh('commit', '-q', '--allow-empty', '-m', message);
      return sh('rev-parse', 'HEAD');
    },
    destroy: () => rmSync(dir, { recursive: true, force: true }),
  };
}
