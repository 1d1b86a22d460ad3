import { describe, expect, it } from '@jest/globals';
import { readRunnerContext } from '../src/runner-context.js';

const env = {
  GITHUB_REPOSITORY: 'o/r',
  GITHUB_RUN_ID: '123',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SHA: 'A'.repeat(40),
  GITHUB_SERVER_URL: 'https://ghe.example.com/',
  GITHUB_ACTOR: 'octocat',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_EVENT_PATH: '/event.json',
};

describe('readRunnerContext', () => {
  it('reads the run and its event', () => {
    const context = readRunnerContext(env, () => '{"pull_request":{"number":4}}');
    expect(context).toMatchObject({
      repo: { owner: 'o', repo: 'r' },
      runId: '123',
      runAttempt: 2,
      sha: 'a'.repeat(40),
      actor: 'octocat',
      eventName: 'pull_request',
      event: { pull_request: { number: 4 } },
      runUrl: 'https://ghe.example.com/o/r/actions/runs/123/attempts/2',
    });
    expect(context.triggeringActor).toBeUndefined();
  });

  it.each([
    ['GITHUB_REPOSITORY', { GITHUB_REPOSITORY: 'o' }],
    ['GITHUB_RUN_ID', { GITHUB_RUN_ID: '' }],
    ['GITHUB_RUN_ATTEMPT', { GITHUB_RUN_ATTEMPT: 'x' }],
    ['GITHUB_SHA', { GITHUB_SHA: 'main' }],
  ])('fails closed without %s', (name, override) => {
    expect(() => readRunnerContext({ ...env, ...override }, () => '{}')).toThrow(name);
  });

  it('has an empty event when there is no file, and refuses one that is not JSON', () => {
    expect(readRunnerContext({ ...env, GITHUB_EVENT_PATH: '' }).event).toEqual({});
    expect(
      readRunnerContext(env, () => {
        throw new Error('ENOENT');
      }).event,
    ).toEqual({});
    expect(() => readRunnerContext(env, () => '{')).toThrow('is not valid JSON');
  });
});
