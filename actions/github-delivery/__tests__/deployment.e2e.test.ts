import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { RUN_URL, SHA, TOKEN, deliver, digest, expectNoToken, workspaceWith } from './delivery-run.js';

// mode: deployment from the built dist against the GitHub API fake.
let api: GitHubApiFake;
beforeAll(async () => {
  api = await startGitHubApiFake({ token: TOKEN });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api';
const images = `app=${REPOSITORY}@${digest('a')}\nsidecar=${REPOSITORY}-proxy@${digest('b')}`;
const record = (service: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    service,
    strategy: 'LINEAR',
    status: 'succeeded',
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${service}:8`,
    previousTaskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${service}:7`,
    rolledBack: false,
    reason: '',
    ...fields,
  });

describe('deployment dist', () => {
  it('start creates the deployment in progress; success finishes it, both with the log URL', async () => {
    const start = await deliver(api, {
      mode: 'deployment',
      environment: 'staging',
      state: 'start',
      images,
      services: 'api, worker',
      description: 'api to staging',
    });
    expect(start.exitCode).toBe(0);
    const id = Number(start.outputs['deployment-id']);
    expect(api.deployments).toEqual([
      expect.objectContaining({
        id,
        environment: 'staging',
        ref: SHA,
        description: 'api to staging',
        payload: {
          images: { app: `${REPOSITORY}@${digest('a')}`, sidecar: `${REPOSITORY}-proxy@${digest('b')}` },
          services: ['api', 'worker'],
          run: RUN_URL,
        },
      }),
    ]);
    expect(api.statusesOf(id).map((status) => [status.state, status.log_url])).toEqual([
      ['in_progress', RUN_URL],
    ]);
    expect(start.summary).toContain('## GitHub delivery: 🚀 staging deployment started');
    expect(start.summary).toContain(`| app | \`${REPOSITORY}@${digest('a')}\` |`);
    expectNoToken(start);

    const workspace = workspaceWith({
      'records/api.json': record('api'),
      'records/worker.json': record('worker', { strategy: 'ROLLING' }),
    });
    const success = await deliver(
      api,
      {
        mode: 'deployment',
        environment: 'staging',
        state: 'success',
        'deployment-id': String(id),
        'environment-url': 'https://staging.example.com',
        records: 'records/*.json',
      },
      { workspace },
    );
    expect(success.exitCode).toBe(0);
    expect(success.outputs).toEqual({ 'deployment-id': String(id) });
    expect(api.statusesOf(id)[0]).toMatchObject({
      state: 'success',
      log_url: RUN_URL,
      environment_url: 'https://staging.example.com',
      description: 'api: succeeded, worker: succeeded',
    });
    expect(success.summary).toContain('| api | LINEAR | succeeded | api:8 | api:7 | no | — |');
    expect(success.summary).toContain('| worker | ROLLING | succeeded | worker:8 | worker:7 | no | — |');
  });

  it('records a failure with the reason of the rolled-back service', async () => {
    const start = await deliver(api, { mode: 'deployment', environment: 'prod', state: 'start', images });
    const id = start.outputs['deployment-id']!;
    const workspace = workspaceWith({
      'out/api.json': record('api', { status: 'rolled-back', rolledBack: true, reason: 'alarm 5xx' }),
    });
    const failure = await deliver(
      api,
      { mode: 'deployment', environment: 'prod', state: 'failure', 'deployment-id': id, records: 'out' },
      { workspace },
    );
    expect(failure.exitCode).toBe(0);
    expect(api.statusesOf(Number(id))[0]).toMatchObject({
      state: 'failure',
      description: 'api: rolled back',
    });
    expect(failure.summary).toContain('| api | LINEAR | rolled-back | api:8 | api:7 | ↩️ yes | alarm 5xx |');
  });

  it('refuses success when a record says a service rolled back, before writing anything', async () => {
    const workspace = workspaceWith({ 'r.json': record('api', { rolledBack: true, status: 'rolled-back' }) });
    const run = await deliver(
      api,
      {
        mode: 'deployment',
        environment: 'prod',
        state: 'success',
        'deployment-id': '2000001',
        records: 'r.json',
      },
      { workspace },
    );
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain(
      'Input "state" is success, but the records say api rolled back (r.json)',
    );
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a deployment id of another environment', async () => {
    const start = await deliver(api, { mode: 'deployment', environment: 'staging', state: 'start', images });
    const run = await deliver(api, {
      mode: 'deployment',
      environment: 'prod',
      state: 'success',
      'deployment-id': start.outputs['deployment-id']!,
    });
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain(`is a deployment to "staging", not to "prod"`);
    expect(api.statusesOf(Number(start.outputs['deployment-id']))).toHaveLength(1);
  });

  it('validates inputs before any request: images pinned by digest, deployment-id, mode', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [
        { state: 'start', images: `app=${REPOSITORY}:latest` },
        'Input "images" must be lines of container=repository@sha256:',
      ],
      [{ state: 'start' }, 'Input "images" is required here'],
      [{ state: 'success' }, 'Input "deployment-id" is required with "state: success"'],
      [{ state: 'done' }, 'Input "state" must be one of start, success, failure, error; got "done".'],
      [
        { state: 'start', images, environments: 'x' },
        'Input(s) "environments" (for mode approvals) do not apply to "mode: deployment".',
      ],
    ];
    for (const [inputs, message] of cases) {
      const run = await deliver(api, { mode: 'deployment', environment: 'staging', ...inputs });
      expect(run.exitCode).toBe(1);
      expect(run.commands.join('\n')).toContain(message);
    }
    expect(api.requests).toHaveLength(0);
  });
});
