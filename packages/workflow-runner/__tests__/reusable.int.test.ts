// Jobs that call reusable workflows: typed inputs, secrets mapped or inherited, outputs, nesting.
import { describe, expect, it } from '@jest/globals';
import { job, results, runFixture } from './fixture-repo.js';

const dispatch = { name: 'workflow_dispatch', payload: {} };

describe('reusable workflows', () => {
  it("runs the called workflow's jobs as `caller / job`, nested ones too", async () => {
    const run = await runFixture('reusable-caller.yml', {
      event: dispatch,
      secrets: { API_KEY: 'api-key-value-1' },
    });
    expect(results(run)).toEqual([
      'prepare: success',
      'call: success',
      'call / inner: success',
      'call / nested: success',
      'call / nested / leaf: success',
      'inherit: success',
      'inherit / inner: success',
      'inherit / nested: success',
      'inherit / nested / leaf: success',
      'use-outputs: success',
    ]);
    expect(job(run, 'call / nested / leaf')).toMatchObject({ job: 'leaf', name: 'call / nested / leaf' });
  });

  it('types with: by on.workflow_call.inputs and applies defaults, expressions included', async () => {
    const run = await runFixture('reusable-caller.yml', { event: dispatch });
    expect(job(run, 'call')).toMatchObject({
      uses: './.github/workflows/reusable.yml',
      with: { name: 'first', count: 3, 'dry-run': true, suffix: 'workflow_dispatch' },
    });
    expect(job(run, 'call / inner').outputs.greeting).toBe(
      'hello first x3 dry=true workflow_dispatch true-true',
    );
    expect(job(run, 'inherit').with).toEqual({
      name: 'second',
      count: 1,
      'dry-run': false,
      suffix: 'workflow_dispatch',
    });
  });

  it('passes only the mapped secrets, or all of them with inherit, and records which', async () => {
    const run = await runFixture('reusable-caller.yml', {
      event: dispatch,
      secrets: { API_KEY: 'api-key-value-1' },
    });
    expect(job(run, 'call').secrets).toEqual(['api-key']);
    expect(job(run, 'call / inner').steps[0]?.stdout).toBe('key=[***]\n');
    expect(job(run, 'inherit').secrets).toBe('inherit');
    // inherit passes API_KEY under its own name; the callee reads api-key.
    expect(job(run, 'inherit / inner').steps[0]?.stdout).toBe('key=[]\n');
  });

  it("makes on.workflow_call.outputs the caller's outputs", async () => {
    const run = await runFixture('reusable-caller.yml', { event: dispatch });
    expect(job(run, 'call').outputs).toEqual({
      greeting: 'hello first x3 dry=true workflow_dispatch true-true',
      summary: 'success leaf-of-first',
    });
    expect(job(run, 'use-outputs').steps[0]?.stdout).toBe(
      'hello first x3 dry=true workflow_dispatch true-true | success leaf-of-second\n',
    );
  });

  it('refuses what GitHub refuses: undeclared or missing inputs, wrong types, undeclared secrets', async () => {
    const run = await runFixture('reusable-bad-input.yml');
    const errors = Object.fromEntries(Object.values(run.jobs).map((record) => [record.id, record.error]));
    expect(errors).toEqual({
      unknown:
        "unknown: .github/workflows/reusable.yml: input 'colour' is not declared by on.workflow_call.inputs (declared: name, count, dry-run, suffix)",
      mistyped: `mistyped: .github/workflows/reusable.yml: input 'dry-run' expects a boolean, got "true" (string)`,
      missing: "missing: .github/workflows/reusable.yml: input 'name' is required and was not given",
      'not-reusable': '.github/workflows/jobs.yml is not reusable: it has no on.workflow_call',
      'undeclared-secret':
        "undeclared-secret: .github/workflows/reusable.yml: secret 'other' is not declared by on.workflow_call.secrets (declared: api-key)",
    });
    expect(Object.values(run.jobs).every((record) => record.result === 'failure')).toBe(true);
  });

  it('runs a reusable workflow as the entry point, its outputs the run outputs', async () => {
    const run = await runFixture('call-entry.yml', {
      event: { name: 'workflow_call', payload: {} },
      inputs: { who: 'lead' },
      secrets: { needed: 'needed-secret-value' },
    });
    expect(run.outputs).toEqual({ said: 'hello lead' });
    await expect(
      runFixture('call-entry.yml', { event: { name: 'workflow_call' }, inputs: { who: 'x' } }),
    ).rejects.toThrow(".github/workflows/call-entry.yml: secret 'needed' is required and was not given");
  });
});
