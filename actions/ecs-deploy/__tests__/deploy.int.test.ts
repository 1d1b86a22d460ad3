import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { motoClientConfig, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { deployService } from '../src/deployment/deploy.js';
import type { Deps } from '../src/deps.js';
import { preflight } from '../src/preflight.js';
import { registerOrReuse } from '../src/revision/registration.js';
import { renderTaskDefinition } from '../src/revision/render.js';
import { runTaskMode } from '../src/run-task/run-task.js';
import { MemoryState } from '../src/state.js';
import { toRegistrable } from '../src/revision/task-definition.js';
import { readInputs, reportFor } from './__fixtures__/lifecycle.js';

// moto keeps clusters, task definitions and service parameters; it runs no deployments, so these
// tests stop at what it does: rendering, registration, reuse, UpdateService parameters, refusals.
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'task-definitions');
const describedFile = path.join(fixtures, 'described.json');
const NEW_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0';

let moto: MotoServer;
let ecs: ECSClient;
beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
  ecs = new ECSClient(motoClientConfig(moto.endpoint));
}, 30_000);
afterAll(async () => {
  ecs?.destroy();
  await moto?.stop();
});

let firstRevision: string;
beforeEach(async () => {
  await moto.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand(
      toRegistrable(JSON.parse(readFileSync(describedFile, 'utf8')), 'fixture'),
    ),
  );
  firstRevision = registered.taskDefinition?.taskDefinitionArn ?? '';
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'api',
      taskDefinition: firstRevision,
      desiredCount: 2,
      launchType: 'FARGATE',
    }),
  );
});

function deps(): Deps & { logger: MemoryLogger } {
  return { ecs, logger: new MemoryLogger(), clock: new SimulatedClock() };
}

async function revisions(family = 'api'): Promise<string[]> {
  return (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns ?? [];
}

async function describeService() {
  const response = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
  return response.services?.[0];
}

const deployWith = async (values: Record<string, string>) => {
  const d = deps();
  const inputs = readInputs({ cluster: 'prod', service: 'api', wait: 'none', ...values });
  const report = reportFor(inputs, d.clock);
  await deployService(d, inputs, report, new MemoryState());
  return { report, logger: d.logger };
};

describe('rendering and registration against the emulator', () => {
  it('renders a describe-task-definition file with several containers and secrets, registers it and updates the service', async () => {
    const { report } = await deployWith({
      'task-definition': describedFile,
      images: `api=${NEW_IMAGE}`,
      environment: 'api.FEATURE_FLAGS=ranker-v2\napi.LOG_LEVEL=debug',
      'desired-count': '3',
    });
    expect(report.registered).toBe(true);
    expect(report.taskDefinitionArn).toMatch(/task-definition\/api:2$/);
    const stored = (
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: report.taskDefinitionArn }))
    ).taskDefinition;
    const [api, envoy] = stored?.containerDefinitions ?? [];
    expect(api?.image).toBe(NEW_IMAGE);
    expect(api?.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'FEATURE_FLAGS', value: 'ranker-v2' },
    ]);
    expect(api?.secrets).toEqual([
      {
        name: 'DATABASE_URL',
        valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api/db-AbCdEf',
      },
    ]);
    expect(envoy?.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(stored?.cpu).toBe('512');

    const service = await describeService();
    expect(service?.taskDefinition).toBe(report.taskDefinitionArn);
    expect(service?.desiredCount).toBe(3);
    expect(report.previousTaskDefinitionArn).toBe(firstRevision);
    expect(report.status).toBe('in-progress');
  });

  it('registers a YAML task definition with a GPU resource requirement', async () => {
    const d = deps();
    const inputs = readInputs({
      mode: 'run-task',
      cluster: 'prod',
      'task-definition': path.join(fixtures, 'gpu.yaml'),
      subnets: 'subnet-0a1',
    });
    const pre = await preflight(d.ecs, inputs);
    const rendered = renderTaskDefinition(pre.base, {
      images: inputs.images,
      environment: inputs.environment,
      secrets: inputs.secrets,
      allowPlaintext: inputs.allowPlaintext,
    });
    const arn = (await registerOrReuse(d, rendered.taskDefinition, pre)).taskDefinitionArn;
    const stored = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })))
      .taskDefinition;
    expect(stored?.containerDefinitions?.[0]?.resourceRequirements).toEqual([{ type: 'GPU', value: '1' }]);
    expect(stored?.requiresCompatibilities).toEqual(['EC2']);
  });

  it('is idempotent: a re-run reuses the revision and starts nothing new', async () => {
    const values = { images: `api=${NEW_IMAGE}`, environment: 'api.LOG_LEVEL=debug' };
    const first = await deployWith(values);
    const before = await revisions();
    const second = await deployWith(values);
    expect(await revisions()).toEqual(before);
    expect(second.report.registered).toBe(false);
    expect(second.report.taskDefinitionArn).toBe(first.report.taskDefinitionArn);
    expect(second.report.action).toBe('unchanged');
    expect(second.report.status).toBe('succeeded');
  });

  it('reuses an equal revision of the family even when the service runs another one', async () => {
    const first = await deployWith({ images: `api=${NEW_IMAGE}` });
    await deployWith({ 'task-definition-arn': firstRevision });
    expect((await describeService())?.taskDefinition).toBe(firstRevision);
    const again = await deployWith({ images: `api=${NEW_IMAGE}` });
    expect(again.report.registered).toBe(false);
    expect(again.report.taskDefinitionArn).toBe(first.report.taskDefinitionArn);
  });

  it('promotes an existing revision by ARN without registering', async () => {
    const promoted = await deployWith({ images: `api=${NEW_IMAGE}` });
    await deployWith({ 'task-definition-arn': firstRevision });
    const before = await revisions();
    const { report } = await deployWith({ 'task-definition-arn': promoted.report.taskDefinitionArn ?? '' });
    expect(await revisions()).toEqual(before);
    expect((await describeService())?.taskDefinition).toBe(promoted.report.taskDefinitionArn);
    expect(report.registered).toBe(false);
  });

  it('force-new-deployment replaces the tasks of an unchanged revision without registering', async () => {
    const before = await describeService();
    const { report } = await deployWith({
      'task-definition-arn': firstRevision,
      'force-new-deployment': 'true',
    });
    const after = await describeService();
    expect(report.registered).toBe(false);
    expect(report.action).toBe('updated');
    expect(after?.taskDefinition).toBe(firstRevision);
    // moto marks a forced deployment by giving the primary deployment a new ID.
    expect(after?.deployments?.[0]?.id).not.toBe(before?.deployments?.[0]?.id);

    const unforced = await deployWith({ 'task-definition-arn': firstRevision });
    expect(unforced.report.action).toBe('unchanged');
    expect((await describeService())?.deployments?.[0]?.id).toBe(after?.deployments?.[0]?.id);
  });

  it('waits until the service is stable when the service has no native deployment to follow (the waiter rule)', async () => {
    const d = deps();
    const inputs = readInputs({ cluster: 'prod', service: 'api', images: `api=${NEW_IMAGE}` });
    const report = reportFor(inputs, d.clock);
    await deployService(d, inputs, report, new MemoryState());
    expect(report.status).toBe('succeeded');
    expect(d.logger.lines.join('\n')).toContain('following the service');
  });
});

describe('validation failures leave the service untouched', () => {
  it.each([
    ['an unknown container', { images: 'worker=x:1' }, 'names container "worker"'],
    [
      'an environment variable that is a secret',
      { environment: 'api.DATABASE_URL=postgres://x' },
      'already takes from "secrets"',
    ],
    [
      'canary on a service without load balancer',
      { strategy: 'canary', images: `api=${NEW_IMAGE}` },
      'needs a service whose load balancer',
    ],
    [
      'a missing service',
      { service: 'nope', images: `api=${NEW_IMAGE}` },
      'Input "service": expected an ACTIVE service "nope"',
    ],
    [
      'a missing cluster',
      { cluster: 'nope', images: `api=${NEW_IMAGE}` },
      'Input "cluster": expected an ACTIVE ECS cluster named "nope"',
    ],
    ['a missing revision', { 'task-definition-arn': 'api:99' }, 'Input "task-definition-arn"'],
  ])('%s', async (_name, values, message) => {
    const before = await revisions();
    const error = await deployWith(values).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(await revisions()).toEqual(before);
    expect((await describeService())?.taskDefinition).toBe(firstRevision);
    expect((await describeService())?.desiredCount).toBe(2);
  });
});

describe('run-task validation failures register nothing and run nothing', () => {
  it.each([
    [
      'an unknown command-container',
      { subnets: 'subnet-0a1', command: 'npm run migrate', 'command-container': 'migrator' },
      'Input "command-container" names "migrator"',
    ],
    ['an awsvpc revision without subnets', {}, 'Input "subnets" is required'],
    [
      'a security group without subnets',
      { 'security-groups': 'sg-0b2' },
      'Input "security-groups" configures awsvpc networking',
    ],
  ])('%s', async (_name, values, message) => {
    const before = await revisions('featurize');
    const d = deps();
    const error = await (async () => {
      const inputs = readInputs({
        mode: 'run-task',
        cluster: 'prod',
        'task-definition': path.join(fixtures, 'gpu.yaml'),
        images: 'featurize=123456789012.dkr.ecr.us-east-1.amazonaws.com/featurize:3.2.0',
        ...values,
      });
      await runTaskMode(d, inputs, reportFor(inputs, d.clock), new MemoryState());
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(await revisions('featurize')).toEqual(before);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns).toEqual([]);
  });
});
