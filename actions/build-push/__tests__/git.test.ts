import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTempRepo, type TempRepo } from '../__fixtures__/temp-repo.js';
import { filesAt, GitError, globPathspecs, insideContext } from '../src/git.js';

let repo: TempRepo;

beforeAll(() => {
  repo = createTempRepo();
  for (const file of [
    'Dockerfile',
    'setup.py',
    'README.md',
    'src/app.py',
    'src/api/routes.py',
    'src/features/featurize.py',
    'src/features/deep/model.py',
    'src/features/notes.md',
    'src/feature.py',
    'src/featuresx/other.py',
    'src/.env.example',
    'examples/service/app.js',
    'examples/service/lib/rank.js',
    'weird name [1].txt',
  ]) {
    repo.write(file, `${file}\n`);
  }
  repo.commit('tree');
});
afterAll(() => repo.destroy());

const selected = async (paths: string[], git = repo.git) => {
  const { includes, excludes } = globPathspecs(paths);
  return (await filesAt(git, 'HEAD', [...includes, ...excludes])).map((file) => file.path);
};

describe('glob semantics of variant paths (git :(top,glob) pathspecs, on a real repository)', () => {
  it.each([
    [
      ['src/features/**'],
      ['src/features/deep/model.py', 'src/features/featurize.py', 'src/features/notes.md'],
    ],
    [['src/features'], ['src/features/deep/model.py', 'src/features/featurize.py', 'src/features/notes.md']],
    [['src/features/'], ['src/features/deep/model.py', 'src/features/featurize.py', 'src/features/notes.md']],
    [['*.py'], ['setup.py']],
    [
      ['**/*.py'],
      [
        'setup.py',
        'src/api/routes.py',
        'src/app.py',
        'src/feature.py',
        'src/features/deep/model.py',
        'src/features/featurize.py',
        'src/featuresx/other.py',
      ],
    ],
    [['src/*.py'], ['src/app.py', 'src/feature.py']],
    [['src/feat*'], ['src/feature.py']],
    [
      ['src/feat*/**'],
      [
        'src/features/deep/model.py',
        'src/features/featurize.py',
        'src/features/notes.md',
        'src/featuresx/other.py',
      ],
    ],
    [
      ['src/**', '!src/**/*.py'],
      ['src/.env.example', 'src/features/notes.md'],
    ],
    [
      ['!**/*.md', 'src/features/**'],
      ['src/features/deep/model.py', 'src/features/featurize.py'],
    ],
    [
      ['Dockerfile', 'src/api/**'],
      ['Dockerfile', 'src/api/routes.py'],
    ],
    [['weird name \\[1\\].txt'], ['weird name [1].txt']],
    [['examples/service/**'], ['examples/service/app.js', 'examples/service/lib/rank.js']],
  ])('%j selects %j', async (paths, files) => {
    expect(await selected(paths)).toEqual(files);
  });

  it('is relative to the repository root whatever the working directory', async () => {
    expect(await selected(['*.py'], repo.gitIn('src'))).toEqual(['setup.py']);
    expect(await selected(['src/api/**'], repo.gitIn('src/features'))).toEqual(['src/api/routes.py']);
  });

  it('lists mode, object id and path as the tree records them', async () => {
    const [file] = await filesAt(repo.git, 'HEAD', globPathspecs(['setup.py']).includes);
    expect(file).toEqual({ mode: '100644', object: repo.sh('rev-parse', 'HEAD:setup.py'), path: 'setup.py' });
  });
});

describe('globPathspecs', () => {
  it('adds top and glob magic, and exclude for a leading !', () => {
    expect(globPathspecs(['src/**', '!**/*.md', 'Dockerfile'])).toEqual({
      includes: [':(top,glob)src/**', ':(top,glob)Dockerfile'],
      excludes: [':(top,glob,exclude)**/*.md'],
    });
  });
});

describe('insideContext', () => {
  it.each([
    ['.', ['a', 'x/b'], ['a', 'x/b']],
    ['examples/service', ['examples/service/a', 'examples/servicex/a', 'examples/a'], ['examples/service/a']],
    ['examples/service/', ['examples/service/a'], ['examples/service/a']],
  ])('context %j keeps %j of %j', (context, files, kept) => {
    expect(insideContext(files, context)).toEqual(kept);
  });
});

describe('gitRunner', () => {
  it('fails with a GitError carrying the exit code and stderr', async () => {
    const failure = await repo
      .git(['rev-parse', '--verify', 'no-such-ref^{commit}'])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GitError);
    expect((failure as GitError).exitCode).toBe(128);
    expect((failure as GitError).stderr).toContain('Needed a single revision');
  });

  it('passes arguments to git without a shell', async () => {
    const marker = path.join(repo.dir, 'shell-ran');
    const argument = `$(touch ${marker});HEAD`;
    const failure = await repo.git(['rev-parse', '--verify', argument]).catch((e: unknown) => e);
    expect((failure as GitError).args).toEqual(['rev-parse', '--verify', argument]);
    expect(existsSync(marker)).toBe(false);
    expect(await repo.git(['rev-parse', '--verify', 'HEAD'])).toBe(`${repo.sh('rev-parse', 'HEAD')}\n`);
  });
});
