import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runDist } from '@ecs-ship/testing/dist-runner';
import { startHttpServer } from '@ecs-ship/testing/http-server';
import { motoClientConfig, motoEnv, startMoto, type MotoServer } from '@ecs-ship/testing/moto';

// The built dist (one bundle for main and post), run as the runner runs it, against moto. moto runs no
// deployments, so the main step uses `wait: none` and the outputs and summary are what is checked.
const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const described = path.join(actionDir, '__tests__', '__fixtures__', 'task-definitions', 'described.json');
const SECRET_VALUE = 'ranker-v2-a8f3c1';

let moto: MotoServer;
let ecs: ECSClient;
let firstRevision = '';
beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
  ecs = new ECSClient(motoClientConfig(moto.endpoint));
}, 30_000);
afterAll(async () => {
  ecs?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'api',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      containerDefinitions: [
        { name: 'api', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4.0', essential: true },
      ],
    }),
  );
  firstRevision = registered.taskDefinition?.taskDefinitionArn ?? '';
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'api',
      taskDefinition: firstRevision,
      desiredCount: 2,
    }),
  );
});

const serviceTaskDefinition = async () =>
  (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }))).services?.[0]
    ?.taskDefinition;

describe('ecs-deploy dist', () => {
  it('deploys a rendered describe-output file, sets the outputs, writes the summary, and the post step does nothing', async () => {
    const run = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      inputs: {
        cluster: 'prod',
        service: 'api',
        'task-definition': described,
        images: 'api=123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0',
        environment: `api.FEATURE_FLAGS=${SECRET_VALUE}`,
        wait: 'none',
      },
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('in-progress');
    expect(run.outputs['task-definition-arn']).toMatch(/:task-definition\/api:2$/);
    expect(run.outputs['previous-task-definition-arn']).toBe(firstRevision);
    expect(await serviceTaskDefinition()).toBe(run.outputs['task-definition-arn']);
    expect(run.summary).toContain('## ECS deploy: ⏳ in-progress — api');
    expect(run.summary).toContain('| api | environment | `FEATURE_FLAGS` (values not shown) |');
    expect(run.summary).toContain(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/api/deployments',
    );
    expect(run.state.finished).toBe('true');

    // One bundle: the state main saved (isPost) makes dist/index.js the post step.
    expect(run.state.isPost).toBe('true');
    const post = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      state: run.state,
      inputs: { cluster: 'prod', service: 'api' },
    });
    expect(post.exitCode).toBe(0);
    expect(post.summary).toBe('');
  }, 60_000);

  it('fails a bad input before changing anything, naming the input', async () => {
    const run = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      inputs: { cluster: 'prod', service: 'api', images: 'worker=x:1', wait: 'none' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain('::error::Input "images" names container "worker"');
    expect(await serviceTaskDefinition()).toBe(firstRevision);
    expect(run.state.finished).toBeUndefined();
  }, 60_000);

  it('never shows an environment value, even from a malformed line', async () => {
    const run = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      inputs: {
        cluster: 'prod',
        service: 'api',
        environment: `api.FEATURE FLAGS=${SECRET_VALUE}`,
        wait: 'none',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain(
      '::error::Input "environment" must be lines of container.NAME=value',
    );
    expect(run.commands.join('\n')).not.toContain(SECRET_VALUE);
    expect(run.stdout).not.toContain(SECRET_VALUE);
    expect(run.summary).not.toContain(SECRET_VALUE);
    expect(run.outputs.status).toBe('failed');
  }, 60_000);

  it('post step of an interrupted run rolls the service back to the previous revision', async () => {
    const main = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      inputs: {
        cluster: 'prod',
        service: 'api',
        images: 'api=123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0',
        wait: 'none',
      },
    });
    expect(main.exitCode).toBe(0);
    // As if the run had been cancelled before main reached a verdict.
    const { finished: _finished, ...unfinished } = main.state;
    const post = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      state: unfinished,
      // The post step reads no input: a task-definition file gone by now changes nothing.
      inputs: { cluster: 'prod', service: 'api', 'task-definition': 'gone.json' },
    });
    expect(post.exitCode).toBe(0);
    expect(post.summary).toContain('Cleanup: **rolled-back**');
    expect(await serviceTaskDefinition()).toBe(firstRevision);
  }, 60_000);

  it('deploys secrets as references: the registered revision has them with valueFrom and no plain-text copy', async () => {
    const token = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api/token-AbCdEf';
    const run = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      inputs: {
        cluster: 'prod',
        service: 'api',
        'task-definition': described,
        secrets: `api.API_TOKEN=${token}\napi.STRIPE_KEY=/prod/api/stripe`,
        environment: 'api.LOG_LEVEL=debug',
        wait: 'none',
      },
    });
    expect(run.exitCode).toBe(0);
    const registered = (
      await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] }),
      )
    ).taskDefinition;
    const api = registered?.containerDefinitions?.[0];
    expect(api?.secrets).toEqual([
      {
        name: 'DATABASE_URL',
        valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api/db-AbCdEf',
      },
      { name: 'API_TOKEN', valueFrom: token },
      { name: 'STRIPE_KEY', valueFrom: '/prod/api/stripe' },
    ]);
    expect(api?.environment).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(run.summary).toContain(
      '| api | secrets | `API_TOKEN` (Secrets Manager), `STRIPE_KEY` (SSM Parameter Store) (references not shown) |',
    );
    expect(run.stdout).toContain(
      'secrets api: API_TOKEN (Secrets Manager), STRIPE_KEY (SSM Parameter Store)',
    );
    expect(run.stdout + run.summary).not.toContain(token);
  }, 60_000);

  it('refuses a plain-text credential in environment before changing anything, pointing to secrets', async () => {
    const value = 'sk_live_4f9a1c2e7b';
    const before = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' })))
      .taskDefinitionArns;
    const run = await runDist(actionDir, {
      env: motoEnv(moto.endpoint),
      inputs: { cluster: 'prod', service: 'api', environment: `api.STRIPE_API_KEY=${value}`, wait: 'none' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(run.commands.join('\n')).toContain(
      '::error::Input "environment" sets api.STRIPE_API_KEY in plain text, and it looks like a credential',
    );
    expect(run.commands.join('\n')).toContain('Pass it with "secrets:" instead');
    // Registered with the runner as a mask (a credential-like name's value), shown nowhere else.
    const shown = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(shown.join('\n') + run.summary).not.toContain(value);
    expect(
      (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }))).taskDefinitionArns,
    ).toEqual(before);
    expect(await serviceTaskDefinition()).toBe(firstRevision);
  }, 60_000);
});

describe('ecs-deploy dist, mode validate', () => {
  // No region, no credentials: an endpoint that records whatever reaches it proves no AWS call.
  const offline = async (inputs: Record<string, string>) => {
    const endpoint = await startHttpServer((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    try {
      const run = await runDist(actionDir, { env: { AWS_ENDPOINT_URL: endpoint.url }, inputs });
      return { run, requests: endpoint.requests.length };
    } finally {
      await endpoint.close();
    }
  };

  it('passes a valid file without any AWS call, and writes the table of checks', async () => {
    const { run, requests } = await offline({
      mode: 'validate',
      'task-definition': described,
      images: 'api=123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0',
      secrets: 'api.API_TOKEN=/prod/api/token',
      environment: 'api.CACHE_KEY_PREFIX=api:',
      'allow-plaintext-environment': 'api.CACHE_KEY_PREFIX',
      strategy: 'canary',
      'canary-bake-minutes': '0',
      gate: 'pause',
      timeout: '20m',
    });
    expect(requests).toBe(0);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('valid');
    expect(run.outputs.images).toBe('api=123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0');
    expect(run.summary).toContain('## ECS deploy: ✅ valid — validate');
    for (const check of [
      'inputs',
      'task definition',
      'images',
      'secrets',
      'environment',
      'strategy',
      'timeout',
    ])
      expect(run.summary).toMatch(new RegExp(`\\| ${check} \\| ✅ passed \\|`));
    expect(run.summary).toContain('| run-task | ➖ skipped | no run-task input given |');
    expect(run.summary).not.toContain('console.aws.amazon.com');
  }, 60_000);

  it('fails every check that fails, each in its row, still without an AWS call', async () => {
    const { run, requests } = await offline({
      mode: 'validate',
      'task-definition': described,
      images: 'worker=x:1',
      environment: 'api.SESSION_SECRET=abc123456',
      strategy: 'linear',
      timeout: '30m',
      command: 'npm run migrate',
    });
    expect(requests).toBe(0);
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(run.summary).toContain('| images | ❌ failed | Input "images" names container "worker"');
    expect(run.summary).toContain(
      '| environment | ❌ failed | Input "environment" sets api.SESSION_SECRET in plain text',
    );
    expect(run.summary).toContain('| timeout | ❌ failed | Input "timeout" 30m cannot fit linear 10% steps');
    expect(run.summary).toContain('| run-task | ❌ failed | Input "subnets" is required');
    expect(run.summary).toContain('| secrets | ✅ passed |');
    expect(run.commands.join('\n')).toContain('::error::The task definition failed 4 check(s); first images');
    const shown = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(shown.join('\n') + run.summary).not.toContain('abc123456');
    expect(run.summary).not.toContain('What a deploy would change');
  }, 60_000);

  it('an input that does not parse is the failed row of its own', async () => {
    const { run, requests } = await offline({
      mode: 'validate',
      'task-definition': described,
      strategy: 'bluegreen',
    });
    expect(requests).toBe(0);
    expect(run.outputs.status).toBe('failed');
    expect(run.summary).toContain(
      '| inputs | ❌ failed | Input "strategy" must be one of rolling, canary, linear, blue-green',
    );
  }, 60_000);
});
