import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { DELIVERY_TASK } from '@ecs-ship/shared/github-deployments';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { OWNER, REPO, TOKEN, deliver, digest } from './delivery-run.js';

// mode: source-check from the built dist: what runs in the source environment against GitHub's record.
let api: GitHubApiFake;
beforeAll(async () => {
  api = await startGitHubApiFake({ token: TOKEN });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api';
const RECORD_RUN = 'https://github.com/octo-org/octo-repo/actions/runs/77/attempts/1';

/** A deployment as mode deployment records it, ending in `states` (oldest first). */
async function seed(
  environment: string,
  images: Record<string, string>,
  states: string[],
  task = DELIVERY_TASK,
): Promise<number> {
  const octokit = getOctokit(TOKEN, { baseUrl: api.url });
  const { data } = await octokit.rest.repos.createDeployment({
    owner: OWNER,
    repo: REPO,
    ref: 'f'.repeat(40),
    environment,
    task,
    auto_merge: false,
    required_contexts: [],
    payload: { images, services: ['api'], run: RECORD_RUN },
  });
  const id = (data as { id: number }).id;
  for (const state of states)
    await octokit.rest.repos.createDeploymentStatus({
      owner: OWNER,
      repo: REPO,
      deployment_id: id,
      state: state as 'success',
    });
  return id;
}

const check = (images: string, inputs: Record<string, string> = {}) =>
  deliver(api, { mode: 'source-check', environment: 'dev', images, ...inputs });

describe('source-check dist', () => {
  it('matches the newest successful deployment, passing over a newer failed one', async () => {
    const good = await seed(
      'dev',
      { app: `${REPOSITORY}@${digest('a')}`, extra: `${REPOSITORY}@${digest('e')}` },
      ['in_progress', 'success'],
    );
    await seed('dev', { app: `${REPOSITORY}@${digest('9')}` }, ['in_progress', 'failure']);
    // GitHub's own deployment for a job that names the environment: newer, successful (so the
    // fake, like GitHub, marks ours inactive), not ours.
    await seed('dev', {}, ['success'], 'deploy');
    await seed('staging', { app: `${REPOSITORY}@${digest('8')}` }, ['success']);
    const run = await check(`app=${REPOSITORY}@${digest('a')}\nonly-here=${REPOSITORY}@${digest('c')}`);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'deployment-id': String(good),
      matched: 'true',
      // What matched, never what the record did not vouch for.
      images: `app=${REPOSITORY}@${digest('a')}`,
    });
    expect(run.summary).toContain('## GitHub delivery: ✅ dev runs what GitHub recorded');
    expect(run.summary).toContain(`| app | \`${digest('a')}\` | \`${digest('a')}\` | ✅ same digest |`);
    expect(run.summary).toContain(`| only-here | \`${digest('c')}\` | — | not recorded (not compared) |`);
    expect(run.summary).toContain(`| extra | — | \`${digest('e')}\` | not running (not compared) |`);
  });

  it('fails on a mismatch naming the container, both digests and the deployment', async () => {
    const id = await seed('dev', { app: `${REPOSITORY}@${digest('a')}` }, ['success']);
    const run = await check(`app=${REPOSITORY}@${digest('b')}`);
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({ 'deployment-id': String(id), matched: 'false' });
    expect(run.commands).toContain(
      `::error::What runs in "dev" is not what GitHub recorded: container app runs ${digest('b')} but deployment ${id} (run ${RECORD_RUN}) recorded ${digest('a')}.`,
    );
    expect(run.summary).toContain('❌ different digest');
  });

  it('finds the successful deployment beyond the first page', async () => {
    const good = await seed('dev', { app: `${REPOSITORY}@${digest('a')}` }, ['success']);
    for (let index = 0; index < 101; index++)
      await seed('dev', { app: `${REPOSITORY}@${digest('9')}` }, ['error']);
    const run = await check(`app=${REPOSITORY}@${digest('a')}`);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['deployment-id']).toBe(String(good));
    expect(
      api.requests.some((request) => request.path.endsWith('/deployments') && request.query.page === '2'),
    ).toBe(true);
  });

  it('fails without a successful record, or warns with require-record: false', async () => {
    await seed('dev', { app: `${REPOSITORY}@${digest('a')}` }, ['in_progress']);
    const strict = await check(`app=${REPOSITORY}@${digest('a')}`);
    expect(strict.exitCode).toBe(1);
    expect(strict.commands.join('\n')).toContain('No deployment to "dev" has success as its latest status');
    expect(strict.outputs).toEqual({ 'deployment-id': '', matched: 'false' });

    const lenient = await check(`app=${REPOSITORY}@${digest('a')}`, { 'require-record': 'false' });
    expect(lenient.exitCode).toBe(0);
    // Nothing on record to check, as the input allows: what runs is what the promotion ships.
    expect(lenient.outputs).toEqual({
      'deployment-id': '',
      matched: 'false',
      images: `app=${REPOSITORY}@${digest('a')}`,
    });
    expect(lenient.commands.some((command) => command.startsWith('::warning::No deployment to "dev"'))).toBe(
      true,
    );
    expect(lenient.summary).toContain('⚠️ dev has no successful deployment on record');
  });

  it('fails when no container is on both sides: nothing was checked', async () => {
    await seed('dev', { web: `${REPOSITORY}@${digest('a')}` }, ['success']);
    const run = await check(`app=${REPOSITORY}@${digest('a')}`);
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain('nothing could be checked');
  });

  it('reads back what mode deployment recorded', async () => {
    const images = `app=${REPOSITORY}@${digest('d')}`;
    const start = await deliver(api, { mode: 'deployment', environment: 'dev', state: 'start', images });
    await deliver(api, {
      mode: 'deployment',
      environment: 'dev',
      state: 'success',
      'deployment-id': start.outputs['deployment-id']!,
    });
    const run = await check(images);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ 'deployment-id': start.outputs['deployment-id'], matched: 'true', images });
  });

  it('looks containers up under the image names plan gives, and names them so for deploy.yml', async () => {
    const api = `${REPOSITORY}@${digest('b')}`;
    await seed('dev', { api, featurize: `${REPOSITORY}@${digest('f')}` }, ['success']);
    const run = await check(`app=${api}`, { 'image-names': 'app=api' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.images).toBe(`api=${api}`);
    expect(run.summary).toContain(
      `| app (recorded as api) | \`${digest('b')}\` | \`${digest('b')}\` | ✅ same digest |`,
    );
  });
});
