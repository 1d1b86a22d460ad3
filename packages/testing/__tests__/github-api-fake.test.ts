import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import type { GitHubApiFake } from '@ecs-ship/testing/github-api-fake';

let fake: GitHubApiFake;

beforeAll(async () => {
  fake = await startGitHubApiFake({ token: 'ghs_test', now: () => new Date('2026-01-02T03:04:05.678Z') });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function call(method: string, path: string, body?: unknown, token = 'ghs_test') {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    link: response.headers.get('link'),
    json: (await response.json()) as never,
  };
}

describe('issue comments', () => {
  it('creates, lists and updates comments with GitHub-like shapes', async () => {
    const created = await call('POST', '/repos/o/r/issues/7/comments', { body: 'first' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.any(Number),
      node_id: expect.any(String),
      body: 'first',
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: '2026-01-02T03:04:05Z',
      updated_at: '2026-01-02T03:04:05Z',
      html_url: expect.stringMatching(/^https:\/\/github\.com\/o\/r\/pull\/7#issuecomment-\d+$/),
    });
    const { id } = created.json as { id: number };

    const updated = await call('PATCH', `/repos/o/r/issues/comments/${id}`, { body: 'second' });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id, body: 'second' });

    const list = await call('GET', '/repos/o/r/issues/7/comments');
    expect(list.json).toEqual([expect.objectContaining({ id, body: 'second' })]);
    expect(fake.commentsOf('o', 'r', 7)).toHaveLength(1);
    expect(fake.commentsOf('o', 'r', 8)).toHaveLength(0);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/o/r/issues/7/comments',
      `PATCH /repos/o/r/issues/comments/${id}`,
      'GET /repos/o/r/issues/7/comments',
    ]);
    expect(fake.requests[0]).toMatchObject({ body: { body: 'first' }, authorization: 'token ghs_test' });
  });

  it('paginates with per_page / page and a Link header', async () => {
    for (let i = 1; i <= 5; i++)
      fake.addComment({ owner: 'o', repo: 'r', issueNumber: 1, body: `c${i}`, login: 'human' });

    const first = await call('GET', '/repos/o/r/issues/1/comments?per_page=2');
    expect((first.json as Array<{ body: string }>).map((c) => c.body)).toEqual(['c1', 'c2']);
    expect(first.link).toContain(`<${fake.url}/repos/o/r/issues/1/comments?per_page=2&page=2>; rel="next"`);
    expect(first.link).toContain('page=3>; rel="last"');

    const last = await call('GET', '/repos/o/r/issues/1/comments?per_page=2&page=3');
    expect((last.json as Array<{ body: string }>).map((c) => c.body)).toEqual(['c5']);
    expect(last.link).toContain('rel="prev"');
    expect(last.link).not.toContain('rel="next"');
  });

  it('answers 404 for an unknown comment, 422 for a missing body, 401 for a wrong token', async () => {
    expect((await call('PATCH', '/repos/o/r/issues/comments/999', { body: 'x' })).status).toBe(404);
    expect((await call('POST', '/repos/o/r/issues/1/comments', {})).status).toBe(422);
    const denied = await call('GET', '/repos/o/r/issues/1/comments', undefined, 'wrong');
    expect(denied.status).toBe(401);
    expect(denied.json).toMatchObject({ message: 'Bad credentials' });
    expect((await call('GET', '/nothing/here')).status).toBe(404);
  });
});

describe('deployments and statuses', () => {
  it('creates a deployment, adds statuses and lists them newest first', async () => {
    const created = await call('POST', '/repos/o/r/deployments', {
      ref: 'main',
      environment: 'staging',
      payload: { image: 'repo:sha' },
      auto_merge: false,
      required_contexts: [],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: expect.any(Number),
      environment: 'staging',
      ref: 'main',
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      task: 'deploy',
      payload: { image: 'repo:sha' },
      created_at: '2026-01-02T03:04:05Z',
      production_environment: false,
    });
    const { id } = created.json as { id: number };

    const inProgress = await call('POST', `/repos/o/r/deployments/${id}/statuses`, {
      state: 'in_progress',
      log_url: 'https://github.com/o/r/actions/runs/1',
    });
    expect(inProgress.status).toBe(201);
    const success = await call('POST', `/repos/o/r/deployments/${id}/statuses`, {
      state: 'success',
      environment_url: 'https://staging.example.com',
      description: 'Deployed',
    });
    expect(success.json).toMatchObject({
      state: 'success',
      environment_url: 'https://staging.example.com',
      description: 'Deployed',
      log_url: '',
    });

    const statuses = await call('GET', `/repos/o/r/deployments/${id}/statuses`);
    expect((statuses.json as Array<{ state: string }>).map((s) => s.state)).toEqual([
      'success',
      'in_progress',
    ]);
    expect(fake.statusesOf(id)).toHaveLength(2);

    const list = await call('GET', '/repos/o/r/deployments?environment=staging');
    expect(list.json).toEqual([expect.objectContaining({ id })]);
    expect((await call('GET', '/repos/o/r/deployments?environment=production')).json).toEqual([]);
  });

  it('marks the previous successful deployment inactive (auto_inactive)', async () => {
    const ids: number[] = [];
    for (const sha of ['a'.repeat(40), 'b'.repeat(40)]) {
      const { json } = await call('POST', '/repos/o/r/deployments', { ref: sha, environment: 'preview' });
      ids.push((json as { id: number; sha: string }).id);
      expect((json as { sha: string }).sha).toBe(sha);
      await call('POST', `/repos/o/r/deployments/${ids.at(-1)}/statuses`, { state: 'success' });
    }
    expect(fake.statusesOf(ids[0]!).map((s) => s.state)).toEqual(['inactive', 'success']);
    expect(fake.statusesOf(ids[1]!).map((s) => s.state)).toEqual(['success']);
  });

  it('validates state and the deployment id', async () => {
    const { json } = await call('POST', '/repos/o/r/deployments', { ref: 'main' });
    const { id } = json as { id: number };
    expect((await call('POST', `/repos/o/r/deployments/${id}/statuses`, { state: 'done' })).status).toBe(422);
    expect((await call('POST', '/repos/o/r/deployments/1/statuses', { state: 'success' })).status).toBe(404);
    expect((await call('POST', '/repos/o/r/deployments', {})).status).toBe(422);
  });
});

describe('with @actions/github', () => {
  it('serves Octokit, including paginate()', async () => {
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit('ghs_test', { baseUrl: fake.url });
    for (let i = 0; i < 3; i++) {
      await octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 3, body: `n${i}` });
    }
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: 'o',
      repo: 'r',
      issue_number: 3,
      per_page: 2,
    });
    expect(all.map((c) => c.body)).toEqual(['n0', 'n1', 'n2']);

    const deployment = await octokit.rest.repos.createDeployment({
      owner: 'o',
      repo: 'r',
      ref: 'main',
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
    });
    expect(deployment.status).toBe(201);
    const id = (deployment.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({
      owner: 'o',
      repo: 'r',
      deployment_id: id,
      state: 'success',
    });
    expect(fake.statusesOf(id)[0]?.state).toBe('success');
    expect(fake.requests.every((r) => r.authorization === 'token ghs_test')).toBe(true);
  });
});
