// The CLI as CI runs it: `tsx packages/workflow-checks/src/cli.ts`, its exit code and its streams.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = join(packageRoot, '..', '..');
const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');
const cli = join(packageRoot, 'src', 'cli.ts');

function run(fixture: string) {
  return spawnSync(tsx, [cli, '--root', join(packageRoot, '__fixtures__', fixture)], { encoding: 'utf8' });
}

describe('cli.ts', () => {
  it('exits 1 and prints the findings of a broken fixture', () => {
    const result = run('artipacked/broken');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^\.github\/workflows\/build\.yml:12: artipacked: /);
  });

  it('exits 0 on a fixed twin', () => {
    const result = run('artipacked/fixed');
    expect([result.status, result.stdout, result.stderr]).toEqual([
      0,
      '',
      'workflow-checks: 0 finding(s) in 1 file(s) checked\n',
    ]);
  });
});
