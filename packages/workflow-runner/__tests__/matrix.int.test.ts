// strategy.matrix: include/exclude, a matrix from a needs output, fail-fast, outputs of matrix jobs.
import { describe, expect, it } from '@jest/globals';
import { job, results, runFixture } from './fixture-repo.js';

describe('matrix jobs', () => {
  it('runs one job per combination, named `job (values)`, with the strategy context', async () => {
    const run = await runFixture('matrix.yml');
    const statics = Object.values(run.jobs).filter((record) => record.job === 'static');
    expect(statics.map((record) => record.id)).toEqual([
      'static (apple, cat, green, circle)',
      'static (apple, dog, green, circle)',
      'static (pear, cat, green)',
      'static (banana)',
    ]);
    expect(statics.map((record) => record.steps[0]?.stdout.trim())).toEqual([
      'apple/cat/green/circle 0 of 4 max 1',
      'apple/dog/green/circle 1 of 4 max 1',
      'pear/cat/green/ 2 of 4 max 1',
      'banana/// 3 of 4 max 1',
    ]);
    expect(job(run, 'static (banana)').matrix).toEqual({ fruit: 'banana' });
  });

  it('expands a matrix given as fromJSON of a needs output; a key an entry lacks reads as empty', async () => {
    const run = await runFixture('matrix.yml');
    expect(job(run, 'dynamic (api, 1)')).toMatchObject({
      name: 'deploy api',
      matrix: { service: 'api', order: 1 },
    });
    expect(job(run, 'dynamic (api, 1)').steps[0]?.stdout).toBe("service api extra ''\n");
    expect(job(run, 'dynamic (worker, 2, x)').steps[0]?.stdout).toBe("service worker extra 'x'\n");
  });

  it('folds matrix outputs: each combination overwrites the last, an empty value overwrites nothing', async () => {
    const run = await runFixture('matrix.yml');
    expect(job(run, 'reads').steps[0]?.stdout).toBe('last=worker api=seen fail-fast=failure\n');
  });

  it('cancels the combinations not yet started after a failure (fail-fast), unless fail-fast is false', async () => {
    const run = await runFixture('matrix.yml');
    expect(
      results(run).filter((line) => line.startsWith('fail-fast') || line.startsWith('no-fail-fast')),
    ).toEqual([
      'fail-fast (1): success',
      'fail-fast (2): failure',
      'fail-fast (3): cancelled',
      'no-fail-fast (1): success',
      'no-fail-fast (2): failure',
      'no-fail-fast (3): success',
    ]);
    expect(job(run, 'fail-fast (3)').steps).toEqual([]);
    expect(run.result).toBe('failure');
  });
});
