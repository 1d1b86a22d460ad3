import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { deployService, prepareTaskDefinition } from '../src/deploy.js';
import { IAM_ACTIONS, IMPLIED_ACTIONS, iamActionOf, iamPolicy } from '../src/iam.js';
import { runOneOffTask } from '../src/run-task.js';
import {
  NEW_TD,
  readInputs,
  reportFor,
  revisions,
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
  };
  // Timeout, failure reasons (stopped tasks) and rollback; the deployment found by listing.
  const timeout = scenario({
    phases: stuck,
    rollbackPhases: [{ atMs: 10_000, deployment: { status: 'ROLLBACK_SUCCESSFUL' } }],
  });
  timeout.ecs.on(UpdateServiceCommand).resolves({ service: serviceShape() });
  timeout.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/prod/1'] });
  timeout.ecs
    .on(DescribeTasksCommand)
    .resolves({ tasks: [{ taskDefinitionArn: NEW_TD, stoppedReason: 'x' }] });
  const inputs = readInputs({ cluster: 'prod', service: 'web', images, timeout: '3m' });
  await deployService(timeout.deps, inputs, reportFor(inputs, timeout.clock), timeout.state);
  record(timeout);
  // A gated canary: ContinueServiceDeployment on the first gate.
  const canary = scenario({
    service: trafficShiftingService('CANARY'),
    phases: gated,
    continuePhases: [
      [
        {
          atMs: 1_000,
          deployment: {
            lifecycleHookDetails: [{ hookId: 'h2', status: 'AWAITING_ACTION' }],
            ...revisions({ running: 2, production: 5 }),
          },
        },
      ],
    ],
  });
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
  return sent;
}

async function runTaskRuns(): Promise<Set<string>> {
  const sent = new Set<string>();
  const s = scenario({ phases: [] });
  s.ecs
    .on(RunTaskCommand)
    .resolves({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/t1' }] });
  s.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
  const inputs = readInputs({
    mode: 'run-task',
    cluster: 'prod',
    service: 'web',
    images,
    subnets: 'subnet-01',
    timeout: '1m',
  });
  const report = reportFor(inputs, s.clock);
  const prepared = await prepareTaskDefinition(s.deps, inputs, report);
  await runOneOffTask(
    s.deps,
    inputs,
    { arn: prepared.taskDefinitionArn, definition: prepared.definition },
    report,
    s.state,
  );
  for (const call of s.ecs.calls()) sent.add(iamActionOf((call.args[0] as object).constructor.name));
  return sent;
}

describe('IAM actions', () => {
  it.each<['service' | 'run-task', () => Promise<Set<string>>]>([
    ['service', serviceRuns],
    ['run-task', runTaskRuns],
  ])(
    'every command sent in %s mode is in the exported list, and the list holds nothing unused',
    async (mode, runs) => {
      const sent = await runs();
      const listed = new Set<string>(IAM_ACTIONS[mode]);
      expect([...sent].filter((action) => !listed.has(action))).toEqual([]);
      const implied = new Set<string>(IMPLIED_ACTIONS);
      expect(
        [...listed].filter(
          (action) =>
            !sent.has(action) &&
            !implied.has(action) &&
            !(mode === 'service' ? [] : ['ecs:DescribeClusters']).includes(action),
        ),
      ).toEqual([]);
    },
  );

  it('the README shows the policy generated from the lists', () => {
    const readme = readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'),
      'utf8',
    );
    const section = readme.slice(readme.indexOf('## IAM'));
    const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(JSON.parse(block ?? 'null')).toEqual(iamPolicy());
    for (const action of new Set([...IAM_ACTIONS.service, ...IAM_ACTIONS['run-task']]))
      expect(section).toContain(`\`${action}\``);
  });
});

describe('validation before mutation', () => {
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
  ])('%s: refused, nothing changed', async (_name, service, values, message) => {
    const s = scenario({ service, phases: [] });
    const inputs = readInputs({ cluster: 'prod', service: 'web', images, ...values });
    const error = await deployService(s.deps, inputs, reportFor(inputs, s.clock), s.state).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    const sent = s.ecs.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(sent.filter((name) => MUTATING.includes(name))).toEqual([]);
  });
});
