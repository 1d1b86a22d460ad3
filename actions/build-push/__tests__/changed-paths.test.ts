import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createTempRepo, type TempRepo } from '../__fixtures__/temp-repo.js';
import { changedSince, defaultBaseRef } from '../src/changed-paths.js';

let repo: TempRepo;
let first: string;
const paths = ['src/features/**', 'requirements.txt'];

describe('changedSince', () => {
  beforeEach(() => {
    repo = createTempRepo();
    repo.write('requirements.txt', 'numpy\n');
    repo.write('src/features/featurize.py', 'print(1)\n');
    repo.write('src/api/app.py', 'print(2)\n');
    first = repo.commit('first');
  });
  afterEach(() => repo.destroy());

  it('lists the files of the paths changed since the base, not the others', async () => {
    repo.write('src/features/featurize.py', 'print(3)\n');
    repo.write('src/api/app.py', 'print(4)\n');
    repo.commit('both');
    expect(await changedSince(repo.git, { base: first, paths })).toEqual({
      base: first,
      files: ['src/features/featurize.py'],
    });
  });

  it('lists an add, a delete and both names of a rename', async () => {
    repo.write('src/features/new.py', 'n\n');
    repo.move('src/features/featurize.py', 'src/features/renamed.py');
    repo.remove('requirements.txt');
    repo.commit('add, rename, delete');
    expect((await changedSince(repo.git, { base: first, paths })).files).toEqual([
      'requirements.txt',
      'src/features/featurize.py',
      'src/features/new.py',
      'src/features/renamed.py',
    ]);
  });

  it('lists nothing for a change outside the paths, and takes exclusions', async () => {
    repo.write('src/api/app.py', 'print(5)\n');
    repo.write('src/features/README.md', 'docs\n');
    repo.commit('outside');
    expect((await changedSince(repo.git, { base: first, paths: [...paths, '!**/*.md'] })).files).toEqual([]);
  });

  it('compares trees across merge commits, and accepts a branch name as base', async () => {
    repo.sh('checkout', '-q', '-b', 'feature');
    repo.write('src/features/featurize.py', 'print(6)\n');
    repo.commit('feature');
    repo.sh('checkout', '-q', 'main');
    repo.write('src/api/app.py', 'print(7)\n');
    repo.commit('main');
    repo.sh('branch', 'before-merge');
    repo.sh('merge', '-q', '--no-edit', 'feature');
    const result = await changedSince(repo.git, { base: 'before-merge', paths });
    expect(result).toEqual({
      base: repo.sh('rev-parse', 'before-merge'),
      files: ['src/features/featurize.py'],
    });
  });

  it('keeps only files inside the context when it is given', async () => {
    repo.write('services/api/app.py', 'a\n');
    repo.write('other/app.py', 'b\n');
    repo.commit('two services');
    const result = await changedSince(repo.git, {
      base: first,
      paths: ['**/*.py'],
      contextDir: 'services/api',
    });
    expect(result.files).toEqual(['services/api/app.py']);
  });

  it.each([
    [undefined, 'no base commit to compare with'],
    ['', 'no base commit to compare with'],
    ['0000000000000000000000000000000000000000', 'no base commit to compare with'],
  ])('has no comparison for base %j', async (base, note) => {
    const result = await changedSince(repo.git, { ...(base === undefined ? {} : { base }), paths });
    expect(result.files).toEqual([]);
    expect(result.base).toBeUndefined();
    expect(result.note).toContain(note);
  });

  it('says so when the base was force-pushed away and is gone from the clone, and lists nothing', async () => {
    repo.write('src/features/featurize.py', 'print(8)\n');
    const pushed = repo.commit('pushed, then force-pushed away');
    repo.sh('reset', '-q', '--hard', first);
    repo.write('src/features/featurize.py', 'print(9)\n');
    repo.commit('the force-push');
    repo.sh('reflog', 'expire', '--expire=now', '--all');
    repo.sh('gc', '-q', '--prune=now');
    expect(() => repo.sh('cat-file', '-e', pushed)).toThrow();

    const result = await changedSince(repo.git, { base: pushed, paths });
    expect(result).toEqual({
      files: [],
      note: `the base ${pushed.slice(0, 12)} is not in this clone (force-pushed away, or never fetched), so no changes are listed`,
    });
  });

  it('names fetch-depth when the clone is shallow', async () => {
    repo.write('src/features/featurize.py', 'print(10)\n');
    repo.commit('second');
    const shallow = createTempRepo({ dir: `${repo.dir}-shallow` });
    try {
      repo.sh('clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow.dir);
      const result = await changedSince(shallow.git, { base: first, paths });
      expect(result.files).toEqual([]);
      expect(result.note).toContain('a shallow checkout: actions/checkout with fetch-depth: 0 fetches it');
    } finally {
      shallow.destroy();
    }
  });

  it('does not take a base that looks like an option', async () => {
    const result = await changedSince(repo.git, { base: '--output=/tmp/x', paths });
    expect(result.files).toEqual([]);
    expect(result.note).toContain('is not in this clone');
  });
});

describe('defaultBaseRef', () => {
  const before = 'a'.repeat(40);
  const prBase = 'b'.repeat(40);
  const events: Record<string, string> = {
    '/push.json': JSON.stringify({ before, after: 'c'.repeat(40) }),
    '/new-branch.json': JSON.stringify({ before: '0'.repeat(40), created: true }),
    '/pr.json': JSON.stringify({ pull_request: { base: { sha: prBase } }, before: 'e'.repeat(40) }),
    '/queue.json': JSON.stringify({ merge_group: { base_sha: 'd'.repeat(40) } }),
    '/dispatch.json': JSON.stringify({ inputs: {} }),
    '/short.json': JSON.stringify({ before: 'abc123' }),
    '/broken.json': '{ not json',
  };
  const read = (file: string) => {
    const text = events[file];
    if (text === undefined) throw new Error(`ENOENT: ${file}`);
    return text;
  };

  it.each([
    ['push', '/push.json', before],
    ['push', '/new-branch.json', undefined],
    ['pull_request', '/pr.json', prBase],
    ['pull_request_target', '/pr.json', prBase],
    ['merge_group', '/queue.json', 'd'.repeat(40)],
    ['workflow_dispatch', '/dispatch.json', undefined],
    ['push', '/short.json', undefined],
    ['push', '/broken.json', undefined],
    ['push', '/missing.json', undefined],
    ['', '/pr.json', prBase],
    ['', '/push.json', before],
  ])('event %j with %s gives %j', (name, file, expected) => {
    expect(defaultBaseRef({ GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: file }, read)).toBe(expected);
  });

  it('gives none without GITHUB_EVENT_PATH', () => {
    expect(defaultBaseRef({ GITHUB_EVENT_NAME: 'push' }, read)).toBeUndefined();
  });
});
