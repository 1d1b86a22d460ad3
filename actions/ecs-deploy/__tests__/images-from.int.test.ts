import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { createBlueGreenFixture, registerRevision } from '@ecs-ship/local-aws/blue-green-fixture';
import { startLocalAws, type LocalAws } from '@ecs-ship/local-aws/local-aws';
import { deployService } from '../src/deployment/deploy.js';
import type { Deps } from '../src/deps.js';
import { resolveImagesFrom } from '../src/images-from/resolve.js';
import { sourceEcsClient } from '../src/images-from/source-client.js';
import { MemoryState } from '../src/state.js';
import { readInputs, reportFor } from './__fixtures__/lifecycle.js';

// images-from against the ECS emulator (packages/local-aws) in front of moto: the source service's
// RUNNING tasks report the digest their tag resolved to when their revision was created, as ECS
// does; STS is moto's (forwarded by the emulator). Refusals are checked to change nothing.
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/api';
const DIGEST = `sha256:${'1a'.repeat(32)}`;
const OTHER = `sha256:${'2b'.repeat(32)}`;

let moto: MotoServer;
let local: LocalAws & { clock: SimulatedClock };
let ecs: ECSClient;
let source: { taskDefinitionArn: string; family: string };
let target: { taskDefinitionArn: string; family: string };
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  local = (await startLocalAws({ motoEndpoint: moto.endpoint, clock: new SimulatedClock() })) as LocalAws & {
    clock: SimulatedClock;
  };
  ecs = new ECSClient({
    region: local.region,
    endpoint: local.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  // What the source client and STS read (awsClientConfig and the SDK's credential chain).
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: local.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}, 30_000);
afterAll(async () => {
  process.env = savedEnv;
  ecs?.destroy();
  await local?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await local.reset();
  local.setImageDigest(`${REPO}:1.4.0`, DIGEST);
  const dev = await createBlueGreenFixture(local, {
    cluster: 'dev',
    service: 'api',
    family: 'api-dev',
    namePrefix: 'dev-api',
    image: `${REPO}:1.4.0`,
  });
  const prod = await createBlueGreenFixture(local, {
    cluster: 'prod',
    service: 'api',
    family: 'api-prod',
    namePrefix: 'prod-api',
    image: `${REPO}:1.3.0`,
  });
  source = { taskDefinitionArn: dev.taskDefinitionArn, family: dev.family };
  target = { taskDefinitionArn: prod.taskDefinitionArn, family: prod.family };
  local.resetCalls();
}, 30_000);

function deps(
  sourceEcs: () => Promise<ECSClient> = () => Promise.resolve(ecs),
): Deps & { logger: MemoryLogger } {
  return { ecs, logger: new MemoryLogger(), clock: local.clock, sourceEcs };
}

async function deployFrom(values: Record<string, string>) {
  const d = deps();
  const inputs = readInputs({
    cluster: 'prod',
    service: 'api',
    wait: 'none',
    'images-from': 'dev/api',
    ...values,
  });
  const report = reportFor(inputs, d.clock);
  await deployService(d, inputs, report, new MemoryState());
  return { report, logger: d.logger };
}

const revisionsOf = async (family: string) =>
  (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns ?? [];

/** The refusal, and proof that the target was not touched. */
async function expectRefused(values: Record<string, string>, message: string): Promise<void> {
  const before = await revisionsOf(target.family);
  const error = await deployFrom(values).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect((error as Error).message).toContain(message);
  expect(await revisionsOf(target.family)).toEqual(before);
  expect(local.callsOf('RegisterTaskDefinition')).toHaveLength(0);
  expect(local.callsOf('UpdateService')).toHaveLength(0);
}

describe('images-from against the ECS emulator', () => {
  it('deploys the digest the source runs, pinned, whatever its tag points at now', async () => {
    // The tag moved after the source deployed: the source still runs DIGEST, and that is promoted.
    local.setImageDigest(`${REPO}:1.4.0`, OTHER);
    const { report, logger } = await deployFrom({});
    expect(report.imageLines).toEqual([`app=${REPO}@${DIGEST}`]);
    expect(report.imagesFrom).toMatchObject({
      taskDefinitionArn: source.taskDefinitionArn,
      containers: [{ container: 'app', digest: DIGEST, runningTasks: 2, pinned: false }],
    });
    const registered = (
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: report.taskDefinitionArn }))
    ).taskDefinition;
    expect(registered?.containerDefinitions?.[0]?.image).toBe(`${REPO}@${DIGEST}`);
    expect(registered?.family).toBe(target.family);
    expect(logger.lines.join('\n')).toContain(
      `images-from dev/api (us-east-1): api-dev:1, 2 running task(s): app=${REPO}@${DIGEST}`,
    );
    // The source was only read.
    expect(
      local.calls
        .filter((call) => call.input.cluster === 'dev')
        .map((call) => call.operation)
        .sort(),
    ).toEqual(['DescribeServices', 'DescribeTasks', 'ListTasks']);
  });

  it('a target container the source lacks keeps its image, and the summary data says so', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'td-')), 'api.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: target.family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image: `${REPO}:1.3.0`, essential: true },
          {
            name: 'log-router',
            image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
            essential: false,
          },
        ],
      }),
    );
    const { report } = await deployFrom({ 'task-definition': file });
    const registered = (
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: report.taskDefinitionArn }))
    ).taskDefinition;
    expect(registered?.containerDefinitions?.map((c) => c.image)).toEqual([
      `${REPO}@${DIGEST}`,
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
    ]);
    expect(report.imagesFrom?.kept).toEqual(['log-router']);
    expect(report.notes).toContain(
      'Container log-router is not in dev/api: it keeps the image of the revision deployed from.',
    );
  });

  it('refuses running tasks that disagree on the digest', async () => {
    local.driftDigest(source.taskDefinitionArn, 'app', OTHER);
    await expectRefused(
      {},
      `the RUNNING tasks of dev/api run different images for container "app" (${DIGEST}: 1 task(s), ${OTHER}: 1 task(s))`,
    );
  });

  it('refuses a source that is mid-deploy', async () => {
    const next = await registerRevision(local, source.family, `${REPO}:1.5.0`);
    await ecs.send(new UpdateServiceCommand({ cluster: 'dev', service: 'api', taskDefinition: next }));
    local.resetCalls();
    await expectRefused({}, 'the source dev/api is mid-deploy (2 deployments in flight');
  });

  it('refuses a source that is not steady (a task short of its count)', async () => {
    local.crashLoop(source.taskDefinitionArn);
    await expectRefused({}, 'the source dev/api is not steady (rollout COMPLETED, 1 of 2 tasks running)');
  });

  it('refuses a filter naming a container the source does not have, and a missing source service', async () => {
    await expectRefused({ 'images-from': 'dev/api:worker' }, '"worker" is not a container of api-dev:1');
    await expectRefused({ 'images-from': 'dev/nope' }, 'expected an ACTIVE service "nope" in cluster "dev"');
  });

  it('reads the source as images-from-role, assumed through STS (moto)', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/promote-reader';
    const client = await sourceEcsClient({ region: local.region, roleArn });
    const credentials = await client.config.credentials();
    // moto's AssumeRole hands out temporary credentials of its own, not the job's.
    expect(credentials.accessKeyId).not.toBe('test');
    expect(credentials.sessionToken).toBeTruthy();
    const assumed = local.callsOf('AssumeRole');
    expect(assumed.map((call) => [call.input.RoleArn, call.input.RoleSessionName, call.status])).toEqual([
      [roleArn, 'ecs-ship-ecs-deploy-images-from', 200],
    ]);
    const resolved = await resolveImagesFrom(
      { ecs: client, logger: new MemoryLogger() },
      { cluster: 'dev', service: 'api', roleArn },
      local.region,
    );
    expect(resolved.containers.map((c) => c.uri)).toEqual([`${REPO}@${DIGEST}`]);
    client.destroy();

    // And through a deploy: the role is assumed for the source reads only.
    local.resetCalls();
    const d = deps(() => sourceEcsClient({ region: local.region, roleArn }));
    const inputs = readInputs({
      cluster: 'prod',
      service: 'api',
      wait: 'none',
      'images-from': 'dev/api',
      'images-from-role': roleArn,
    });
    const report = reportFor(inputs, d.clock);
    await deployService(d, inputs, report, new MemoryState());
    expect(report.imageLines).toEqual([`app=${REPO}@${DIGEST}`]);
    expect(local.callsOf('AssumeRole')).toHaveLength(1);
  });
});
