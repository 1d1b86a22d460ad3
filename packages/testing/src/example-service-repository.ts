import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLE = fileURLToPath(new URL('../../../examples/service', import.meta.url));

/**
 * The build-push variants of examples/service's Dockerfile, as the tests and the benchmark give
 * them: cpu is the API files, cuda the featurization task.
 */
export const EXAMPLE_VARIANTS = `
- name: cpu
  target: cpu
  paths: [examples/service/*.js, examples/service/package.json, examples/service/bin/**]
- name: cuda
  target: cuda
  tag-suffix: -cuda
  build-args:
    TORCH_INDEX_URL: https://download.pytorch.org/whl/cu121
  paths: [examples/service/rank.js, examples/service/features/**, examples/service/package.json, examples/service/bin/**]
`;

export interface ExampleRepository {
  dir: string;
  git(...args: string[]): string;
  /** Runs `change` in the repository, commits everything, returns the new HEAD. */
  commit(message: string, change?: () => void): string;
  remove(): void;
}

/**
 * A temporary git repository holding examples/service (its Dockerfile's files, with the static
 * busybox the images need committed under bin/) and a README outside every variant, first commit
 * made. `extraFiles` are written under examples/service before it (e.g. heavy "weights").
 */
export function createExampleRepository(extraFiles: Record<string, Buffer | string> = {}): ExampleRepository {
  const dir = mkdtempSync(path.join(tmpdir(), 'example-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  const service = path.join(dir, 'examples', 'service');
  mkdirSync(path.join(service, 'bin'), { recursive: true });
  mkdirSync(path.join(service, 'features'), { recursive: true });
  for (const file of [
    'Dockerfile',
    'package.json',
    'app.js',
    'openapi.js',
    'rank.js',
    'server.js',
    'migrate.js',
  ])
    copyFileSync(path.join(EXAMPLE, file), path.join(service, file));
  for (const file of readdirSync(path.join(EXAMPLE, 'features')))
    copyFileSync(path.join(EXAMPLE, 'features', file), path.join(service, 'features', file));
  copyFileSync('/bin/busybox', path.join(service, 'bin', 'busybox'));
  for (const [file, content] of Object.entries(extraFiles)) writeFileSync(path.join(service, file), content);
  writeFileSync(path.join(dir, 'README.md'), '# a service\n');
  git('init', '-q', '-b', 'main');
  const commit = (message: string, change?: () => void) => {
    change?.();
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  commit('first');
  return { dir, git, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
