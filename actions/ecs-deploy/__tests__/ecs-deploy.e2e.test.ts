import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runDist } from '@ecs-ship/testing/dist-runner';
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
});
