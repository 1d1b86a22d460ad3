// Jobs in needs order, job-level if with status functions, needs.<id>.outputs / result, job outputs.
import { describe, expect, it } from '@jest/globals';
import type { RunnerEvent } from '../src/types.js';
import { job, results, runFixture } from './fixture-repo.js';

describe('jobs', () => {
  it('runs jobs after their needs and decides each if: over all its ancestors', async () => {
    const run = await runFixture('jobs.yml', { secrets: { API_KEY: 'api-key-value-1' } });
    expect(results(run)).toEqual([
      'first: success',
      'second: success',
      'independent: success',
      'fails: failure',
      // Its need failed: the default success() is false.
      'skipped-after-failure: skipped',
      'cleanup: success',
      // Its need succeeded, but an ancestor failed: success() looks at all of them.
      'below-cleanup: skipped',
      'on-failure: success',
      'conditional: success',
      'never: skipped',
    ]);
    expect(run.result).toBe('failure');
    expect(job(run, 'skipped-after-failure').steps).toEqual([]);
  });

  it('hands needs.<id>.outputs and result on, outputs evaluated after the last step', async () => {
    const run = await runFixture('jobs.yml');
    expect(job(run, 'first')).toMatchObject({
      outputs: { word: 'alpha', late: 'written-by-the-last-step' },
      // Recorded, not enforced.
      timeoutMinutes: 5,
    });
    expect(job(run, 'second').steps[0]?.stdout).toBe('second saw alpha written-by-the-last-step success\n');
    expect(job(run, 'on-failure').steps[0]?.stdout).toBe('on-failure saw success/failure\n');
  });

  it('drops an output that carries a secret, with the runner warning', async () => {
    const run = await runFixture('jobs.yml', { secrets: { API_KEY: 'api-key-value-1' } });
    expect(job(run, 'independent').outputs).toEqual({ plain: 'not a secret' });
    expect(run.warnings).toContain("independent: Skip output 'token' since it may contain secret.");
    expect(job(run, 'conditional').steps[0]?.stdout).toBe("token output is ''\n");
  });

  it('lets a failed job with continue-on-error look like a success to its dependants and the run', async () => {
    const run = await runFixture('job-continue-on-error.yml');
    expect(job(run, 'flaky')).toMatchObject({ result: 'failure', continueOnError: true });
    expect(job(run, 'after').steps[0]?.stdout).toBe('flaky looked like success\n');
    expect(run.result).toBe('success');
  });

  it('reports job and step progress as it happens', async () => {
    const events: RunnerEvent[] = [];
    await runFixture('job-continue-on-error.yml', { onEvent: (event) => events.push(event) });
    expect(
      events.map((event) => `${event.type} ${event.job}${'step' in event ? ` ${event.step}` : ''}`),
    ).toEqual([
      'job-start flaky',
      'step-start flaky Run exit 1',
      'step-end flaky Run exit 1',
      'job-end flaky',
      'job-start after',
      'step-start after Run echo "flaky looked like $RESULT"',
      'log after Run echo "flaky looked like $RESULT"',
      'step-end after Run echo "flaky looked like $RESULT"',
      'job-end after',
    ]);
  });
});
