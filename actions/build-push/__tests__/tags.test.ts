import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { mutableTagPatterns } from '../src/repository-policy.js';
import { checkTagCollisions, renderTags, sanitiseBranch, type TagContext } from '../src/tags.js';

const sha = '0123456789abcdef0123456789abcdef01234567';
const context = (overrides: Partial<TagContext> = {}): TagContext => ({
  sha,
  branch: 'feature/gpu-build',
  variant: 'cuda',
  suffix: '-cuda',
  ...overrides,
});

describe('renderTags', () => {
  it.each<[string[], Partial<TagContext>, string[]]>([
    [[], { suffix: '' }, [sha]],
    [[], {}, [`${sha}-cuda`]],
    [['{short-sha}'], {}, [`${sha}-cuda`, '0123456-cuda']],
    [['{sha}'], { suffix: '' }, [sha]],
    [['{sha}'], {}, [`${sha}-cuda`]],
    [['latest'], { suffix: '' }, [sha, 'latest']],
    [['latest'], {}, [`${sha}-cuda`, 'latest-cuda']],
    [['{branch}'], {}, [`${sha}-cuda`, 'feature-gpu-build-cuda']],
    [['{branch}-{variant}'], {}, [`${sha}-cuda`, 'feature-gpu-build-cuda']],
    [['{variant}-{short-sha}'], {}, [`${sha}-cuda`, 'cuda-0123456']],
    [['v1{suffix}-{short-sha}'], {}, [`${sha}-cuda`, 'v1-cuda-0123456']],
    [['{branch}', 'latest', '{branch}'], { suffix: '' }, [sha, 'feature-gpu-build', 'latest']],
    [[' latest ', ''], { suffix: '' }, [sha, 'latest']],
    [['{short-sha}'], { branch: 'HEAD' }, [`${sha}-cuda`, '0123456-cuda']],
    [['{branch}'], { branch: 'refs/heads/main', suffix: '' }, [sha, 'main']],
  ])('%j with %j gives %j', (templates, overrides, expected) => {
    expect(renderTags(templates, context(overrides))).toEqual(expected);
  });

  it('works with SHA-256 commit ids', () => {
    const long = 'ab'.repeat(32);
    expect(renderTags(['{short-sha}'], context({ sha: long }))).toEqual([`${long}-cuda`, 'abababa-cuda']);
  });

  it('shortens a long branch so the whole tag fits in 128 characters', () => {
    const [, tag] = renderTags(['build-{branch}'], context({ branch: `feature/${'x'.repeat(200)}` }));
    expect(tag).toHaveLength(128);
    expect(tag).toMatch(/^build-feature-x+-cuda$/);
    const [, twice] = renderTags(['{branch}.{branch}'], context({ branch: 'y'.repeat(100), suffix: '' }));
    expect(twice).toHaveLength(127);
  });

  it.each<[string, Partial<TagContext>, string]>([
    [
      '{tag}',
      {},
      'tags[0] ("{tag}") must use only the placeholders {sha}, {short-sha}, {branch}, {variant}, {suffix}; got {tag}.',
    ],
    ['{SHA}', {}, 'got {SHA}.'],
    [
      '-{short-sha}',
      {},
      'tags[0] ("-{short-sha}") must give a valid tag for variant cuda (1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -); got "-0123456-cuda".',
    ],
    ['release/{short-sha}', {}, 'got "release/0123456-cuda".'],
    ['a'.repeat(129), {}, 'must give a valid tag for variant cuda'],
    ['{sha}-{sha}-{sha}-{sha}', {}, 'must give a valid tag'],
    [
      '{branch}',
      { branch: 'HEAD' },
      'tags[0] ("{branch}") uses {branch}, but this commit is on no branch (a detached checkout) (variant cuda): use {sha} or {short-sha} for such runs.',
    ],
    ['{branch}', { branch: '' }, 'this commit is on no branch'],
    ['{branch}', { branch: '///' }, 'the branch "///" has no character a tag can hold'],
    [
      'content-{sha}',
      { suffix: '' },
      'tags[0] ("content-{sha}") must not give a tag of the form content-<40 hex>, which this action keeps for content keys',
    ],
  ])('refuses %j (%j)', (template, overrides, message) => {
    const render = () => renderTags(['ok', template], context(overrides));
    expect(render).toThrow(ConfigurationError);
    expect(render).toThrow(message.replace('tags[0]', 'tags[1]'));
  });

  it('treats a short or missing sha as a bug, not a user error', () => {
    expect(() => renderTags([], context({ sha: 'abc1234' }))).toThrow(Error);
    expect(() => renderTags([], context({ sha: 'abc1234' }))).not.toThrow(ConfigurationError);
  });
});

describe('sanitiseBranch', () => {
  it.each([
    ['main', 'main'],
    ['refs/heads/release/1.2', 'release-1.2'],
    ['feature/GPU_build', 'feature-GPU_build'],
    ['dependabot/npm_and_yarn/x@1.2.3', 'dependabot-npm_and_yarn-x-1.2.3'],
    ['user//double', 'user-double'],
    ['-weird', 'weird'],
    ['.hidden', 'hidden'],
    ['/leading', 'leading'],
    ['émoji🚀branch', 'moji-branch'],
    ['a b\tc', 'a-b-c'],
    ['', ''],
    ['x'.repeat(300), 'x'.repeat(128)],
  ])('%j → %j', (branch, tag) => expect(sanitiseBranch(branch)).toBe(tag));

  it('stops at the given length', () => {
    expect(sanitiseBranch('feature/long-name', 9)).toBe('feature-l');
  });
});

describe('checkTagCollisions', () => {
  const tagsOf = (templates: string[], variants: Array<[string, string]>) =>
    new Map(
      variants.map(([variant, suffix]) => [
        variant,
        renderTags(templates, { sha, branch: 'main', variant, suffix }),
      ]),
    );

  it.each<[string[], Array<[string, string]>, string | undefined]>([
    [
      ['latest'],
      [
        ['cpu', ''],
        ['cuda', '-cuda'],
      ],
      undefined,
    ],
    [
      ['{branch}', '{short-sha}'],
      [
        ['cpu', ''],
        ['cuda', '-cuda'],
      ],
      undefined,
    ],
    [
      ['{branch}-{variant}'],
      [
        ['cpu', ''],
        ['cuda', ''],
      ],
      'would both be tagged "0123456789abcdef0123456789abcdef01234567"',
    ],
    [
      [],
      [
        ['cpu', ''],
        ['cuda', ''],
      ],
      'Variants cpu and cuda would both be tagged "0123456789abcdef0123456789abcdef01234567"',
    ],
    [
      ['stable'],
      [
        ['cpu', '-x'],
        ['cuda', '-x'],
      ],
      'Variants cpu and cuda would both be tagged',
    ],
    [
      ['{branch}-{variant}'],
      [
        ['cpu', '-a'],
        ['cuda', '-b'],
      ],
      undefined,
    ],
    [
      ['{branch}{suffix}', 'gpu'],
      [
        ['cpu', ''],
        ['gpu', '-x'],
      ],
      undefined,
    ],
    [
      ['latest{suffix}'],
      [
        ['cpu', '-gpu'],
        ['gpu', '-gpu'],
      ],
      'Variants cpu and gpu would both be tagged',
    ],
  ])('%j for %j: %s', (templates, variants, message) => {
    const check = () => checkTagCollisions(tagsOf(templates, variants));
    if (message === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(message);
  });

  it('names both variants, the tag and the fix', () => {
    expect(() =>
      checkTagCollisions(
        new Map([
          ['cpu', [sha, 'latest']],
          ['cuda', [`${sha}-cuda`, 'latest']],
        ]),
      ),
    ).toThrow(
      new ConfigurationError(
        'Variants cpu and cuda would both be tagged "latest": give each its own tag-suffix (e.g. tag-suffix: -cuda), or put {variant} or {suffix} in that entry of "tags".',
      ),
    );
  });
});

// repository-policy.ts (the lead's) is tested here as it was when this file was written.
describe('mutableTagPatterns', () => {
  it('excludes from immutability only the tags that move', () => {
    expect(mutableTagPatterns(['{sha}', '{short-sha}-x', '{branch}', 'latest'], true)).toEqual([
      '*',
      'latest*',
      'buildcache-*',
    ]);
    expect(mutableTagPatterns(['{short-sha}'], false)).toEqual([]);
  });
});
