import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { createGitHubClient, runUrl } from '../src/github-client.js';
import { stickyMarker, upsertStickyComment } from '../src/github-comments.js';
import { createDeployment, setDeploymentStatus } from '../src/github-deployments.js';

// Octokit through @actions/github against a local fake of the GitHub REST API (github.com cannot be
// reached from here); the fake answers in GitHub's shapes and records every request.
let api: GitHubApiFake;
const repo = { owner: 'acme', repo: 'bio-api' };
const token = 'ghs_fake_token_123';

beforeAll(async () => {
  api = await startGitHubApiFake({ token });
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => api.reset());

const client = () => createGitHubClient(token, { GITHUB_API_URL: api.url });

describe('upsertStickyComment', () => {
  it('creates one comment, then edits it in place, leaving other comments alone', async () => {
    api.addComment({ ...repo, issueNumber: 7, body: 'LGTM', login: 'octocat' });
    const target = { ...repo, issueNumber: 7 };
    const first = await upsertStickyComment(
      client(),
      target,
      { action: 'ecs-deploy', key: 'staging' },
      'Deploying…',
    );
    const second = await upsertStickyComment(
      client(),
      target,
      { action: 'ecs-deploy', key: 'staging' },
      'Deployed ✅',
    );
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ id: first.id, created: false });
    const bodies = api.commentsOf(repo.owner, repo.repo, 7).map((comment) => comment.body);
    expect(bodies).toEqual(['LGTM', `${stickyMarker('ecs-deploy', 'staging')}\nDeployed ✅`]);
  });

  it("never takes over a person's comment that quotes or starts with the marker", async () => {
    const tag = stickyMarker('ecs-deploy', 'staging');
    api.addComment({ ...repo, issueNumber: 8, body: `${tag}\nI copied this`, login: 'octocat' });
    api.addComment({ ...repo, issueNumber: 8, body: `> ${tag}\n> Deploying…\nwhy?`, login: 'hubot[bot]' });
    const result = await upsertStickyComment(
      client(),
      { ...repo, issueNumber: 8 },
      { action: 'ecs-deploy', key: 'staging' },
      'Deployed ✅',
    );
    expect(result.created).toBe(true);
    expect(api.commentsOf(repo.owner, repo.repo, 8).map((comment) => comment.body)).toEqual([
      `${tag}\nI copied this`,
      `> ${tag}\n> Deploying…\nwhy?`,
      `${tag}\nDeployed ✅`,
    ]);
  });

  it('keeps one comment per key and finds it beyond the first page', async () => {
    for (let index = 0; index < 120; index++)
      api.addComment({ ...repo, issueNumber: 9, body: `noise ${index}`, login: 'someone' });
    const target = { ...repo, issueNumber: 9 };
    await upsertStickyComment(client(), target, { action: 'canary-gate', key: 'prod' }, 'a');
    await upsertStickyComment(client(), target, { action: 'canary-gate', key: 'staging' }, 'b');
    await upsertStickyComment(client(), target, { action: 'canary-gate', key: 'prod' }, 'c');
    const ours = api
      .commentsOf(repo.owner, repo.repo, 9)
      .filter((comment) => comment.body.startsWith('<!-- ecs-ship'));
    expect(ours.map((comment) => comment.body.split('\n')[1])).toEqual(['c', 'b']);
    expect(api.requests.some((request) => request.query.page === '2')).toBe(true);
    expect(api.requests.every((request) => request.authorization === `token ${token}`)).toBe(true);
  });
});

describe('deployments', () => {
  it('creates a deployment and moves it through in_progress to success with the log URL', async () => {
    const github = client();
    const id = await createDeployment(github, repo, {
      ref: 'abc123',
      environment: 'staging',
      description: 'api:abc123',
      payload: { image: 'repo/api@sha256:1' },
    });
    const logUrl = runUrl({
      GITHUB_REPOSITORY: 'acme/bio-api',
      GITHUB_RUN_ID: '42',
      GITHUB_SERVER_URL: 'https://github.com',
    });
    await setDeploymentStatus(github, repo, id, { state: 'in_progress', ...(logUrl ? { logUrl } : {}) });
    await setDeploymentStatus(github, repo, id, {
      state: 'success',
      environmentUrl: 'https://staging.example.com',
      description: 'x'.repeat(300),
    });
    expect(api.deployments).toEqual([expect.objectContaining({ id, environment: 'staging', ref: 'abc123' })]);
    const states = api
      .statusesOf(id)
      .map((status) => [status.state, status.log_url, status.description?.length]);
    expect(states).toEqual([
      ['success', '', 140],
      ['in_progress', 'https://github.com/acme/bio-api/actions/runs/42', 0],
    ]);
  });

  it('surfaces an API rejection', async () => {
    await expect(setDeploymentStatus(client(), repo, 999, { state: 'failure' })).rejects.toThrow();
  });
});
