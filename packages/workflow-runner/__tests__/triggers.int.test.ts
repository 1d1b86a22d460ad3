// The run itself: which events start it, dispatch inputs, the github context and GITHUB_* variables.
import { describe, expect, it } from '@jest/globals';
import { runFixture, step } from './fixture-repo.js';

const dispatch = (inputs: Record<string, string | boolean | number>) => ({
  event: { name: 'workflow_dispatch', payload: { sender: { login: 'octo' } } },
  inputs,
});

describe('the run', () => {
  it('refuses an event the workflow is not triggered by, and inputs for an event without any', async () => {
    await expect(runFixture('triggers.yml')).rejects.toThrow(
      '.github/workflows/triggers.yml is not triggered by push: it runs on workflow_dispatch',
    );
    await expect(runFixture('jobs.yml', { inputs: { x: '1' } })).rejects.toThrow(
      '.github/workflows/jobs.yml (push): inputs are given only to workflow_dispatch and workflow_call runs',
    );
  });

  it('types dispatch inputs for `inputs` and keeps them as strings in github.event.inputs', async () => {
    const run = await runFixture('triggers.yml', dispatch({ target: 'prod', count: '5' }));
    expect(step(run, 'context', 'inputs').stdout).toBe(
      [
        'typed={"target":"prod","dry-run":true,"count":5,"note":""}',
        'event={"target":"prod","dry-run":"true","count":"5","note":""}',
        'is-bool=true',
        '',
      ].join('\n'),
    );
  });

  it('refuses dispatch inputs GitHub would refuse', async () => {
    await expect(runFixture('triggers.yml', dispatch({ target: 'qa' }))).rejects.toThrow(
      `.github/workflows/triggers.yml (workflow_dispatch): input 'target' expects one of dev, prod, got "qa" (string)`,
    );
    await expect(runFixture('triggers.yml', dispatch({ target: 'dev', colour: 'red' }))).rejects.toThrow(
      "input 'colour' is not declared by on.workflow_dispatch.inputs",
    );
    await expect(runFixture('triggers.yml', dispatch({}))).rejects.toThrow(
      "input 'target' is required and was not given",
    );
  });

  it('gives steps the github context as GITHUB_* variables, never the token, and the event file', async () => {
    const run = await runFixture('triggers.yml', {
      ...dispatch({ target: 'dev' }),
      github: { repository: 'acme/app', sha: 'b'.repeat(40), ref: 'refs/heads/release', run_id: '42' },
      env: { BASE_ONLY: 'from-base-env', GITHUB_API_URL: 'http://127.0.0.1:9' },
    });
    expect(step(run, 'context', 'env').stdout).toBe(
      [
        'GITHUB_REPOSITORY=acme/app',
        'GITHUB_REPOSITORY_OWNER=acme',
        `GITHUB_SHA=${'b'.repeat(40)}`,
        'GITHUB_REF=refs/heads/release',
        'GITHUB_REF_NAME=release',
        'GITHUB_EVENT_NAME=workflow_dispatch',
        'GITHUB_ACTOR=octo',
        'GITHUB_RUN_ID=42',
        'GITHUB_JOB=context',
        'GITHUB_ACTION=env',
        'GITHUB_WORKFLOW=triggers',
        'GITHUB_API_URL=http://127.0.0.1:9',
        'RUNNER_OS=Linux',
        'CI=true',
        'GITHUB_ACTIONS=true',
        'BASE_ONLY=from-base-env',
        'event-file=octo',
        'workspace-is-root=yes',
        'token-in-env=absent',
        '',
      ].join('\n'),
    );
  });
});

describe('cancellation', () => {
  it('interrupts the running step; afterwards only always() and cancelled() work runs', async () => {
    const controller = new AbortController();
    const run = await runFixture('cancel.yml', {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'log' && event.line === 'waiting') controller.abort();
      },
    });
    expect(run.result).toBe('cancelled');
    expect(step(run, 'long', 'wait')).toMatchObject({
      outcome: 'cancelled',
      conclusion: 'cancelled',
      stdout: 'waiting\ninterrupted\n',
    });
    expect(step(run, 'long', 'next').conclusion).toBe('skipped');
    expect(step(run, 'long', 'cleanup')).toMatchObject({
      conclusion: 'success',
      stdout: 'cleanup after cancel\n',
    });
    expect(run.jobs.long?.result).toBe('cancelled');
    expect(run.jobs.later?.result).toBe('cancelled');
    expect(run.jobs.always?.steps[0]?.stdout).toBe('always after cancel\n');
  });
});
