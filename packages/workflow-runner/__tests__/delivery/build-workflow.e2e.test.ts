// build.yml as GitHub would run it in a user's repository (a git repository holding
// examples/service): the caller's test command, then build-push from its dist with the inputs the
// YAML gives it, against a private dockerd with buildx, Debian's docker-registry on 127.0.0.1 and
// moto's ECR control plane (its fixed token is the registry's login).
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dockerAvailable, startDockerd, type DockerDaemon } from '@ecs-ship/testing/docker-daemon';
import {
  createExampleRepository,
  EXAMPLE_VARIANTS,
  type ExampleRepository,
} from '@ecs-ship/testing/example-service-repository';
import { motoEnv, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startRegistry, type RegistryServer } from '@ecs-ship/testing/registry-server';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ScaledClock } from '@ecs-ship/shared/clock';
import { createBlueGreenFixture } from '@ecs-ship/local-aws/blue-green-fixture';
import { startLocalAws } from '@ecs-ship/local-aws/local-aws';
import { startGitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { runWorkflow } from '@ecs-ship/workflow-runner/run-workflow';
import type { WorkflowRun } from '@ecs-ship/workflow-runner/types';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

let docker: DockerDaemon;
let registry: RegistryServer;
let moto: MotoServer;
let example: ExampleRepository;

beforeAll(async () => {
  const available = dockerAvailable();
  if (!available.ok) throw new Error(`${available.missing} is missing. ${available.install}`);
  [docker, registry, moto] = await Promise.all([
    startDockerd(),
    startRegistry({ username: 'AWS', password: '123456789012-auth-token' }),
    startMoto(),
  ]);
  example = createExampleRepository();
  // The user's repository holds the workflow; ecs-ship's actions resolve to this checkout's dists.
  mkdirSync(path.join(example.dir, '.github/workflows'), { recursive: true });
  for (const workflow of ['build.yml', 'promote.yml', 'deploy.yml'])
    copyFileSync(
      path.join(root, '.github/workflows', workflow),
      path.join(example.dir, '.github/workflows', workflow),
    );
  symlinkSync(path.join(root, 'actions'), path.join(example.dir, 'actions'));
  example.commit('the build workflow');
}, 120_000);

afterAll(async () => {
  await Promise.all([docker?.stop(), registry?.stop(), moto?.stop()]);
  example?.remove();
});

function build(testCommand = 'test -f examples/service/server.js'): Promise<WorkflowRun> {
  return runWorkflow({
    root: example.dir,
    workflow: '.github/workflows/build.yml',
    event: { name: 'workflow_call', payload: {} },
    inputs: {
      'test-command': testCommand,
      repository: 'ml/api',
      context: 'examples/service',
      variants: EXAMPLE_VARIANTS,
      region: 'us-east-1',
      'role-to-assume': 'arn:aws:iam::123456789012:role/ecs-ship-build',
      registry: registry.host,
      'create-repository': true,
    },
    self: 'ecs-ship/ecs-ship',
    github: { repository: 'acme/ml-platform', sha: example.git('rev-parse', 'HEAD'), ref: 'refs/heads/main' },
    env: { ...motoEnv(moto.endpoint), ...docker.env() },
  });
}

type Images = Record<string, { uri: string; digest: string; built: boolean }>;

describe('build.yml', () => {
  it('tests, builds both variants once, then retags instead of rebuilding', async () => {
    const first = await build();
    const errors = Object.values(first.jobs).flatMap((job) =>
      job.steps
        .filter((step) => step.conclusion === 'failure')
        .map((step) => `${step.name}: ${step.stdout.slice(-800)}`),
    );
    expect(errors).toEqual([]);
    expect(first.result).toBe('success');
    const images = JSON.parse(first.outputs.images ?? '{}') as Images;
    expect(Object.keys(images).sort()).toEqual(['cpu', 'cuda']);
    expect(images.cpu?.uri).toMatch(new RegExp(`^${registry.host}/ml/api@sha256:[0-9a-f]{64}$`));
    expect(first.outputs['built-variants']).toBe('cpu,cuda');
    expect(first.outputs['image-uri']).toBe(images.cpu?.uri);

    const again = await build();
    expect(again.outputs['built-variants']).toBe('');
    expect(again.outputs['skipped-variants']).toBe('cpu,cuda');
    expect((JSON.parse(again.outputs.images ?? '{}') as Images).cpu?.digest).toBe(images.cpu?.digest);
  }, 600_000);

  it('builds nothing when the tests fail', async () => {
    const run = await build('exit 1');
    expect(run.result).toBe('failure');
    expect(run.jobs.test?.result).toBe('failure');
    expect(run.jobs.build?.result).toBe('skipped');
  }, 120_000);
});

describe('examples/workflows/push-to-main.yml', () => {
  it('builds, runs the CUDA featurization task and deploys dev with the digests built', async () => {
    const aws = await startLocalAws({
      motoEndpoint: moto.endpoint,
      clock: new ScaledClock({ rate: 120, origin: Date.UTC(2026, 0, 5, 9), anchor: Date.now() }),
    });
    const github = await startGitHubApiFake();
    const ecs = new ECSClient({
      region: aws.region,
      endpoint: aws.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const api = await createBlueGreenFixture(aws, {
        cluster: 'ml-dev',
        service: 'api',
        family: 'ml-dev-api',
        image: 'old/api:1',
      });
      await createBlueGreenFixture(aws, {
        cluster: 'ml-dev',
        service: 'featurize',
        family: 'ml-dev-featurize',
        image: 'old/featurize:1',
        desiredCount: 0,
        namePrefix: 'featurize',
      });
      // The example as a user copies it, with this machine's registry and test command.
      const workflow = readFileSync(path.join(root, 'examples/workflows/push-to-main.yml'), 'utf8')
        .replace('test-command: npm ci && npm test', 'test-command: test -f examples/service/Dockerfile')
        .replace(
          '      region: eu-west-1\n',
          `      region: us-east-1\n      registry: ${registry.host}\n      create-repository: true\n`,
        );
      writeFileSync(path.join(example.dir, '.github/workflows/push-to-main.yml'), workflow);
      mkdirSync(path.join(example.dir, '.github/ecs-ship'), { recursive: true });
      writeFileSync(
        path.join(example.dir, '.github/ecs-ship/environments.yml'),
        `environments:
  dev:
    cluster: ml-dev
    region: us-east-1
    role-to-assume: arn:aws:iam::123456789012:role/ecs-ship-deploy-dev
    tasks:
      - name: featurize
        service: featurize
        images: { app: featurize }
        subnets: ${api.subnets.join(', ')}
        launch-type: FARGATE
    services:
      - service: api
        images: { app: api }
`,
      );
      example.commit('the push workflow and the environments file');
      const run = await runWorkflow({
        root: example.dir,
        workflow: '.github/workflows/push-to-main.yml',
        event: { name: 'push', payload: { ref: 'refs/heads/main' } },
        self: 'ecs-ship/ecs-ship',
        github: {
          repository: 'acme/ml-platform',
          sha: example.git('rev-parse', 'HEAD'),
          ref: 'refs/heads/main',
          run_id: '77',
          api_url: github.url,
          token: 'ghs_workflowtoken0003',
        },
        env: { ...motoEnv(moto.endpoint), ...docker.env(), ...aws.env(), GITHUB_API_URL: github.url },
      });
      const errors = Object.values(run.jobs).flatMap((job) =>
        job.steps
          .filter((step) => step.conclusion === 'failure')
          .map((step) => `${job.id} ${step.name}: ${step.stdout.slice(-600)}`),
      );
      expect(errors).toEqual([]);
      // A job that failed without a failing step (a bad input, a skipped dependency) shows here.
      expect(
        Object.values(run.jobs)
          .filter((job) => job.error)
          .map((job) => `${job.id}: ${job.error}`),
      ).toEqual([]);
      expect(run.result).toBe('success');
      const images = JSON.parse(run.jobs.build?.outputs.images ?? '{}') as Images;
      const [task] = aws.runTasks();
      const featurized = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: task!.taskDefinitionArn }),
      );
      expect(featurized.taskDefinition?.containerDefinitions?.[0]?.image).toBe(images.cuda?.uri);
      expect(task?.exitCode).toBe(0);
      const service = await ecs.send(new DescribeServicesCommand({ cluster: 'ml-dev', services: ['api'] }));
      const running = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: service.services?.[0]?.taskDefinition ?? '' }),
      );
      expect(running.taskDefinition?.containerDefinitions?.[0]?.image).toBe(images.cpu?.uri);
      expect(github.deployments.map((deployment) => deployment.environment)).toEqual(['dev']);
    } finally {
      ecs.destroy();
      await github.close();
      await aws.stop();
    }
  }, 600_000);
});
