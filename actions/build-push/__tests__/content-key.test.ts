import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { createTempRepo, type TempRepo } from '../__fixtures__/temp-repo.js';
import { contentKey, type ContentKeyInput } from '../src/content-key.js';
import type { Variant } from '../src/variant.js';

// Content keys on real temporary git repositories: every history operation the issue names.
let repo: TempRepo;

const dockerfile = 'FROM scratch AS cpu\nCOPY src/api /api\nFROM scratch AS cuda\nCOPY src/features /f\n';
const cpu: Variant = {
  name: 'cpu',
  target: 'cpu',
  buildArgs: {},
  tagSuffix: '',
  paths: ['src/api/**', 'requirements.txt'],
  platforms: [],
};
const cuda: Variant = {
  name: 'cuda',
  target: 'cuda',
  buildArgs: { TORCH_INDEX_URL: 'https://download.pytorch.org/whl/cu121' },
  tagSuffix: '-cuda',
  paths: ['src/features/**', 'requirements.txt'],
  platforms: ['linux/amd64'],
};

const key = async (variant: Variant = cuda, overrides: Partial<ContentKeyInput> = {}, git = repo.git) =>
  (
    await contentKey(git, {
      variant,
      dockerfilePath: 'Dockerfile',
      dockerfileText: dockerfile,
      contextDir: '.',
      ...overrides,
    })
  ).key;

beforeEach(() => {
  repo = createTempRepo();
  repo.write('Dockerfile', dockerfile);
  repo.write('requirements.txt', 'numpy\n');
  repo.write('src/features/featurize.py', 'print(1)\n');
  repo.write('src/api/app.py', 'print(2)\n');
  repo.write('docs/README.md', 'docs\n');
  repo.commit('first');
});
afterEach(() => repo.destroy());

describe('contentKey', () => {
  it('is a sha256 with its content tag, on the first commit (a root commit with no parent)', async () => {
    expect(repo.sh('rev-list', '--count', 'HEAD')).toBe('1');
    const result = await contentKey(repo.git, {
      variant: cuda,
      dockerfilePath: 'Dockerfile',
      dockerfileText: dockerfile,
      contextDir: '.',
    });
    expect(result.key).toMatch(/^[0-9a-f]{64}$/);
    expect(result.tag).toBe(`content-${result.key.slice(0, 40)}`);
    expect(result.files).toBe(2);
  });

  it('is unchanged by a change outside every variant’s paths', async () => {
    const before = [await key(cpu), await key(cuda)];
    repo.write('docs/README.md', 'more docs\n');
    repo.write('notes.txt', 'new file outside\n');
    repo.commit('docs only');
    expect([await key(cpu), await key(cuda)]).toEqual(before);
  });

  it('changes for a change inside the paths, for that variant only', async () => {
    const [cpuBefore, cudaBefore] = [await key(cpu), await key(cuda)];
    repo.write('src/features/featurize.py', 'print(3)\n');
    repo.commit('features');
    expect(await key(cuda)).not.toBe(cudaBefore);
    expect(await key(cpu)).toBe(cpuBefore);
    repo.write('requirements.txt', 'numpy\ntorch\n');
    repo.commit('shared file');
    expect(await key(cpu)).not.toBe(cpuBefore);
  });

  it('changes on add, rename and delete inside the paths, and a rename out and back restores it', async () => {
    const first = await key();
    repo.write('src/features/extra.py', 'x\n');
    repo.commit('add');
    const added = await key();
    repo.move('src/features/extra.py', 'src/features/renamed.py');
    repo.commit('rename');
    const renamed = await key();
    repo.remove('src/features/renamed.py');
    repo.commit('delete');
    const deleted = await key();
    expect(new Set([first, added, renamed]).size).toBe(3);
    expect(deleted).toBe(first);

    repo.move('src/features/featurize.py', 'src/features/moved.py');
    repo.commit('rename the original');
    expect(await key()).not.toBe(first);
    repo.move('src/features/moved.py', 'src/features/featurize.py');
    repo.commit('and back');
    expect(await key()).toBe(first);
  });

  it('changes when a file’s mode changes (an executable bit is content)', async () => {
    const first = await key();
    repo.sh('update-index', '--chmod=+x', 'src/features/featurize.py');
    repo.sh('commit', '-q', '-m', 'chmod');
    expect(await key()).not.toBe(first);
  });

  it('comes back to the old key after a revert', async () => {
    const first = await key();
    repo.write('src/features/featurize.py', 'print(5)\n');
    const change = repo.commit('change');
    expect(await key()).not.toBe(first);
    repo.sh('revert', '--no-edit', change);
    expect(repo.sh('rev-parse', 'HEAD')).not.toBe(change);
    expect(await key()).toBe(first);
  });

  it('is the same for the same content squashed into one commit on another branch', async () => {
    const start = repo.sh('rev-parse', 'HEAD');
    repo.write('src/features/featurize.py', 'print(6)\n');
    repo.commit('step 1');
    repo.write('src/features/more.py', 'y\n');
    repo.commit('step 2');
    repo.write('src/features/featurize.py', 'print(7)\n');
    repo.commit('step 3');
    const merged = await key();

    repo.sh('checkout', '-q', '-b', 'squashed', start);
    repo.write('src/features/featurize.py', 'print(7)\n');
    repo.write('src/features/more.py', 'y\n');
    repo.write('docs/README.md', 'written on this branch only\n');
    repo.commit('squash of steps 1-3');
    expect(await key()).toBe(merged);
  });

  it('follows merge commits by their tree: both sides counted, other sides ignored', async () => {
    const cpuBefore = await key(cpu);
    repo.sh('checkout', '-q', '-b', 'feature');
    repo.write('src/features/featurize.py', 'print(8)\n');
    repo.commit('feature');
    const featureKey = await key(cuda);
    repo.sh('checkout', '-q', 'main');
    repo.write('docs/README.md', 'main moves on\n');
    repo.commit('main docs');
    repo.sh('merge', '-q', '--no-ff', '--no-edit', 'feature');
    expect(repo.sh('rev-list', '--parents', '-n', '1', 'HEAD').split(' ')).toHaveLength(3);
    expect(await key(cuda)).toBe(featureKey);
    expect(await key(cpu)).toBe(cpuBefore);

    // A merge that brings changes from both sides gives a new key: the sum of both.
    repo.sh('checkout', '-q', '-b', 'other', 'HEAD~1');
    repo.write('src/features/other.py', 'z\n');
    repo.commit('other side');
    repo.sh('checkout', '-q', 'main');
    repo.sh('merge', '-q', '--no-edit', 'other');
    const both = await key(cuda);
    expect(both).not.toBe(featureKey);
    repo.sh('checkout', '-q', '-b', 'linear', 'feature');
    repo.write('src/features/other.py', 'z\n');
    repo.commit('same content, no merge');
    expect(await key(cuda)).toBe(both);
  });

  it('reads what is committed, not the working tree or the index', async () => {
    const first = await key();
    repo.write('src/features/featurize.py', 'uncommitted\n');
    repo.write('src/features/untracked.py', 'untracked\n');
    expect(await key()).toBe(first);
    repo.sh('add', '-A');
    expect(await key()).toBe(first);
  });

  it('can key another commit than HEAD', async () => {
    const first = repo.sh('rev-parse', 'HEAD');
    const firstKey = await key();
    repo.write('src/features/featurize.py', 'print(9)\n');
    repo.commit('change');
    expect(await key(cuda, { commit: first })).toBe(firstKey);
  });

  it('is the same in a shallow clone (fetch-depth 1) and from a subdirectory', async () => {
    repo.write('src/features/featurize.py', 'print(10)\n');
    repo.commit('second');
    const full = await key();
    const shallow = createTempRepo({ dir: `${repo.dir}-shallow` });
    try {
      repo.sh('clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow.dir);
      expect(shallow.sh('rev-parse', '--is-shallow-repository')).toBe('true');
      expect(await key(cuda, {}, shallow.git)).toBe(full);
    } finally {
      shallow.destroy();
    }
    expect(await key(cuda, {}, repo.gitIn('src/features'))).toBe(full);
  });

  it('works in a SHA-256 repository', async () => {
    const sha256 = createTempRepo({ objectFormat: 'sha256' });
    try {
      sha256.write('src/features/featurize.py', 'print(1)\n');
      sha256.write('requirements.txt', 'numpy\n');
      sha256.commit('first');
      const result = await contentKey(sha256.git, {
        variant: cuda,
        dockerfilePath: 'Dockerfile',
        dockerfileText: dockerfile,
        contextDir: '.',
      });
      expect(result.files).toBe(2);
      // Other object ids than the SHA-1 repository of the same files, so another key.
      expect(result.key).not.toBe(await key());
    } finally {
      sha256.destroy();
    }
  });

  it.each<[string, Partial<Variant> | Partial<ContentKeyInput>, 'variant' | 'input']>([
    ['the Dockerfile text', { dockerfileText: `${dockerfile}# a comment\n` }, 'input'],
    ['the Dockerfile path', { dockerfilePath: 'docker/Dockerfile' }, 'input'],
    ['the target', { target: 'cpu' }, 'variant'],
    ['no target', { target: undefined }, 'variant'],
    [
      'a build-arg value',
      { buildArgs: { TORCH_INDEX_URL: 'https://download.pytorch.org/whl/cu118' } },
      'variant',
    ],
    ['a build-arg name', { buildArgs: { TORCH_URL: 'https://download.pytorch.org/whl/cu121' } }, 'variant'],
    ['another build arg', { buildArgs: { ...cuda.buildArgs, EXTRA: '1' } }, 'variant'],
    ['the platforms', { platforms: ['linux/arm64'] }, 'variant'],
    ['one more platform', { platforms: ['linux/amd64', 'linux/arm64'] }, 'variant'],
    ['another path that selects more', { paths: [...cuda.paths, 'docs/**'] }, 'variant'],
  ])('changes with %s', async (_, change, where) => {
    const base = await key();
    const changed =
      where === 'variant'
        ? await key({ ...cuda, ...(change as Partial<Variant>) })
        : await key(cuda, change as Partial<ContentKeyInput>);
    expect(changed).not.toBe(base);
  });

  it.each<[string, Partial<Variant>]>([
    ['build args in another order', { buildArgs: { B: '2', A: '1' } }],
    ['platforms in another order', { platforms: ['linux/arm64', 'linux/amd64'] }],
    ['paths in another order', { paths: ['requirements.txt', 'src/features/**'] }],
    ['overlapping paths', { paths: ['src/features/**', 'src/features/featurize.py', 'requirements.txt'] }],
    ['another name and tag suffix (not content)', { name: 'gpu', tagSuffix: '-gpu' }],
  ])('is the same with %s', async (_, change) => {
    const reference: Variant =
      change.buildArgs || change.platforms
        ? {
            ...cuda,
            buildArgs: change.buildArgs ? { A: '1', B: '2' } : cuda.buildArgs,
            platforms: change.platforms ? ['linux/amd64', 'linux/arm64'] : cuda.platforms,
          }
        : cuda;
    expect(await key({ ...reference, ...change })).toBe(await key(reference));
  });

  it('maps build args to the key by name=value, not by position (table)', async () => {
    const pairs: Array<[Record<string, string>, Record<string, string>, boolean]> = [
      [{ A: '1', B: '2' }, { B: '2', A: '1' }, true],
      [{ A: '1', B: '2' }, { A: '2', B: '1' }, false],
      [{ A: '12' }, { A1: '2' }, false],
      [{ A: 'x=y' }, { A: 'x', y: '' }, false],
      [{ A: '' }, {}, false],
    ];
    for (const [left, right, same] of pairs) {
      const equal = (await key({ ...cuda, buildArgs: left })) === (await key({ ...cuda, buildArgs: right }));
      expect({ left, right, equal }).toEqual({ left, right, equal: same });
    }
  });

  it('counts only files inside the context, and changes with a .dockerignore', async () => {
    repo.write('services/api/app.py', 'a\n');
    repo.write('services/api/Dockerfile', 'FROM scratch\n');
    repo.write('other/app.py', 'b\n');
    repo.commit('two services');
    const service: Variant = { ...cpu, target: undefined, paths: ['**/*.py'] };
    const inContext = { contextDir: 'services/api', dockerfilePath: 'services/api/Dockerfile' };
    const result = await contentKey(repo.git, {
      variant: service,
      dockerfileText: 'FROM scratch\n',
      ...inContext,
    });
    expect(result.files).toBe(1);

    repo.write('other/app.py', 'changed outside the context\n');
    repo.commit('outside');
    const same = await contentKey(repo.git, {
      variant: service,
      dockerfileText: 'FROM scratch\n',
      ...inContext,
    });
    expect(same.key).toBe(result.key);

    repo.write('services/api/.dockerignore', '*.md\n');
    repo.commit('ignore file');
    const ignored = await contentKey(repo.git, {
      variant: service,
      dockerfileText: 'FROM scratch\n',
      ...inContext,
    });
    expect(ignored.key).not.toBe(result.key);
    repo.write('services/api/Dockerfile.dockerignore', '*.txt\n');
    repo.commit('Dockerfile-specific ignore file');
    const again = await contentKey(repo.git, {
      variant: service,
      dockerfileText: 'FROM scratch\n',
      ...inContext,
    });
    expect(again.key).not.toBe(ignored.key);
    expect(again.files).toBe(1);
  });

  it('refuses a glob that selects no committed file, naming the variant, the field and the glob', async () => {
    const failure = await contentKey(repo.git, {
      variant: { ...cuda, paths: ['requirements.txt', 'src/feature/**'] },
      index: 1,
      dockerfilePath: 'Dockerfile',
      dockerfileText: dockerfile,
      contextDir: '.',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect((failure as Error).message).toMatch(
      /^variants\[1\] \(cuda\)\.paths\[1\] must select at least one file committed at [0-9a-f]{12}; "src\/feature\/\*\*" selects none\. Paths are git globs relative to the repository root/,
    );
  });

  it('says "did you mean" when the glob was written relative to the context', async () => {
    repo.write('services/api/app.py', 'a\n');
    repo.commit('service');
    const failure = await contentKey(repo.git, {
      variant: { ...cpu, paths: ['*.py'] },
      dockerfilePath: 'services/api/Dockerfile',
      dockerfileText: 'FROM scratch\n',
      contextDir: 'services/api',
    }).catch((error: unknown) => error);
    expect((failure as Error).message).toContain(
      'variant cpu.paths[0] must select at least one file committed at',
    );
    expect((failure as Error).message).toContain('inside the context services/api');
    expect((failure as Error).message).toContain('Did you mean "services/api/*.py"?');
  });

  it('refuses a glob whose every file is excluded', async () => {
    await expect(key({ ...cuda, paths: ['src/features/**', '!**/*.py'] })).rejects.toThrow(
      '(after the ! exclusions); "src/features/**" selects none',
    );
  });

  it('fails with an instruction when there is no commit to key', async () => {
    const empty = createTempRepo();
    try {
      await expect(key(cuda, {}, empty.git)).rejects.toThrow(
        /^The content keys need the commit HEAD of a git checkout, and git cannot read it \(.*\): run actions\/checkout before this step\.$/s,
      );
    } finally {
      empty.destroy();
    }
  });
});
