// The machine-local world the pipeline runs against: moto and the behavioural ECS emulator on one
// simulated clock, the GitHub API fake, a private dockerd and registry (when Docker is there), the
// example repository (a user's repository holding examples/service and the workflows), and per
// environment the api service with its real tasks, a local load balancer and steady traffic.
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScaledClock } from '@ecs-ship/shared/clock';
import { createBlueGreenFixture, type BlueGreenFixture } from '@ecs-ship/local-aws/blue-green-fixture';
import { startLocalAws, type LocalAws } from '@ecs-ship/local-aws/local-aws';
import { DockerTaskRuntime } from '@ecs-ship/local-aws/docker-task-runtime';
import { ProcessTaskRuntime } from '@ecs-ship/local-aws/process-task-runtime';
import { startRealTasks, type RealTasks } from '@ecs-ship/local-aws/real-tasks';
import type { TaskRuntime } from '@ecs-ship/local-aws/task-runtime';
import { startLocalLoadBalancer, type LocalLoadBalancer } from '@ecs-ship/local-aws/load-balancer';
import { startLoadGenerator } from '@ecs-ship/local-aws/load-generator';
import { dockerAvailable, startDockerd, type DockerDaemon } from '@ecs-ship/testing/docker-daemon';
import {
  createExampleRepository,
  type ExampleRepository,
} from '@ecs-ship/testing/example-service-repository';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { motoEnv, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startRegistry, type RegistryServer } from '@ecs-ship/testing/registry-server';
import type { CleanupStack } from './cleanup.js';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** The registry's login: moto's ECR GetAuthorizationToken answers this fixed token. */
export const REGISTRY_LOGIN = { username: 'AWS', password: '123456789012-auth-token' };

/** What every api task runs, as a real task definition would say it. API_KEY is the smoke checks' demo key. */
export const API_CONTAINER = {
  entryPoint: ['node'],
  command: ['server.js'],
  workingDirectory: '/app',
  environment: [
    { name: 'APP_VERSION', value: 'release' },
    // A realistic base latency for /rank, so a slower revision is a ratio of something.
    { name: 'LATENCY_MS', value: '20' },
    { name: 'API_KEY', value: 'demo-key-0001' },
  ],
};

/**
 * Requests per simulated minute per environment. Staging's canary must reach canary-gate's
 * min-requests (500 at 10%) within a few periods; dev and prod only need steady traffic. The real
 * rate follows the clock: at 10x, staging gets 500 requests a real second.
 */
const REQUESTS_PER_MINUTE: Record<EnvironmentName, number> = { dev: 120, staging: 3_000, prod: 300 };

export interface Environment {
  name: EnvironmentName;
  api: BlueGreenFixture;
  loadBalancer: LocalLoadBalancer;
}

export interface World {
  mode: 'docker' | 'process';
  /** Why the mode was chosen, for the first lines. */
  modeReason: string;
  clock: ScaledClock;
  moto: MotoServer;
  aws: LocalAws;
  github: GitHubApiFake;
  docker?: DockerDaemon;
  registry?: RegistryServer;
  repository: ExampleRepository;
  tasks: RealTasks;
  environments: Record<EnvironmentName, Environment>;
  /** The environment every step gets: the AWS endpoint, the clock switch, credentials, DOCKER_HOST. */
  stepEnv: Record<string, string>;
  /** The GitHub API of the fake, its token, for runWorkflow's github context. */
  load: Array<{ environment: EnvironmentName; sent(): number; answered(): Record<string, number> }>;
}

export interface WorldOptions {
  root: string;
  rate: number;
  tasks: 'auto' | 'process';
  cleanup: CleanupStack;
  log: (line: string) => void;
}

export async function startWorld(
  options: WorldOptions,
): Promise<Omit<World, 'environments' | 'tasks' | 'load'>> {
  const { cleanup, log } = options;
  const availability = dockerAvailable();
  const mode = options.tasks === 'auto' && availability.ok ? 'docker' : 'process';
  const modeReason =
    mode === 'docker'
      ? 'Docker: images are built and pushed to a local registry; tasks are containers of the pushed images'
      : options.tasks === 'process'
        ? 'processes (--process): no image is built; tasks are local processes of examples/service'
        : `no Docker (${availability.ok ? '' : availability.missing}): no image is built, build-push's plan is reported; tasks are local processes of examples/service. ${availability.ok ? '' : availability.install}`;
  const now = Date.now();
  const clock = new ScaledClock({ rate: options.rate, origin: now, anchor: now });
  const [moto, github] = await Promise.all([startMoto(), startGitHubApiFake()]);
  cleanup.add(`moto (pid ${moto.pid})`, () => moto.stop());
  cleanup.add('GitHub API fake', () => github.close());
  let docker: DockerDaemon | undefined;
  let registry: RegistryServer | undefined;
  if (mode === 'docker') {
    [docker, registry] = await Promise.all([startDockerd(), startRegistry(REGISTRY_LOGIN)]);
    cleanup.add(`dockerd (pid ${docker.pid})`, () => docker?.stop());
    cleanup.add(`registry (pid ${registry.pid})`, () => registry?.stop());
    log(`dockerd pid ${docker.pid} on ${docker.socket}; registry ${registry.host} (pid ${registry.pid})`);
  }
  const aws = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
  cleanup.add('ECS emulator', () => aws.stop());
  log(`moto ${moto.endpoint} (pid ${moto.pid}); ECS emulator ${aws.endpoint}; GitHub API ${github.url}`);
  const repository = createExampleRepository();
  cleanup.add('example repository', () => repository.remove());
  const stepEnv = {
    ...motoEnv(moto.endpoint),
    ...(docker ? docker.env() : {}),
    ...aws.env(),
    GITHUB_API_URL: github.url,
  };
  return { mode, modeReason, clock, moto, aws, github, docker, registry, repository, stepEnv };
}

/** The user's repository: examples/service plus the workflows a user copies, ecs-ship's actions from this checkout. */
export function prepareRepository(
  root: string,
  repository: ExampleRepository,
  registry: string | undefined,
): void {
  const workflows = path.join(repository.dir, '.github/workflows');
  mkdirSync(workflows, { recursive: true });
  for (const workflow of ['build.yml', 'promote.yml', 'deploy.yml', 'pr-validate.yml'])
    copyFileSync(path.join(root, '.github/workflows', workflow), path.join(workflows, workflow));
  // The examples as a user copies them; only what this machine needs differs (region, registry, test command).
  let push = readFileSync(path.join(root, 'examples/workflows/push-to-main.yml'), 'utf8')
    .replace('test-command: npm ci && npm test', 'test-command: node --check examples/service/server.js')
    .replace('region: eu-west-1', 'region: us-east-1')
    .replace(
      'arn:aws:iam::111111111111:role/ecs-ship-build',
      'arn:aws:iam::123456789012:role/ecs-ship-build',
    );
  if (registry !== undefined)
    push = push.replace(
      '      region: us-east-1\n',
      `      region: us-east-1\n      registry: ${registry}\n      create-repository: true\n`,
    );
  writeFileSync(path.join(workflows, 'push-to-main.yml'), push);
  copyFileSync(
    path.join(root, 'examples/workflows/promote.yml'),
    path.join(workflows, 'promote-by-hand.yml'),
  );
  // The pull request's validation as the example has it, less what this repository does not hold
  // (a task definition file, recorded metrics to replay).
  const pullRequest = readFileSync(path.join(root, 'examples/workflows/pull-request.yml'), 'utf8')
    .replace('test-command: npm ci && npm test', 'test-command: node --check examples/service/server.js')
    .split('\n')
    .filter((line) => !/^\s+(task-definition|gate-[a-z-]+):|^\s+# Exports of a past canary/.test(line))
    .join('\n');
  writeFileSync(path.join(workflows, 'pull-request.yml'), pullRequest);
  copyFileSync(
    path.join(root, 'examples/service/smoke-checks.yml'),
    path.join(repository.dir, 'examples/service/smoke-checks.yml'),
  );
  symlinkSync(path.join(root, 'actions'), path.join(repository.dir, 'actions'));
}

/** Real tasks (containers or processes), then per environment the api service, its load balancer and traffic. */
export async function startEnvironments(
  world: Omit<World, 'environments' | 'tasks' | 'load'>,
  releaseImage: string,
  cleanup: CleanupStack,
  log: (line: string) => void,
): Promise<Pick<World, 'environments' | 'tasks' | 'load'>> {
  const { aws } = world;
  const runtime: TaskRuntime =
    world.mode === 'docker' && world.docker && world.registry
      ? new DockerTaskRuntime({
          env: world.docker.env(),
          login: { registry: world.registry.host, ...REGISTRY_LOGIN },
        })
      : new ProcessTaskRuntime({ directories: () => path.join(world.repository.dir, 'examples/service') });
  cleanup.add(`${runtime.kind} task runtime`, () => runtime.close());
  const stamped = (line: string) =>
    log(`${new Date(world.clock.now()).toISOString().slice(11, 19)}  ${line}`);
  const tasks = await startRealTasks(aws, { runtime, log: (line) => stamped(`tasks: ${line}`) });
  cleanup.add('real tasks', () => tasks.stop());
  const environments = {} as Record<EnvironmentName, Environment>;
  const load: World['load'] = [];
  for (const name of ENVIRONMENTS) {
    const api = await createBlueGreenFixture(aws, {
      cluster: `ml-${name}`,
      service: 'api',
      family: `ml-${name}-api`,
      namePrefix: `${name}-api`,
      image: releaseImage,
      desiredCount: 2,
      container: API_CONTAINER,
    });
    const loadBalancer = await startLocalLoadBalancer(aws, {
      loadBalancerArn: api.loadBalancerArn,
      targets: (group) => tasks.targetsOf(group),
      log: (line) => stamped(`${name}: ${line}`),
    });
    cleanup.add(`${name} load balancer`, () => loadBalancer.stop());
    const requestsPerSecond = (REQUESTS_PER_MINUTE[name] * world.clock.options.rate) / 60;
    const generator = startLoadGenerator({
      url: loadBalancer.productionUrl,
      requestsPerSecond,
      requests: [
        {
          method: 'POST',
          path: '/rank',
          headers: { 'x-api-key': 'demo-key-0001', 'content-type': 'application/json' },
          body: JSON.stringify({ smiles: 'CC(=O)Oc1ccccc1C(=O)O', top_k: 3 }),
        },
      ],
    });
    cleanup.add(`${name} load generator`, () => generator.stop());
    load.push({ environment: name, sent: generator.sent, answered: generator.answered });
    environments[name] = { name, api, loadBalancer };
    log(
      `${name}: cluster ml-${name}, service api (2 tasks), load balancer ${loadBalancer.productionUrl}` +
        (loadBalancer.testUrl ? ` (test listener ${loadBalancer.testUrl})` : '') +
        `, ${REQUESTS_PER_MINUTE[name]} requests a simulated minute (${requestsPerSecond.toFixed(0)} a real second)`,
    );
  }
  // The featurization task's family, kept as a service at 0 tasks in dev (its revision is what run-task copies).
  await createBlueGreenFixture(aws, {
    cluster: 'ml-dev',
    service: 'featurize',
    family: 'ml-dev-featurize',
    namePrefix: 'dev-featurize',
    image: releaseImage,
    desiredCount: 0,
    container: { entryPoint: ['node'], command: ['features/featurize.js'], workingDirectory: '/app' },
  });
  return { environments, tasks, load };
}
