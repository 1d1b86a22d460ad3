import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { continueDeployment } from '../src/deployment/continue.js';
import { deployService } from '../src/deployment/deploy.js';
import { IAM_ACTIONS, IMPLIED_ACTIONS, iamActionOf, iamPolicy, imagesFromRolePolicy } from '../src/iam.js';
import { resolveImagesFrom } from '../src/images-from/resolve.js';
import { sourceEcsClient } from '../src/images-from/source-client.js';
import { newReport } from '../src/report.js';
import { runTaskMode } from '../src/run-task/run-task.js';
import {
  DEPLOYMENT,
  NEW_REVISION,
  NEW_TD,
  readAnyInputs,
  readInputs,
  REGION,
  reportFor,
  revisions,
  runTask,
  scenario,
  serviceShape,
  trafficShiftingService,
  type Phase,
} from './__fixtures__/lifecycle.js';

const MUTATING = [
  'RegisterTaskDefinitionCommand',
  'UpdateServiceCommand',
  'RunTaskCommand',
  'StopServiceDeploymentCommand',
  'ContinueServiceDeploymentCommand',
  'StopTaskCommand',
];
const images = 'app=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0';
const stuck: Phase[] = [
  { atMs: 0, deployment: { status: 'IN_PROGRESS', ...revisions({ running: 0, pending: 2 }) } },
];
const gated: Phase[] = [
  {
    atMs: 0,
    deployment: {
      status: 'IN_PROGRESS',
      lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
      ...revisions({ running: 2, production: 0 }),
    },
  },
  { atMs: 30_000, deployment: { lifecycleHookDetails: [{ hookId: 'h1', status: 'AWAITING_ACTION' }] } },
];

async function serviceRuns(): Promise<Set<string>> {
  const sent = new Set<string>();
  const record = (s: ReturnType<typeof scenario>) => {
    for (const call of s.ecs.calls()) sent.add(iamActionOf((call.args[0] as object).constructor.name));
    for (const call of s.elb.calls())
      sent.add(iamActionOf((call.args[0] as object).constructor.name, 'elasticloadbalancing'));
  };
  // Timeout, failure reasons (stopped tasks) and rollback; the deployment found by listing.
  const timeout = scenario({
    phases: stuck,
    rollbackPhases: [{ atMs: 10_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } }],
  });
  timeout.ecs.on(UpdateServiceCommand).resolves({ service: serviceShape() });
  timeout.ecs.on(ListServiceDeploymentsCommand).callsFake(() => ({
    serviceDeployments: [
      {
        serviceDeploymentArn: DEPLOYMENT,
        createdAt: new Date(timeout.clock.now()),
        targetServiceRevisionArn: NEW_REVISION,
      },
    ],
  }));
  timeout.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/1'] });
  timeout.ecs
    .on(DescribeTasksCommand)
    .resolves({ tasks: [{ taskDefinitionArn: NEW_TD, stoppedReason: 'x' }] });
  const inputs = readInputs({ cluster: 'prod', service: 'web', images, timeout: '3m' });
  await deployService(timeout.deps, inputs, reportFor(inputs, timeout.clock), timeout.state);
  record(timeout);
  // A gated canary: ContinueServiceDeployment on the first gate.
  const continuePhases: Phase[][] = [
    [
      {
        atMs: 1_000,
        deployment: {
          lifecycleHookDetails: [{ hookId: 'h2', status: 'AWAITING_ACTION' }],
          ...revisions({ running: 2, production: 5 }),
        },
      },
    ],
  ];
  const canary = scenario({ service: trafficShiftingService('CANARY'), phases: gated, continuePhases });
  const gatedInputs = readInputs({
    cluster: 'prod',
    service: 'web',
    images,
    strategy: 'canary',
    gate: 'pause',
    wait: 'gate',
  });
  await deployService(canary.deps, gatedInputs, reportFor(gatedInputs, canary.clock), canary.state);
  record(canary);
  // The same behind a Network Load Balancer: its productionListenerRule is the listener itself.
  const nlbService = trafficShiftingService('CANARY');
  const [balancer] = nlbService.loadBalancers ?? [];
  if (balancer?.advancedConfiguration)
    balancer.advancedConfiguration.productionListenerRule =
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/web/cccc/dddd';
  const nlb = scenario({ service: nlbService, phases: gated, continuePhases });
  await deployService(nlb.deps, gatedInputs, reportFor(gatedInputs, nlb.clock), nlb.state);
  record(nlb);
  return sent;
}

const sentBy = (s: ReturnType<typeof scenario>, sent: Set<string>) => {
  for (const call of s.ecs.calls()) sent.add(iamActionOf((call.args[0] as object).constructor.name));
  for (const call of s.elb.calls())
    sent.add(iamActionOf((call.args[0] as object).constructor.name, 'elasticloadbalancing'));
};

async function continueRuns(): Promise<Set<string>> {
  const sent = new Set<string>();
  const run = async (s: ReturnType<typeof scenario>, values: Record<string, string>) => {
    const inputs = readAnyInputs({ mode: 'continue', 'service-deployment-arn': DEPLOYMENT, ...values });
    if (inputs.mode !== 'continue') throw new Error('not continue');
    const report = newReport({ mode: 'continue', region: REGION, cluster: 'prod', startedAt: s.clock.now() });
    await continueDeployment(s.deps, inputs, report, s.state);
    sentBy(s, sent);
  };
  const paused: Phase[] = [
    {
      atMs: 0,
      deployment: {
        status: 'IN_PROGRESS',
        lifecycleHookDetails: [{ hookId: 'h1', status: 'AWAITING_ACTION' }],
        ...revisions({ running: 2, production: 0, test: 100 }),
      },
    },
  ];
  const done: Phase[][] = [
    [{ atMs: 1_000, deployment: { status: 'SUCCESSFUL', ...revisions({ running: 2, production: 100 }) } }],
  ];
  // Continued to the end, behind an ALB and behind an NLB (the target-group outputs).
  const nlb: Service = trafficShiftingService('BLUE_GREEN');
  const [balancer] = nlb.loadBalancers ?? [];
  if (balancer?.advancedConfiguration)
    balancer.advancedConfiguration.productionListenerRule =
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/web/cccc/dddd';
  for (const service of [trafficShiftingService('BLUE_GREEN'), nlb])
    await run(scenario({ alreadyUpdated: true, service, phases: paused, continuePhases: done }), {});
  // A timeout: failure reasons (stopped tasks) and StopServiceDeployment.
  const stuck = scenario({
    alreadyUpdated: true,
    phases: [{ atMs: 0, deployment: { status: 'IN_PROGRESS' } }],
    rollbackPhases: [{ atMs: 1_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } }],
  });
  stuck.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/1'] });
  stuck.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskDefinitionArn: NEW_TD, stoppedReason: 'x' }] });
  await run(stuck, { timeout: '1m' });
  // A finished deployment rolled back: the guarded UpdateService.
  await run(
    scenario({
      alreadyUpdated: true,
      phases: [{ atMs: 0, deployment: { status: 'SUCCESSFUL' } }],
      fallbackPhases: [{ atMs: 0, deployment: { status: 'SUCCESSFUL' } }],
    }),
    { answer: 'rollback' },
  );
  return sent;
}

async function imagesFromRuns(): Promise<Set<string>> {
  const s = scenario({ phases: [] });
  const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${'a'.repeat(64)}`;
  s.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/1'] });
  s.ecs.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/1',
        taskDefinitionArn: serviceShape().taskDefinition,
        lastStatus: 'RUNNING',
        containers: [{ name: 'app', image, imageDigest: `sha256:${'b'.repeat(64)}` }],
      },
    ],
  });
  await resolveImagesFrom(
    { ecs: s.client, logger: new MemoryLogger() },
    { cluster: 'prod', service: 'web' },
    REGION,
  );
  const sent = new Set<string>();
  sentBy(s, sent);
  return sent;
}

async function imagesFromRoleRuns(): Promise<Set<string>> {
  const sts = mockClient(STSClient);
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
  });
  try {
    const client = await sourceEcsClient({
      region: REGION,
      roleArn: 'arn:aws:iam::111111111111:role/reader',
    });
    client.destroy();
    return new Set(sts.calls().map((call) => iamActionOf((call.args[0] as object).constructor.name, 'sts')));
  } finally {
    sts.restore();
  }
}

async function runTaskRuns(): Promise<Set<string>> {
  const sent = new Set<string>();
  // The service's revision (DescribeServices), then a task-definition file (DescribeClusters).
  const sources: Array<Record<string, string>> = [
    { service: 'web', images },
    { 'task-definition-arn': 'web:41' },
  ];
  for (const source of sources) {
    const s = scenario({ phases: [] });
    s.ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/t1' }] });
    s.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
    await runTask(s, { cluster: 'prod', ...source, subnets: 'subnet-01', timeout: '1m' });
    for (const call of s.ecs.calls()) sent.add(iamActionOf((call.args[0] as object).constructor.name));
  }
  return sent;
}

describe('IAM actions', () => {
  it.each<[keyof typeof IAM_ACTIONS, () => Promise<Set<string>>]>([
    ['service', serviceRuns],
    ['run-task', runTaskRuns],
    ['continue', continueRuns],
    ['images-from', imagesFromRuns],
    ['images-from-role', imagesFromRoleRuns],
  ])(
    'every command sent in %s mode is in the exported list, and the list holds nothing unused',
    async (mode, runs) => {
      const sent = await runs();
      const listed = new Set<string>(IAM_ACTIONS[mode]);
      expect([...sent].filter((action) => !listed.has(action))).toEqual([]);
      const implied = new Set<string>(IMPLIED_ACTIONS);
      expect([...listed].filter((action) => !sent.has(action) && !implied.has(action))).toEqual([]);
    },
  );

  it('the README shows the policy generated from the lists', () => {
    const readme = readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'),
      'utf8',
    );
    const section = readme.slice(readme.indexOf('## IAM'));
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) =>
      JSON.parse(match[1] ?? 'null'),
    );
    expect(blocks[0]).toEqual(iamPolicy());
    expect(blocks[1]).toEqual(imagesFromRolePolicy());
    for (const action of new Set(Object.values(IAM_ACTIONS).flat()))
      expect(section).toContain(`\`${action}\``);
  });
});

describe('validation before mutation', () => {
  const mutations = (s: ReturnType<typeof scenario>) =>
    s.ecs
      .calls()
      .map((call) => (call.args[0] as object).constructor.name)
      .filter((name) => MUTATING.includes(name));

  it.each([
    [
      'a CODE_DEPLOY service',
      serviceShape({ deploymentController: { type: 'CODE_DEPLOY' } }),
      { strategy: 'rolling' },
      'CODE_DEPLOY',
    ],
    [
      'canary without a load balancer',
      serviceShape(),
      { strategy: 'canary' },
      'needs a service whose load balancer',
    ],
    ['an unknown container', serviceShape(), { images: 'worker=x:1' }, 'names container "worker"'],
    ['a draining service', serviceShape({ status: 'DRAINING' }), {}, 'it is DRAINING'],
  ])('service mode, %s: refused, nothing changed', async (_name, service, values, message) => {
    const s = scenario({ service, phases: [] });
    const inputs = readInputs({ cluster: 'prod', service: 'web', images, ...values });
    const error = await deployService(s.deps, inputs, reportFor(inputs, s.clock), s.state).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(mutations(s)).toEqual([]);
  });

  it.each([
    [
      'an unknown command-container',
      { subnets: 'subnet-01', command: 'npm run migrate', 'command-container': 'migrator' },
      'Input "command-container" names "migrator"',
    ],
    ['an awsvpc revision without subnets', { command: 'npm run migrate' }, 'Input "subnets" is required'],
    [
      'security groups without subnets',
      { 'security-groups': 'sg-01' },
      'Input "security-groups" configures awsvpc networking, which needs "subnets"',
    ],
    ['an unknown container', { subnets: 'subnet-01', images: 'worker=x:1' }, 'names container "worker"'],
  ])('run-task mode, %s: refused, nothing registered or run', async (_name, values, message) => {
    const s = scenario({ phases: [] });
    const error = await (async () => {
      const inputs = readInputs({ mode: 'run-task', cluster: 'prod', service: 'web', images, ...values });
      await runTaskMode(s.deps, inputs, reportFor(inputs, s.clock), s.state);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(mutations(s)).toEqual([]);
  });
});
