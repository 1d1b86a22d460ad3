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

describe('compareImages with image names', () => {
  const api = { container: 'app', uri: `repo/ml-api@${d('a')}`, digest: d('a') };
  it('looks each container up under the image name its service maps it to', () => {
    const rows = compareImages(
      [api],
      { api: `repo/ml-api@${d('a')}`, featurize: `repo/ml-api@${d('c')}` },
      { app: 'api' },
    );
    expect(rows.map((row) => [row.container, row.recordedAs, row.outcome])).toEqual([
      ['app', 'api', 'match'],
      ['featurize', undefined, 'only-recorded'],
    ]);
  });

  it('never guesses: a swapped image is a mismatch, an unmapped container is only running', () => {
    const worker = { container: 'celery', uri: `repo/ml-api@${d('a')}`, digest: d('a') };
    const web = { container: 'web', uri: `repo/ml-api@${d('b')}`, digest: d('b') };
    const recorded = { api: `repo/ml-api@${d('a')}`, worker: `repo/ml-api@${d('b')}` };
    expect(
      compareImages([web, worker], recorded, { web: 'api', celery: 'worker' }).map((row) => row.outcome),
    ).toEqual(['mismatch', 'mismatch']);
    expect(
      compareImages([api], { api: `repo/ml-api@${d('a')}` }).map((row) => [row.container, row.outcome]),
    ).toEqual([
      ['app', 'only-running'],
      ['api', 'only-recorded'],
    ]);
  });
});

describe('imagesUnderRecordedNames', () => {
  const api = { container: 'app', uri: `repo/ml-api@${d('a')}`, digest: d('a') };
  const sidecar = { container: 'sidecar', uri: `repo/agent@${d('f')}`, digest: d('f') };
  const deployment = { id: 1, ref: 'main', sha: 's', createdAt: 't', images: {} };

  it('gives only what matched the record, under the recorded names', () => {
    const comparisons = compareImages([api, sidecar], { api: `repo/ml-api@${d('a')}` }, { app: 'api' });
    expect(
      imagesUnderRecordedNames([api, sidecar], {
        environment: 'dev',
        deployment,
        examined: 1,
        comparisons,
        matched: true,
      }),
    ).toBe(`api=repo/ml-api@${d('a')}`);
  });

  it('without a record to check (require-record: false), every running image under its image name', () => {
    expect(
      imagesUnderRecordedNames(
        [api, sidecar],
        { environment: 'dev', examined: 0, comparisons: [], matched: false },
        { app: 'api' },
      ),
    ).toBe(`api=repo/ml-api@${d('a')}\nsidecar=repo/agent@${d('f')}`);
  });
});
