import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputReader } from '@ecs-ship/shared/inputs';
import { getInputs } from '../src/inputs.js';
import type { RunnerContext } from '../src/runner-context.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const SHA = '0'.repeat(40);
const workspace = mkdtempSync(path.join(tmpdir(), 'delivery-inputs-'));
writeFileSync(path.join(workspace, 'results.json'), '[{"check":"a","status":"pass","summary":""}]');
writeFileSync(path.join(workspace, 'body.md'), 'hello');

const runner = (fields: Partial<RunnerContext> = {}): RunnerContext => ({
  repo: { owner: 'o', repo: 'r' },
  repository: 'o/r',
  serverUrl: 'https://github.com',
  runId: '100',
  runAttempt: 3,
  sha: SHA,
  ref: 'refs/heads/main',
  actor: 'octocat',
  eventName: 'push',
  event: {},
  runUrl: 'https://github.com/o/r/actions/runs/100/attempts/3',
  ...fields,
});
const read = (inputs: Record<string, string>, context = runner()) =>
  getInputs(
    new InputReader((name) => ({ 'github-token': 'ghs_x', ...inputs })[name] ?? '', { workspace }),
    context,
  );

describe('getInputs', () => {
  it('reads a deployment start with its defaults', () => {
    expect(
      read({
        mode: 'deployment',
        environment: 'dev',
        state: 'start',
        images: `app=r@${DIGEST}`,
        services: 'a\nb',
      }),
    ).toEqual({
      mode: 'deployment',
      githubToken: 'ghs_x',
      environment: 'dev',
      state: 'start',
      ref: SHA,
      images: [{ container: 'app', uri: `r@${DIGEST}`, digest: DIGEST }],
      services: ['a', 'b'],
      records: [],
      unmatchedRecords: [],
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ['no mode', {}, 'Input "mode" is required'],
    [
      'an unknown mode',
      { mode: 'deploy' },
      'Input "mode" must be one of deployment, source-check, approvals, pr-comment, plan, revert-plan; got "deploy".',
    ],
    [
      'an input of another mode',
      { mode: 'approvals', environments: 'a', environment: 'x' },
      '"environment" (for mode deployment / source-check / plan) do not apply to "mode: approvals"',
    ],
    [
      'no token',
      { mode: 'approvals', environments: 'a', 'github-token': '' },
      'Input "github-token" is required',
    ],
    [
      'deployment-id with start',
      {
        mode: 'deployment',
        environment: 'dev',
        state: 'start',
        images: `a=r@${DIGEST}`,
        'deployment-id': '1',
      },
      'must not be set with "state: start"',
    ],
    [
      'a bad deployment-id',
      { mode: 'deployment', environment: 'dev', state: 'success', 'deployment-id': 'abc' },
      'Input "deployment-id" must be a whole number',
    ],
    [
      'a container twice',
      { mode: 'deployment', environment: 'dev', state: 'start', images: `a=r@${DIGEST}\na=r@${DIGEST}` },
      'names container "a" twice',
    ],
    [
      'a bad environment-url',
      {
        mode: 'deployment',
        environment: 'dev',
        state: 'start',
        images: `a=r@${DIGEST}`,
        'environment-url': 'ftp://x',
      },
      'Input "environment-url" must be an http(s) URL',
    ],
    [
      'a bad production-environment',
      {
        mode: 'deployment',
        environment: 'dev',
        state: 'start',
        images: `a=r@${DIGEST}`,
        'production-environment': 'maybe',
      },
      'Input "production-environment" must be true or false',
    ],
    [
      'source-check without images',
      { mode: 'source-check', environment: 'dev' },
      'Input "images" is required here',
    ],
    ['approvals without environments', { mode: 'approvals' }, 'Input "environments" is required'],
    [
      'the same environment twice',
      { mode: 'approvals', environments: 'a, A' },
      'Input "environments" must be distinct environment names',
    ],
    [
      'pr-comment without content',
      { mode: 'pr-comment', 'pull-request': '1' },
      'set "body-file" (Markdown) or "results-file"',
    ],
    [
      'pr-comment with both',
      { mode: 'pr-comment', 'pull-request': '1', 'body-file': 'body.md', 'results-file': 'results.json' },
      'are exclusive',
    ],
    [
      'a missing body file',
      { mode: 'pr-comment', 'pull-request': '1', 'body-file': 'nope.md' },
      'Input "body-file" must be the path of an existing file',
    ],
    [
      'a key that could end the marker',
      { mode: 'pr-comment', 'pull-request': '1', 'body-file': 'body.md', key: 'a -->' },
      'Input "key" must be',
    ],
    [
      'a short head-sha',
      { mode: 'pr-comment', 'pull-request': '1', 'body-file': 'body.md', 'head-sha': 'abc' },
      'Input "head-sha" must be a full commit SHA',
    ],
    [
      'a bad run-url',
      { mode: 'pr-comment', 'pull-request': '1', 'body-file': 'body.md', 'run-url': 'javascript:x' },
      'Input "run-url" must be an http(s) URL',
    ],
  ])('refuses %s', (_name, inputs, message) => {
    expect(() => read(inputs)).toThrow(message);
  });

  it('takes the pull request and head from a pull_request event', () => {
    const inputs = read(
      { mode: 'pr-comment', 'body-file': 'body.md' },
      runner({
        eventName: 'pull_request',
        event: { pull_request: { number: 5, head: { sha: 'B'.repeat(40) } } },
      }),
    );
    expect(inputs).toMatchObject({
      pullRequest: 5,
      headSha: 'b'.repeat(40),
      runId: '100',
      runAttempt: 3,
      runUrl: 'https://github.com/o/r/actions/runs/100/attempts/3',
      relay: false,
      key: 'pr-validate',
      title: 'ecs-ship pull request validation',
      expectedAuthor: 'github-actions[bot]',
    });
  });

  it('in a workflow_run relay, defaults to the producing run and its trusted head', () => {
    const event = {
      workflow_run: {
        id: 77,
        run_attempt: 2,
        head_sha: 'c'.repeat(40),
        html_url: 'https://github.com/o/r/actions/runs/77',
      },
    };
    const context = runner({ eventName: 'workflow_run', event });
    expect(
      read({ mode: 'pr-comment', 'results-file': 'results.json', 'pull-request': '9' }, context),
    ).toMatchObject({
      pullRequest: 9,
      headSha: 'c'.repeat(40),
      runId: '77',
      runAttempt: 2,
      runUrl: 'https://github.com/o/r/actions/runs/77/attempts/2',
      relay: true,
    });
    expect(
      read(
        {
          mode: 'pr-comment',
          'results-file': 'results.json',
          'pull-request': '9',
          'run-id': '77',
          'run-url': 'https://x.test/77',
        },
        context,
      ),
    ).toMatchObject({ runId: '77', runAttempt: 2, runUrl: 'https://x.test/77' });
    expect(() => read({ mode: 'pr-comment', 'results-file': 'results.json' }, context)).toThrow(
      'the workflow_run relay, pass the number the pull request run saved',
    );
  });

  it('treats a pull request number that is not the event’s own as a relay', () => {
    const context = runner({
      eventName: 'pull_request',
      event: { pull_request: { number: 5, head: { sha: 'b'.repeat(40) } } },
    });
    expect(read({ mode: 'pr-comment', 'body-file': 'body.md', 'pull-request': '6' }, context)).toMatchObject({
      pullRequest: 6,
      relay: true,
    });
    expect(read({ mode: 'pr-comment', 'body-file': 'body.md', 'pull-request': '5' }, context)).toMatchObject({
      relay: false,
    });
  });
});
