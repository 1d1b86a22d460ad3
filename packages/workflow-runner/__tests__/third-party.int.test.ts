// Third-party uses: a thirdParty handler or directory, unknown ones failing closed, and the kinds of
// action the runner refuses rather than pretends to run.
import { describe, expect, it } from '@jest/globals';
import type { ThirdPartyStep } from '../src/types.js';
import { runFixture, step } from './fixture-repo.js';

describe('third-party actions', () => {
  it('runs a thirdParty handler with the step inputs; its outputs and exports reach later steps', async () => {
    const seen: ThirdPartyStep[] = [];
    const run = await runFixture('uses-kinds.yml', {
      github: { actor: 'dana' },
      thirdParty: {
        'example/handler': {
          inputs: ['who'],
          run: (context) => {
            seen.push(context);
            context.log(`hello ${context.inputs.who}`);
            return {
              outputs: { greeting: 'hey' },
              exportVariables: { HANDLER_EXPORT: 'exported' },
              recorded: { who: context.inputs.who },
            };
          },
        },
        'vendor/echo-copy': { directory: 'actions/echo' },
      },
    });
    expect(seen[0]).toMatchObject({
      uses: 'example/handler@0123456789abcdef0123456789abcdef01234567',
      action: 'example/handler',
      ref: '0123456789abcdef0123456789abcdef01234567',
      inputs: { who: 'dana' },
    });
    expect(seen[0]?.env.GITHUB_ACTOR).toBe('dana');
    expect(step(run, 'kinds', 'handler')).toMatchObject({
      stdout: 'hello dana',
      outputs: { greeting: 'hey' },
      emulation: { action: 'example/handler', recorded: { who: 'dana' } },
    });
    expect(step(run, 'kinds', 'handler-env').stdout).toBe('from handler: exported hey\n');
    expect(step(run, 'kinds', 'directory')).toMatchObject({
      conclusion: 'success',
      outputs: { message: 'vendored' },
    });
    expect(run.result).toBe('success');
  });

  it('fails closed on an unknown action, a composite action and a container', async () => {
    const run = await runFixture('uses-kinds.yml', {
      thirdParty: { 'example/handler': () => undefined, 'vendor/echo-copy': { directory: 'actions/echo' } },
    });
    expect(step(run, 'kinds', 'unknown')).toMatchObject({
      outcome: 'failure',
      error:
        "someone/unknown-action@v1: someone/unknown-action is neither emulated nor given in thirdParty; pass thirdParty['someone/unknown-action'] to say what it does here",
    });
    expect(step(run, 'kinds', 'composite').error).toBe(
      './actions/composite: runs.using composite is not supported by the workflow runner (JavaScript actions only)',
    );
    expect(step(run, 'kinds', 'docker').error).toBe(
      'docker://alpine:3.20: container actions are not supported by the workflow runner',
    );
  });

  it('fails the step with the message a handler throws', async () => {
    const run = await runFixture('uses-kinds.yml', {
      thirdParty: {
        'example/handler': () => {
          throw new Error('the fake service is down');
        },
        'vendor/echo-copy': { directory: 'actions/echo' },
      },
    });
    expect(step(run, 'kinds', 'handler')).toMatchObject({
      conclusion: 'failure',
      error: 'example/handler@0123456789abcdef0123456789abcdef01234567: the fake service is down',
    });
  });
});
