// Steps: local actions as the runner runs them, post steps, env levels and file commands, shells,
// continue-on-error, outcome and conclusion, status functions.
import { describe, expect, it } from '@jest/globals';
import { FIXTURE_ROOT, job, runFixture, step } from './fixture-repo.js';

describe('local actions', () => {
  it('gets every input as INPUT_* the way the runner spells it, defaults included', async () => {
    const run = await runFixture('steps.yml', { github: { token: 'ghs_fixture_token_1' } });
    const echo = step(run, 'steps', 'echo');
    expect(echo.inputs).toEqual({
      message: 'first 0123456789abcdef0123456789abcdef01234567',
      'base-url': 'http://127.0.0.1:1',
      // `${{ github.token }}` as a default: the token, masked in the record.
      token: '***',
      greeting: 'hello',
      fail: 'false',
      'fail-post': 'false',
    });
    expect(JSON.parse(echo.outputs.inputs ?? '')).toEqual([
      'INPUT_BASE-URL',
      'INPUT_FAIL',
      'INPUT_FAIL-POST',
      'INPUT_GREETING',
      'INPUT_MESSAGE',
      'INPUT_TOKEN',
    ]);
    expect(echo).toMatchObject({
      outcome: 'success',
      conclusion: 'success',
      timeoutMinutes: 5,
      summary: '### echo\nfirst 0123456789abcdef0123456789abcdef01234567\n',
      stdout: 'message: first 0123456789abcdef0123456789abcdef01234567\ntoken: ***\n',
    });
    expect(echo.outputs).toMatchObject({ greeting: 'hello', 'has-token': 'true' });
    // A step name evaluated with the outputs of the steps before it.
    expect(step(run, 'steps', 'echo-again').name).toBe('Echo hello');
  });

  it('runs post steps at job end, last first, with each main step state, under post-if always()', async () => {
    const run = await runFixture('post-steps.yml');
    const steps = job(run, 'posts').steps.map(
      (record) => `${record.post ? 'post' : 'main'} ${record.conclusion}`,
    );
    expect(steps).toEqual([
      'main success',
      'main failure',
      'main success',
      'main skipped',
      'post failure',
      'post success',
      'post success',
    ]);
    const posts = job(run, 'posts').steps.filter((record) => record.post);
    expect(posts.map((record) => record.stdout)).toEqual([
      `post of three (main ran in ${FIXTURE_ROOT})\n`,
      `post of two (main ran in ${FIXTURE_ROOT})\n`,
      `post of one (main ran in ${FIXTURE_ROOT})\n`,
    ]);
    expect(posts[0]).toMatchObject({ name: 'Post Run ./actions/echo', summary: 'post three\n' });
    expect(job(run, 'posts').steps[1]?.annotations).toEqual([
      { level: 'error', message: 'echo was asked to fail' },
    ]);
  });

  it('runs our own actions in their pinned remote form from this repository', async () => {
    const run = await runFixture('uses-kinds.yml', {
      thirdParty: { 'example/handler': () => undefined, 'vendor/echo-copy': { directory: 'actions/echo' } },
    });
    expect(step(run, 'kinds', 'self')).toMatchObject({
      conclusion: 'success',
      outputs: { message: 'pinned' },
    });
  });
});

describe('run steps', () => {
  it('layers env (workflow < job < GITHUB_ENV < step), honours GITHUB_PATH and working-directory', async () => {
    const run = await runFixture('steps.yml');
    expect(step(run, 'steps', 'levels').stdout).toBe(
      'level=step workflow=from-workflow job=from-job cwd=actions\n',
    );
    expect(step(run, 'steps', 'exported').stdout).toBe(
      'exported=from-github-env context=from-github-env cwd=echo\ntool ran\n',
    );
  });

  it('runs bash -e by default, and the other shells asked for', async () => {
    const run = await runFixture('steps.yml');
    // bash -e: the script stops at the first failing command.
    expect(step(run, 'steps', 'hard')).toMatchObject({
      stdout: 'about to fail\n',
      exitCode: 1,
      outcome: 'failure',
    });
    expect(step(run, 'steps', 'sh').stdout).toMatch(/^sh runs .*script\.sh\n$/);
    expect(step(run, 'steps', 'python').stdout).toBe('python runs\n');
  });

  it('keeps a continue-on-error failure as outcome failure, conclusion success', async () => {
    const run = await runFixture('steps.yml');
    expect(step(run, 'steps', 'soft')).toMatchObject({
      outcome: 'failure',
      conclusion: 'success',
      continueOnError: true,
    });
    expect(step(run, 'steps', 'after-soft').stdout).toBe('soft outcome=failure conclusion=success\n');
  });

  it('skips the steps after a failure unless their if: says failure() or always()', async () => {
    const run = await runFixture('steps.yml');
    const conclusions = Object.fromEntries(
      job(run, 'steps')
        .steps.filter((record) => !record.post)
        .map((record) => [record.id, record.conclusion]),
    );
    expect(conclusions).toMatchObject({
      hard: 'failure',
      skipped: 'skipped',
      'on-failure': 'success',
      always: 'success',
      'literal-true': 'skipped',
    });
    expect(step(run, 'steps', 'on-failure').stdout).toBe(
      'on failure hard=failure skipped=skipped job=failure on Linux\n',
    );
    expect(job(run, 'steps').result).toBe('failure');
  });
});

describe('expressions in places', () => {
  it('refuses contexts a place lacks and has hashFiles() in steps', async () => {
    const run = await runFixture('invalid-expression.yml');
    expect(job(run, 'secret-in-if').steps[0]?.error).toBe(
      "if: ${{ secrets.API_KEY != '' }}: Unrecognized named-value: 'secrets'",
    );
    expect(job(run, 'hash-in-job-if')).toMatchObject({
      result: 'failure',
      error: "if: ${{ hashFiles('package.json') != '' }}: hashFiles() is available in steps only",
    });
    expect(step(run, 'hash-in-step', 'hash')).toMatchObject({ conclusion: 'success' });
    expect(step(run, 'hash-in-step', 'hash').stdout).toMatch(/^hash=[0-9a-f]{64}\n$/);
  });
});
