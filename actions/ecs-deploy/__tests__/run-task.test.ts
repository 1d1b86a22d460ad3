import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { CancelledError } from '@ecs-ship/shared/errors';
import { taskExitCode } from '../src/run-task/run-task.js';
import { currentTaskDefinition, NEW_TD, runTask, scenario } from './__fixtures__/lifecycle.js';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0f1e2d3c';

/** DescribeTasks answers by simulated time since RunTask: PROVISIONING, RUNNING, then STOPPED as given. */
function scriptTask(s: ReturnType<typeof scenario>, stopped: Partial<Task>, runMs = 95_000) {
  let startedAt: number | undefined;
  s.ecs.on(RunTaskCommand).callsFake(() => {
    startedAt = s.clock.now();
    return {
      tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING', taskDefinitionArn: NEW_TD }],
      failures: [],
    };
  });
  s.ecs.on(DescribeTasksCommand).callsFake(() => {
    const elapsed = s.clock.now() - (startedAt ?? 0);
    const lastStatus = elapsed < 20_000 ? 'PROVISIONING' : elapsed < runMs ? 'RUNNING' : 'STOPPED';
    return {
      tasks: [
        {
          taskArn: TASK,
          taskDefinitionArn: NEW_TD,
          lastStatus,
          ...(lastStatus === 'STOPPED' ? stopped : {}),
        },
      ],
      failures: [],
    };
  });
}

const migrate = {
  cluster: 'prod',
  service: 'web',
  images: 'app=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0',
  subnets: 'subnet-0a1',
  'security-groups': 'sg-0b2',
  'launch-type': 'FARGATE',
  command: 'npm run migrate',
};

describe('run-task', () => {
  it('runs the rendered revision with the command, waits for it to stop and reports exit code 0', async () => {
    const s = scenario({ phases: [] });
    scriptTask(s, {
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'app', exitCode: 0 }],
    });
    const report = await runTask(s, migrate);

    expect(report.status).toBe('succeeded');
    expect(report.task).toEqual({ arn: TASK, exitCode: 0, lastStatus: 'STOPPED' });
    expect(s.ecs.commandCalls(RunTaskCommand)[0]?.args[0].input).toEqual({
      cluster: 'prod',
      taskDefinition: NEW_TD,
      count: 1,
      startedBy: 'ecs-ship/ecs-deploy',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1'], securityGroups: ['sg-0b2'] } },
      overrides: { containerOverrides: [{ name: 'app', command: ['npm', 'run', 'migrate'] }] },
    });
    expect(s.logger.lines).toEqual(
      expect.arrayContaining(['task PROVISIONING', 'task RUNNING', 'task STOPPED']),
    );
    expect(s.ecs.commandCalls(DescribeTasksCommand).length).toBeLessThan(15);
  });

  it('fails on a non-zero exit with the reason and exit code', async () => {
    const s = scenario({ phases: [] });
    scriptTask(s, {
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [
        { name: 'app', exitCode: 3, reason: 'migration 0042 failed: relation "users" already exists' },
      ],
    });
    const report = await runTask(s, migrate);
    expect(report.status).toBe('failed');
    expect(report.task?.exitCode).toBe(3);
    expect(report.reasons[0]).toBe(
      'Task 0f1e2d3c stopped [EssentialContainerExited]: Essential container in task exited — app exit code 3 (migration 0042 failed: relation "users" already exists)',
    );
  });

  it('a non-essential sidecar that exits non-zero does not fail a migration that succeeded (issue #8, item 13)', async () => {
    const s = scenario({ phases: [] });
    const withSidecar = {
      ...currentTaskDefinition,
      containerDefinitions: [
        ...(currentTaskDefinition.containerDefinitions ?? []),
        {
          name: 'log-router',
          image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
          essential: false,
        },
      ],
    };
    s.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: withSidecar });
    scriptTask(s, {
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
      containers: [
        { name: 'app', exitCode: 0 },
        { name: 'log-router', exitCode: 137, reason: 'killed when the task stopped' },
      ],
    });
    const report = await runTask(s, migrate);
    expect(report.status).toBe('succeeded');
    expect(report.task?.exitCode).toBe(0);
    expect(report.notes).toEqual([
      'Non-essential container log-router exited 137 (killed when the task stopped); not counted against the task.',
    ]);
  });

  it('stops the task when it outlives the timeout', async () => {
    const s = scenario({ phases: [] });
    scriptTask(s, {}, 60 * 60_000);
    const report = await runTask(s, { ...migrate, timeout: '5m' });
    expect(report.status).toBe('failed');
    expect(s.ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
  });

  it('reports RunTask failures (no capacity) as they are', async () => {
    const s = scenario({ phases: [] });
    s.ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        {
          reason: 'Capacity is unavailable at this time.',
          arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/x',
        },
      ],
    });
    await expect(runTask(s, migrate)).rejects.toThrow(
      'RunTask started no task: Capacity is unavailable at this time.',
    );
  });

  it('stops the task when the run is cancelled while it runs, and leaves nothing for the post step', async () => {
    const controller = new AbortController();
    const s = scenario({
      phases: [],
      signal: controller.signal,
      onSleep: () => {
        if (s.ecs.commandCalls(DescribeTasksCommand).length >= 3) controller.abort();
      },
    });
    scriptTask(s, {}, 60 * 60_000);
    const error = await runTask(s, migrate).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect(s.ecs.commandCalls(StopTaskCommand)[0]?.args[0].input).toEqual({
      cluster: 'prod',
      task: TASK,
      reason: 'workflow run cancelled',
    });
    expect(s.state.get('finished')).toBe('true');
  });

  it('runs nothing when the run is cancelled before RunTask', async () => {
    const controller = new AbortController();
    const s = scenario({ phases: [], signal: controller.signal });
    scriptTask(s, {});
    s.ecs.on(RegisterTaskDefinitionCommand).callsFake((input: object) => {
      controller.abort();
      return { taskDefinition: { ...input, taskDefinitionArn: NEW_TD, status: 'ACTIVE' } };
    });
    await expect(runTask(s, migrate)).rejects.toBeInstanceOf(CancelledError);
    expect(s.ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

describe('exit-code', () => {
  const task = (...codes: Array<[string, number | undefined]>): Task => ({
    containers: codes.map(([name, exitCode]) => ({ name, ...(exitCode !== undefined ? { exitCode } : {}) })),
  });
  it.each<[string, Task, { commandContainer: string | undefined; essential: string[] }, number | undefined]>([
    [
      'the command container, even when another failed',
      task(['app', 0], ['sidecar', 2]),
      { commandContainer: 'app', essential: ['app', 'sidecar'] },
      0,
    ],
    [
      'the command container that failed',
      task(['app', 3], ['sidecar', 0]),
      { commandContainer: 'app', essential: ['app', 'sidecar'] },
      3,
    ],
    [
      'no command: the first essential container that failed',
      task(['app', 0], ['worker', 137]),
      { commandContainer: undefined, essential: ['app', 'worker'] },
      137,
    ],
    [
      'no command, all exited 0: the first essential',
      task(['log-router', 0], ['app', 0]),
      { commandContainer: undefined, essential: ['app'] },
      0,
    ],
    [
      'a non-essential failure is not the exit code',
      task(['app', 0], ['debug', 1]),
      { commandContainer: undefined, essential: ['app'] },
      0,
    ],
    [
      'a command container that never ran',
      task(['app', undefined]),
      { commandContainer: 'app', essential: ['app'] },
      undefined,
    ],
  ])('%s', (_name, stopped, containers, expected) => {
    expect(taskExitCode(stopped, containers)).toBe(expected);
  });
});
