import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createCoreFixture } from '../../../packages/shared/__fixtures__/core.js';
import {
  DEPLOYMENT,
  NEW_TD,
  OLD_TD,
  revisions,
  scenario,
  trafficShiftingService,
  type Scenario,
} from './__fixtures__/lifecycle.js';

// run() as the runner calls it, with @actions/core replaced by a typed fixture and every ECSClient
// mocked. Each scenario ends at its first look, so the real clock run() uses never sleeps.
const inputs: Record<string, string> = {};
const fixture = createCoreFixture(inputs);
jest.unstable_mockModule('@actions/core', () => fixture.core);
const { run, runStep } = await import('../src/main.js');

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/9a8b7c';
let s: Scenario | undefined;
let summaryFile: string;

function given(values: Record<string, string>): void {
  for (const key of Object.keys(inputs)) delete inputs[key];
  Object.assign(inputs, values);
}

beforeEach(() => {
  summaryFile = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-deploy-')), 'summary.md');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  process.env.AWS_REGION = 'us-east-1';
  for (const record of [fixture.outputs, fixture.state])
    for (const key of Object.keys(record)) delete record[key];
  fixture.failures.length = 0;
  fixture.log.length = 0;
});
afterEach(() => {
  s?.ecs.restore();
  s = undefined;
  delete process.env.GITHUB_STEP_SUMMARY;
  delete process.env.AWS_REGION;
});

describe('run()', () => {
  it('paused at a blue/green gate: status, gate-hook-id and the deployment as outputs; the step succeeds', async () => {
    s = scenario({
      everyClient: true,
      service: trafficShiftingService('BLUE_GREEN'),
      phases: [
        {
          atMs: 0,
          deployment: {
            status: 'IN_PROGRESS',
            lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
            lifecycleHookDetails: [{ hookId: 'hook-bg', targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
            ...revisions({ running: 2, production: 0, test: 100 }, { running: 2, production: 100 }),
          },
        },
      ],
    });
    given({
      cluster: 'prod',
      service: 'web',
      images: 'app=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0',
      strategy: 'blue-green',
      gate: 'pause',
    });
    await run();
    expect(fixture.failures).toEqual([]);
    expect(fixture.outputs).toMatchObject({
      status: 'paused',
      'gate-hook-id': 'hook-bg',
      'service-deployment-arn': DEPLOYMENT,
      'task-definition-arn': NEW_TD,
    });
    expect(fixture.state.finished).toBe('true');
    expect(readFileSync(summaryFile, 'utf8')).toContain('## ECS deploy: ⏸️ paused — web');
  });

  it('run-task with a failing command: exit-code of the command container, and one failure message', async () => {
    s = scenario({ everyClient: true, phases: [] });
    s.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
    s.ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          lastStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'app', exitCode: 2, reason: 'migration failed' }],
        },
      ],
    });
    given({
      mode: 'run-task',
      cluster: 'prod',
      service: 'web',
      subnets: 'subnet-0a1',
      command: '["npm", "run", "migrate"]',
    });
    await run();
    expect(fixture.outputs).toMatchObject({ status: 'failed', 'exit-code': '2', 'task-arn': TASK });
    expect(fixture.failures).toEqual([
      'The task failed: Task 9a8b7c stopped [EssentialContainerExited]: Essential container in task exited — app exit code 2 (migration failed)',
    ]);
  });

  it('an unexpected error still sets status failed, and fails the step with its message', async () => {
    s = scenario({ everyClient: true, phases: [] });
    s.ecs
      .on(DescribeServicesCommand)
      .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    given({ cluster: 'prod', service: 'web' });
    await run();
    expect(fixture.outputs.status).toBe('failed');
    expect(fixture.failures).toEqual(['socket hang up (ECONNRESET)']);
    expect(fixture.state.finished).toBeUndefined();
  });

  it('a bad input sets status failed too, and names the input', async () => {
    given({ cluster: 'prod', service: 'web', strategy: 'canary', gate: 'pause', wait: 'stable' });
    await run();
    expect(fixture.outputs.status).toBe('failed');
    expect(fixture.failures[0]).toContain('Inputs "gate: pause" and "wait: stable" cannot be combined');
  });
});

describe('mode validate through run()', () => {
  const described = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '__fixtures__',
    'task-definitions',
    'described.json',
  );

  it('makes no AWS call and needs no region: status valid, images output, the checks in the summary', async () => {
    s = scenario({ everyClient: true, phases: [] });
    delete process.env.AWS_REGION;
    given({
      mode: 'validate',
      'task-definition': described,
      images: 'api=123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0\nenvoy=public.ecr.aws/envoy:1',
    });
    await run();
    expect(fixture.failures).toEqual([]);
    expect(s.ecs.calls()).toEqual([]);
    expect(s.elb.calls()).toEqual([]);
    expect(fixture.outputs).toMatchObject({
      status: 'valid',
      images: 'api=123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0\nenvoy=public.ecr.aws/envoy:1',
    });
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      '| task definition | ✅ passed | family "api", containers api, envoy |',
    );
  });

  it('a refusal fails the step with status failed, and still makes no AWS call', async () => {
    s = scenario({ everyClient: true, phases: [] });
    given({ mode: 'validate', 'task-definition': described, environment: 'api.DB_PASSWORD=hunter22' });
    await run();
    expect(s.ecs.calls()).toEqual([]);
    expect(fixture.outputs.status).toBe('failed');
    expect(fixture.failures).toEqual([
      expect.stringContaining(
        'The task definition failed 1 check(s); first environment: Input "environment" sets api.DB_PASSWORD in plain text',
      ),
    ]);
  });
});

describe('one bundle for main and post (issue #8, item 10)', () => {
  it('main marks itself in the state, so the same entry runs as the post step afterwards', async () => {
    given({ cluster: 'prod', service: 'web', strategy: 'canary', gate: 'pause', wait: 'stable' });
    await runStep();
    expect(fixture.state.isPost).toBe('true');
  });

  it('the post step rolls back from the state alone, though the task-definition file is gone', async () => {
    s = scenario({
      everyClient: true,
      phases: [{ atMs: 0, deployment: { status: 'IN_PROGRESS' } }],
      rollbackPhases: [{ atMs: 0, deployment: { status: 'ROLLBACK_SUCCESSFUL' } }],
    });
    // A later step removed the file; a post step that re-read the inputs would fail on it.
    given({ cluster: 'prod', service: 'web', 'task-definition': 'removed-by-a-later-step.json' });
    Object.assign(fixture.state, {
      isPost: 'true',
      region: 'us-east-1',
      cluster: 'prod',
      service: 'web',
      strategy: 'rolling',
      'timeout-ms': '600000',
      'rollback-on-failure': 'true',
      'task-definition-arn': NEW_TD,
      'previous-task-definition-arn': OLD_TD,
      'deployment-arn': DEPLOYMENT,
    });
    delete process.env.AWS_REGION;
    await runStep();
    expect(fixture.failures).toEqual([]);
    expect(s.ecs.commandCalls(StopServiceDeploymentCommand).map((call) => call.args[0].input)).toEqual([
      { serviceDeploymentArn: DEPLOYMENT, stopType: 'ROLLBACK' },
    ]);
    expect(readFileSync(summaryFile, 'utf8')).toContain('Cleanup: **rolled-back**');
  });
});
