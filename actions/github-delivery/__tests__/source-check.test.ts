import { describe, expect, it } from '@jest/globals';
import type { ImageRef } from '../src/images.js';
import { compareImages, imagesUnderRecordedNames, payloadImages } from '../src/source-check.js';

const d = (seed: string) => `sha256:${seed.repeat(64)}`;
const image = (container: string, seed: string): ImageRef => ({
  container,
  uri: `repo/${container}@${d(seed)}`,
  digest: d(seed),
});

describe('compareImages', () => {
  it.each<[string, ImageRef[], Record<string, string>, Array<[string, string]>]>([
    ['same digests', [image('app', 'a')], { app: `repo/app@${d('a')}` }, [['app', 'match']]],
    [
      'another repository, same digest',
      [image('app', 'a')],
      { app: `mirror/app@${d('a')}` },
      [['app', 'match']],
    ],
    [
      'upper-case digest on record',
      [image('app', 'a')],
      { app: `repo/app@sha256:${'A'.repeat(64)}` },
      [['app', 'match']],
    ],
    ['different digests', [image('app', 'a')], { app: `repo/app@${d('b')}` }, [['app', 'mismatch']]],
    ['a record with a tag only', [image('app', 'a')], { app: 'repo/app:latest' }, [['app', 'mismatch']]],
    [
      'containers on one side',
      [image('app', 'a'), image('new', 'c')],
      { app: `repo/app@${d('a')}`, gone: `repo/gone@${d('e')}` },
      [
        ['app', 'match'],
        ['new', 'only-running'],
        ['gone', 'only-recorded'],
      ],
    ],
    [
      'recorded by image name: the same repository and digest',
      [{ container: 'app', uri: `repo/ml-api@${d('a')}`, digest: d('a') }],
      { api: `repo/ml-api@${d('a')}`, featurize: `repo/ml-api@${d('c')}` },
      [
        ['app', 'match'],
        ['featurize', 'only-recorded'],
      ],
    ],
    [
      'recorded by image name: no recorded digest of that repository runs',
      [{ container: 'app', uri: `repo/ml-api@${d('b')}`, digest: d('b') }],
      { api: `repo/ml-api@${d('a')}`, other: `repo/other@${d('b')}` },
      [
        ['app', 'mismatch'],
        ['other', 'only-recorded'],
      ],
    ],
  ])('%s', (_name, running, recorded, expected) => {
    expect(compareImages(running, recorded).map((row) => [row.container, row.outcome])).toEqual(expected);
  });
});

describe('payloadImages', () => {
  it.each([
    ['our payload', { images: { app: 'x' }, services: [], run: 'u' }, { app: 'x' }],
    ['no images', { image: 'x' }, undefined],
    ['a non-string image', { images: { app: 1 } }, undefined],
    ['text', 'payload', undefined],
  ])('%s', (_name, payload, expected) => {
    expect(payloadImages(payload)).toEqual(expected);
  });
});

describe('imagesUnderRecordedNames', () => {
  it('names each running image as the deployment recorded it, else by its container', () => {
    const running = [
      { container: 'app', uri: `repo/ml-api@${d('a')}`, digest: d('a') },
      { container: 'sidecar', uri: `repo/agent@${d('f')}`, digest: d('f') },
    ];
    const comparisons = compareImages(running, { api: `repo/ml-api@${d('a')}` });
    expect(
      imagesUnderRecordedNames(running, { environment: 'dev', examined: 1, comparisons, matched: true }),
    ).toBe(`api=repo/ml-api@${d('a')}\nsidecar=repo/agent@${d('f')}`);
  });
});
