// Strict mode: what GitHub reads as '' or only warns about fails the step, so a renamed input or
// output breaks a test.
import { describe, expect, it } from '@jest/globals';
import { runFixture, step } from './fixture-repo.js';

describe('strict mode', () => {
  it('fails a step that reads an undeclared output or a missing step, or gives an unexpected input', async () => {
    const run = await runFixture('strict.yml');
    expect(step(run, 'strict', 'renamed-output')).toMatchObject({
      conclusion: 'failure',
      error:
        "${{ steps.echo.outputs.mesage }}: steps.echo.outputs.mesage: step 'echo' (./actions/echo) declares no output 'mesage' (it declares: message, greeting, has-token, inputs)",
    });
    expect(step(run, 'strict', 'unexpected-input')).toMatchObject({
      conclusion: 'failure',
      error:
        "./actions/echo: Unexpected input(s) 'colour', valid inputs are ['message', 'base-url', 'token', 'greeting', 'fail', 'fail-post']",
    });
    expect(step(run, 'strict', 'missing-step').error).toContain(
      "steps.nope.outputs.x: the job has no step with id 'nope'",
    );
    // A run step may write any output name: reading one is not checked.
    expect(step(run, 'strict', 'run-output').conclusion).toBe('success');
  });

  it('only warns when strict is off, as GitHub does', async () => {
    const run = await runFixture('strict.yml', { strict: false });
    expect(step(run, 'strict', 'renamed-output')).toMatchObject({
      conclusion: 'success',
      stdout: 'value=\n',
    });
    expect(step(run, 'strict', 'unexpected-input').conclusion).toBe('success');
    expect(run.result).toBe('success');
    expect(run.warnings).toEqual([
      "strict (step): steps.echo.outputs.mesage: step 'echo' (./actions/echo) declares no output 'mesage' (it declares: message, greeting, has-token, inputs)",
      "strict / Run ./actions/echo: Unexpected input(s) 'colour', valid inputs are ['message', 'base-url', 'token', 'greeting', 'fail', 'fail-post']",
      "strict (step): steps.nope.outputs.x: the job has no step with id 'nope' (ids: echo, renamed-output, unexpected-input, missing-step, run-output)",
    ]);
  });
});
