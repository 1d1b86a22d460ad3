import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { createGitHubClient } from '../src/github-client.js';
import {
  createDeployment,
  findNewestSuccessfulDeployment,
  getDeployment,
  listEnvironmentDeployments,
  newestDeploymentStatus,
  setDeploymentStatus,
} from '../src/github-deployments.js';

// Reading deployments back (what source-check relies on) against the GitHub API fake.
let api: GitHubApiFake;
const repo = { owner: 'acme', repo: 'shop' };
const token = 'ghs_deployments_token_7';

beforeAll(async () => {
  api = await startGitHubApiFake({ token });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const client = () => createGitHubClient(token, { GITHUB_API_URL: api.url });

async function deployment(
  environment: string,
  states: Array<'success' | 'failure' | 'in_progress'>,
  payload: Record<string, unknown> = {},
) {
  const id = await createDeployment(client(), repo, { ref: 'c'.repeat(40), environment, payload });
  for (const state of states) await setDeploymentStatus(client(), repo, id, { state });
  return id;
}

describe('reading deployments', () => {
  it('lists every deployment of an environment, newest first, over pages', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 103; index++) ids.push(await deployment('dev', []));
    await deployment('prod', []);
    const listed = await listEnvironmentDeployments(client(), repo, 'dev');
    expect(listed.map((entry) => entry.id)).toEqual([...ids].reverse());
    expect(api.requests.some((request) => request.query.page === '2')).toBe(true);
  });

  it('gives the newest status, or none', async () => {
    const id = await deployment('dev', ['in_progress', 'failure']);
    expect(await newestDeploymentStatus(client(), repo, id)).toMatchObject({ state: 'failure' });
    expect(await newestDeploymentStatus(client(), repo, await deployment('dev', []))).toBeUndefined();
  });

  it('finds the newest deployment whose newest status is success', async () => {
    // auto_inactive turns this one inactive once the next one succeeds.
    await deployment('dev', ['success'], { images: { app: 'old' } });
    const current = await deployment('dev', ['in_progress', 'success'], { images: { app: 'current' } });
    await deployment('dev', ['in_progress', 'failure']);
    await deployment('dev', ['in_progress']);
    const found = await findNewestSuccessfulDeployment(client(), repo, 'dev');
    expect(found).toMatchObject({
      deployment: { id: current, payload: { images: { app: 'current' } } },
      examined: 3,
    });
    expect(await findNewestSuccessfulDeployment(client(), repo, 'staging')).toBeUndefined();
  });

  it('decodes a payload stored as a JSON string', async () => {
    const github = client();
    const { data } = await github.rest.repos.createDeployment({
      ...repo,
      ref: 'main',
      environment: 'dev',
      required_contexts: [],
      payload: JSON.stringify({ images: { app: 'x' } }),
    });
    const id = (data as { id: number }).id;
    expect((await getDeployment(github, repo, id)).payload).toEqual({ images: { app: 'x' } });
  });
});
