// The delivery workflows as GitHub would run them: promote.yml (and the deploy.yml it calls) job by
// job, step by step, each of our actions from its built dist with the inputs the YAML gives it,
// against the behavioural ECS emulator in front of moto and the GitHub API fake. A renamed input or
// output, a wrong expression or a missing step breaks these tests. Time is simulated (ECS_SHIP_CLOCK)
// at RATE times real time for the emulator and every dist.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ScaledClock } from '@ecs-ship/shared/clock';
import { createBlueGreenFixture, type BlueGreenFixture } from '@ecs-ship/local-aws/blue-green-fixture';
import { startLocalAws, type LocalAws } from '@ecs-ship/local-aws/local-aws';
import {
  startSyntheticAlbTraffic,
  type SyntheticAlbTraffic,
} from '@ecs-ship/local-aws/synthetic-alb-traffic';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { startHttpServer, type TestHttpServer } from '@ecs-ship/testing/http-server';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { runWorkflow } from '@ecs-ship/workflow-runner/run-workflow';
import type { WorkflowRun } from '@ecs-ship/workflow-runner/types';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const RATE = 120;
const OWNER = 'acme';
const REPO = 'ml-platform';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/ml-api';
const digestUri = (hex: string): string => `${REGISTRY}@sha256:${hex.repeat(64)}`;
const OLD = digestUri('1');
const NEW = digestUri('2');

let moto: MotoServer;
let aws: LocalAws;
let github: GitHubApiFake;
let site: TestHttpServer;
let ecs: ECSClient;
let work: string;
/** Paths the site answers 500 on: a smoke test that fails. */
let brokenPaths: Set<string>;
let runId = 1000;
let traffic: SyntheticAlbTraffic | undefined;

beforeAll(async () => {
  moto = await startMoto();
  github = await startGitHubApiFake();
  site = await startHttpServer((req, res) => {
    const status = brokenPaths.has(req.url ?? '') ? 500 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'broken' }));
  });
}, 30_000);

afterAll(async () => {
  await site?.close();
  await github?.close();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  github.reset();
  brokenPaths = new Set();
  const clock = new ScaledClock({ rate: RATE, origin: Date.UTC(2026, 0, 5, 9), anchor: Date.now() });
  aws = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
  ecs = new ECSClient({
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  work = mkdtempSync(path.join(tmpdir(), 'delivery-workflows-'));
  writeFileSync(
    path.join(work, 'smoke-checks.yml'),
    '- name: health\n  path: /health\n  expect: { status: 200, json: { "$.status": ok } }\n',
  );
}, 60_000);

afterEach(async () => {
  traffic?.stop();
  traffic = undefined;
  ecs?.destroy();
  await aws?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function service(cluster: string, name: string, image = OLD): Promise<BlueGreenFixture> {
  return createBlueGreenFixture(aws, {
    cluster,
    service: name,
    family: `${cluster}-${name}`,
    namePrefix: `${cluster}-${name}`,
    image,
    desiredCount: 2,
  });
}

function writeConfig(text: string): string {
  const file = path.join(work, 'environments.yml');
  writeFileSync(file, text);
  return file;
}

/** Reviewers as the approvals API will report them: one per approval environment. */
const TWO_REVIEWERS = (environment: string): string => (environment === 'prod-approval-2' ? 'riley' : 'sam');

async function promote(
  inputs: Record<string, string>,
  reviewerOf: (environment: string) => string = TWO_REVIEWERS,
  actor = 'dana',
): Promise<WorkflowRun> {
  const id = ++runId;
  github.addWorkflowRun({ owner: OWNER, repo: REPO, id, actor });
  return runWorkflow({
    root,
    workflow: '.github/workflows/promote.yml',
    event: { name: 'workflow_dispatch', payload: { inputs } },
    inputs,
    self: 'ecs-ship/ecs-ship',
    github: {
      repository: `${OWNER}/${REPO}`,
      run_id: String(id),
      actor,
      triggering_actor: actor,
      sha: 'a'.repeat(40),
      ref: 'refs/heads/main',
      api_url: github.url,
      token: 'ghs_workflowtoken0001',
    },
    env: { ...aws.env(), GITHUB_API_URL: github.url },
    approve: (environment) => {
      const login = reviewerOf(environment);
      if (environment.includes('approval')) {
        github.addApproval({ owner: OWNER, repo: REPO, runId: id, environments: [environment], login });
      }
      return { approved: true, by: login };
    },
  });
}

async function running(cluster: string, name: string): Promise<{ image: string; taskDefinition: string }> {
  const answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const taskDefinition = answer.services?.[0]?.taskDefinition ?? '';
  const definition = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  return { image: definition.taskDefinition?.containerDefinitions?.[0]?.image ?? '', taskDefinition };
}

/** What an earlier promotion recorded: the GitHub deployment a later one cross-checks. */
async function recordSuccess(environment: string, image: string): Promise<void> {
  const headers = { 'content-type': 'application/json', authorization: 'token x' };
  const created = await fetch(`${github.url}/repos/${OWNER}/${REPO}/deployments`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      ref: 'main',
      environment,
      task: 'deploy:ecs-ship',
      payload: { images: { app: image } },
    }),
  });
  const { id } = (await created.json()) as { id: number };
  await fetch(`${github.url}/repos/${OWNER}/${REPO}/deployments/${id}/statuses`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ state: 'success' }),
  });
}

function failures(run: WorkflowRun): string[] {
  return Object.values(run.jobs).flatMap((job) =>
    job.steps
      .filter((step) => step.conclusion === 'failure')
      .map(
        (step) =>
          `${job.id} / ${step.name}: ${(step.stderr + step.stdout)
            .split('\n')
            .filter((l) => l.startsWith('::error'))
            .join(' ')}`,
      ),
  );
}

const DEV = (smokeUrl: string, tasks = '') => `
environments:
  dev:
    cluster: ml-dev
    region: us-east-1
    role-to-assume: arn:aws:iam::123456789012:role/ecs-ship-deploy-dev
${tasks}    services:
      - service: api
        images: { app: app }
        smoke-url: ${smokeUrl}
        smoke-checks: ${path.join(work, 'smoke-checks.yml')}
      - service: worker
        images: { app: app }
`;

describe('promote.yml into dev with explicit digests (the push pipeline)', () => {
  it('deploys every service in order, smoke-tests and records a successful GitHub deployment', async () => {
    await service('ml-dev', 'api');
    await service('ml-dev', 'worker');
    const config = writeConfig(DEV(site.url));
    const run = await promote({ target: 'dev', source: `app=${NEW}`, config });
    expect(failures(run)).toEqual([]);
    expect(run.result).toBe('success');
    expect((await running('ml-dev', 'api')).image).toBe(NEW);
    expect((await running('ml-dev', 'worker')).image).toBe(NEW);
    const [deployment] = github.deployments;
    expect(deployment).toMatchObject({ environment: 'dev' });
    expect(github.statusesOf(deployment!.id).map((status) => status.state)).toEqual([
      'success',
      'in_progress',
    ]);
    expect(github.statusesOf(deployment!.id)[0]!.log_url).toContain(`/actions/runs/${runId}`);
  }, 300_000);

  it('returns the services already deployed to their previous revisions when a later one fails', async () => {
    await service('ml-dev', 'api');
    await service('ml-dev', 'worker');
    const before = await running('ml-dev', 'api');
    brokenPaths.add('/worker/health');
    const config = writeConfig(
      DEV(site.url) +
        `        smoke-url: ${site.url}/worker\n        smoke-checks: ${path.join(work, 'smoke-checks.yml')}\n`,
    );
    const run = await promote({ target: 'dev', source: `app=${NEW}`, config });
    expect(run.result).toBe('failure');
    const after = await running('ml-dev', 'api');
    expect(after.image).toBe(OLD);
    expect((await running('ml-dev', 'worker')).image).toBe(OLD);
    expect(after.taskDefinition).toBe(before.taskDefinition);
    const [deployment] = github.deployments;
    expect(github.statusesOf(deployment!.id)[0]!.state).toBe('failure');
    // The report's summary shows every service's outcome.
    const report = Object.values(run.jobs).find((job) => job.job === 'report');
    const summary = report?.steps.map((step) => step.summary).join('\n') ?? '';
    expect(summary).toMatch(/\| api +\| rolling +\| reverted .*returned to its previous revision/);
    // The worker deployed, then failed its smoke test: it went back too.
    expect(summary).toMatch(/\| worker +\| rolling +\| reverted /);
  }, 300_000);

  const MIGRATE = (subnets: string[]) => `    tasks:
      - name: migrate
        service: api
        command: '["node", "migrate.js", "--to", "latest"]'
        images: { app: app }
        subnets: ${subnets.join(', ')}
        launch-type: FARGATE
`;

  it('runs the migration with the new image before the first service', async () => {
    const api = await service('ml-dev', 'api');
    await service('ml-dev', 'worker');
    const run = await promote({
      target: 'dev',
      source: `app=${NEW}`,
      config: writeConfig(DEV(site.url, MIGRATE(api.subnets))),
    });
    expect(failures(run)).toEqual([]);
    const [task] = aws.runTasks();
    expect(task?.commands).toEqual({ app: ['node', 'migrate.js', '--to', 'latest'] });
    expect(task?.exitCode).toBe(0);
    const migrated = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: task!.taskDefinitionArn }),
    );
    expect(migrated.taskDefinition?.containerDefinitions?.[0]?.image).toBe(NEW);
    // The migration ran before any service was updated.
    const order = aws.calls
      .map((call) => call.operation)
      .filter((op) => op === 'RunTask' || op === 'UpdateService');
    expect(order[0]).toBe('RunTask');
    expect((await running('ml-dev', 'api')).image).toBe(NEW);
  }, 300_000);

  it('stops at a failed migration: no service changes, the GitHub deployment fails', async () => {
    const api = await service('ml-dev', 'api');
    await service('ml-dev', 'worker');
    aws.exitRunTasksOf(api.family, { exitCode: 3, reason: 'Essential container in task exited' });
    const run = await promote({
      target: 'dev',
      source: `app=${NEW}`,
      config: writeConfig(DEV(site.url, MIGRATE(api.subnets))),
    });
    expect(run.result).toBe('failure');
    const migrate = Object.values(run.jobs)
      .flatMap((job) => job.steps)
      .find((step) => step.name === 'Run migrate');
    expect(migrate?.outputs['exit-code']).toBe('3');
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
    expect((await running('ml-dev', 'api')).image).toBe(OLD);
    const [deployment] = github.deployments;
    expect(github.statusesOf(deployment!.id)[0]!.state).toBe('failure');
  }, 300_000);

  it('refuses a tag before anything is asked or changed', async () => {
    await service('ml-dev', 'api');
    const config = writeConfig(DEV(site.url));
    const run = await promote({ target: 'dev', source: `app=${REGISTRY}:latest`, config });
    expect(run.result).toBe('failure');
    expect(run.jobs.plan?.result).toBe('failure');
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
    expect(github.deployments).toHaveLength(0);
  }, 120_000);
});

describe('promote.yml into prod from staging (two approvals, blue/green, test listener)', () => {
  const PROD = (testUrl: string) => `
environments:
  staging:
    cluster: ml-staging
    region: us-east-1
    role-to-assume: arn:aws:iam::123456789012:role/ecs-ship-deploy-staging
    services:
      - service: api
  prod:
    cluster: ml-prod
    region: us-east-1
    role-to-assume: arn:aws:iam::123456789012:role/ecs-ship-deploy-prod
    production: true
    source: staging
    approvals: [prod-approval-1, prod-approval-2]
    required-approvals: 2
    services:
      - service: api
        strategy: blue-green
        bake-minutes: 5
        test-url: ${testUrl}
        smoke-checks: ${path.join(work, 'smoke-checks.yml')}
`;

  it('deploys the digest ECS runs in staging after two different people approved', async () => {
    await service('ml-staging', 'api', NEW);
    await service('ml-prod', 'api', OLD);
    await recordSuccess('staging', NEW);
    const run = await promote({ target: 'prod', config: writeConfig(PROD(site.url)) });
    expect(failures(run)).toEqual([]);
    expect(run.result).toBe('success');
    expect((await running('ml-prod', 'api')).image).toBe(NEW);
    expect(run.jobs['approve-1']?.approval).toMatchObject({ approved: true });
    expect(run.jobs['approve-2']?.approval).toMatchObject({ approved: true });
    expect(aws.callsOf('ContinueServiceDeployment').length).toBeGreaterThan(0);
  }, 300_000);

  it('rolls back at the pause when the test-listener smoke test fails', async () => {
    await service('ml-staging', 'api', NEW);
    await service('ml-prod', 'api', OLD);
    await recordSuccess('staging', NEW);
    brokenPaths.add('/health');
    const run = await promote({ target: 'prod', config: writeConfig(PROD(site.url)) });
    expect(run.result).toBe('failure');
    expect((await running('ml-prod', 'api')).image).toBe(OLD);
  }, 300_000);

  it('stops when the GitHub record of staging names another digest', async () => {
    await service('ml-staging', 'api', NEW);
    await service('ml-prod', 'api', OLD);
    await recordSuccess('staging', digestUri('3'));
    const run = await promote({ target: 'prod', config: writeConfig(PROD(site.url)) });
    expect(run.result).toBe('failure');
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
  }, 300_000);

  it('fails the approvals check when one person approved both environments', async () => {
    await service('ml-staging', 'api', NEW);
    await service('ml-prod', 'api', OLD);
    await recordSuccess('staging', NEW);
    const run = await promote({ target: 'prod', config: writeConfig(PROD(site.url)) }, () => 'sam');
    expect(run.jobs.approvals?.result).toBe('failure');
    expect(aws.callsOf('UpdateService')).toHaveLength(0);
  }, 300_000);
});

describe('promote.yml into staging (canary 10%, canary-gate at the pause)', () => {
  const STAGING = (loadBalancer: string) => `
environments:
  dev:
    cluster: ml-dev
    region: us-east-1
    role-to-assume: arn:aws:iam::123456789012:role/ecs-ship-deploy-dev
    services:
      - service: api
  staging:
    cluster: ml-staging
    region: us-east-1
    role-to-assume: arn:aws:iam::123456789012:role/ecs-ship-deploy-staging
    source: dev
    approvals: [staging-approval]
    services:
      - service: api
        strategy: canary
        canary-percent: 10
        canary-bake-minutes: 0
        load-balancer: ${loadBalancer}
      - service: worker
`;

  async function canaryScene(regressed: boolean): Promise<{ api: BlueGreenFixture; config: string }> {
    await service('ml-dev', 'api', NEW);
    const api = await service('ml-staging', 'api', OLD);
    await service('ml-staging', 'worker', OLD);
    await recordSuccess('dev', NEW);
    const baseline = api.taskDefinitionArn;
    traffic = await startSyntheticAlbTraffic(aws, {
      loadBalancer: api.loadBalancerDimension,
      requestsPerMinute: 20_000,
      seed: 11,
      behaviour: (taskDefinitionArn) =>
        regressed && taskDefinitionArn !== baseline
          ? { errorRate: 0.08, latencySeconds: 0.08 }
          : { errorRate: 0.005, latencySeconds: 0.08 },
    });
    return { api, config: writeConfig(STAGING(api.loadBalancerDimension)) };
  }

  it('promotes a healthy canary through the gate, then deploys the worker', async () => {
    const { config } = await canaryScene(false);
    const run = await promote({ target: 'staging', config });
    expect(failures(run)).toEqual([]);
    expect(run.result).toBe('success');
    const gate = Object.values(run.jobs)
      .flatMap((job) => job.steps)
      .find((step) => step.name.startsWith('Canary analysis of api'));
    expect(gate?.outputs.decision).toBe('promote');
    expect((await running('ml-staging', 'api')).image).toBe(NEW);
    expect((await running('ml-staging', 'worker')).image).toBe(NEW);
  }, 300_000);

  it('rolls a regressed canary back at the pause and never deploys the worker', async () => {
    const { config } = await canaryScene(true);
    const run = await promote({ target: 'staging', config });
    expect(run.result).toBe('failure');
    const gate = Object.values(run.jobs)
      .flatMap((job) => job.steps)
      .find((step) => step.name.startsWith('Canary analysis of api'));
    expect(gate?.outputs.decision).toBe('rollback');
    expect((await running('ml-staging', 'api')).image).toBe(OLD);
    expect((await running('ml-staging', 'worker')).image).toBe(OLD);
    const deployment = github.deployments.find((d) => d.environment === 'staging');
    expect(github.statusesOf(deployment!.id)[0]!.state).toBe('failure');
  }, 300_000);
});
