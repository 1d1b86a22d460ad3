import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { commonAncestor, matchFiles, patternRegex } from '../src/glob.js';
import { hashFiles } from '../src/hash-files.js';

let base: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'glob-'));
  for (const file of ['a/one.txt', 'a/b/two.txt', 'a/b/skip.log', 'c/three.txt', '.hidden/x.txt']) {
    mkdirSync(join(base, file, '..'), { recursive: true });
    writeFileSync(join(base, file), file);
  }
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const relative = (files: string[]) => files.map((file) => file.slice(base.length + 1));

describe('matchFiles', () => {
  it('takes a directory whole, globs across directories, and excludes with !', () => {
    expect(relative(matchFiles('a', base).files)).toEqual(['a/b/skip.log', 'a/b/two.txt', 'a/one.txt']);
    expect(relative(matchFiles('**/*.txt\n!a/b/**', base).files)).toEqual([
      '.hidden/x.txt',
      'a/one.txt',
      'c/three.txt',
    ]);
    expect(relative(matchFiles('# a comment\n\n a/*/t?o.txt ', base).files)).toEqual(['a/b/two.txt']);
    expect(matchFiles('nothing/here', base).files).toEqual([]);
  });

  it('gives each pattern the path its match starts from', () => {
    expect(matchFiles('a/b/*.txt\nc/three.txt', base).searchPaths).toEqual([
      join(base, 'a/b'),
      join(base, 'c/three.txt'),
    ]);
    expect(commonAncestor([join(base, 'a/b'), join(base, 'a/one.txt')])).toBe(join(base, 'a'));
  });
});

describe('patternRegex', () => {
  it('keeps * within a name and lets ** cross directories', () => {
    expect(patternRegex('record-*').test('record-dev-1-api')).toBe(true);
    expect(patternRegex('/x/*.json').test('/x/y/z.json')).toBe(false);
    expect(patternRegex('/x/**/*.json').test('/x/z.json')).toBe(true);
  });
});

describe('hashFiles', () => {
  it('is stable for the same files, other for others, and empty for none', () => {
    const one = hashFiles(['a/**'], base);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(hashFiles(['a/**'], base)).toBe(one);
    expect(hashFiles(['c/**'], base)).not.toBe(one);
    expect(hashFiles(['none/**'], base)).toBe('');
  });
});
