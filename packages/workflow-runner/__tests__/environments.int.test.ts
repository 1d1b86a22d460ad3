// environment: approval before the job starts, environment vars and secrets, the url after the steps.
import { describe, expect, it } from '@jest/globals';
import type { RunnerEvent } from '../src/types.js';
import { job, results, runFixture, step } from './fixture-repo.js';

const dispatch = { name: 'workflow_dispatch', payload: {} };

describe('environments', () => {
  it('asks before each job with an environment, then releases its vars and secrets', async () => {
    const asked: string[] = [];
    const run = await runFixture('environments.yml', {
      event: dispatch,
      vars: { REGION: 'us' },
      environments: { production: { vars: { REGION: 'eu' }, secrets: { DEPLOY_KEY: 'deploy-key-value' } } },
      approve: (environment, jobId) => {
        asked.push(`${environment} for ${jobId}`);
        return { approved: true, by: 'sam' };
      },
    });
    expect(asked).toEqual(['production for deploy', 'staging for after']);
    expect(job(run, 'deploy')).toMatchObject({
      result: 'success',
      environment: { name: 'production', url: 'https://eu.example.test' },
      approval: { approved: true, by: 'sam' },
      // Evaluated with the job's contexts, before the environment's vars are released.
      concurrency: { group: 'deploy-us', cancelInProgress: false },
    });
    expect(step(run, 'deploy', 'where').stdout).toBe('key is ***\n');
    expect(run.concurrency).toEqual({ group: 'run-refs/heads/main', cancelInProgress: false });
  });

  it('approves by default, as the runner, and treats an environment named "" as none', async () => {
    const events: RunnerEvent[] = [];
    const run = await runFixture('environments.yml', {
      event: dispatch,
      onEvent: (event) => events.push(event),
    });
    expect(job(run, 'deploy').approval).toEqual({ approved: true, by: 'the runner' });
    expect(events).toContainEqual({
      type: 'approval',
      job: 'deploy',
      environment: 'production',
      approved: true,
      by: 'the runner',
    });
    expect(job(run, 'none').environment).toBeUndefined();
    expect(job(run, 'none').approval).toBeUndefined();
  });

  it('fails a job whose environment is rejected, without running it', async () => {
    const run = await runFixture('environments.yml', {
      event: dispatch,
      approve: (environment) => ({ approved: environment !== 'production', by: 'riley' }),
    });
    expect(job(run, 'deploy')).toMatchObject({
      result: 'failure',
      approval: { approved: false, by: 'riley' },
      error: 'environment production was not approved (rejected by riley)',
      steps: [],
    });
    // `after` evaluates its environment to '' when deploy failed... but it needs deploy: skipped.
    expect(results(run)).toEqual(['deploy: failure', 'after: skipped', 'none: success']);
    expect(run.result).toBe('failure');
  });
});
