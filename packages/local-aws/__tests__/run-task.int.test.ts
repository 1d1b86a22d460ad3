import { afterAll, beforeAll, beforeEach, describe as suite, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startLocalAws, type LocalAws } from '../src/local-aws.js';
import { clientsFor } from './helpers.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4.0';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-0abc123'], securityGroups: ['sg-0abc123'] } };
let moto: MotoServer;
let local: LocalAws & { clock: SimulatedClock };
let ecs: ECSClient;
let migrate = '';
let worker = '';

// One emulator for the file, reset between tests (reset() forgets tasks and outcomes: tested below).
beforeAll(async () => {
  moto = await startMoto();
  local = (await startLocalAws({ motoEndpoint: moto.endpoint, clock: new SimulatedClock() })) as LocalAws & {
    clock: SimulatedClock;
  };
  ecs = clientsFor(local).ecs;
}, 30_000);
beforeEach(async () => {
  await moto.reset();
  await local.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  migrate =
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'migrate',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '512',
          memory: '1024',
          containerDefinitions: [
            { name: 'log-router', image: 'public.ecr.aws/aws-observability/fluent-bit:3', essential: false },
            { name: 'api', image: IMAGE, essential: true, command: ['npm', 'start'] },
          ],
        }),
      )
    ).taskDefinition?.taskDefinitionArn ?? '';
  worker =
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'worker',
          networkMode: 'bridge',
          containerDefinitions: [{ name: 'worker', image: 'example/worker:2', memory: 128 }],
        }),
      )
    ).taskDefinition?.taskDefinitionArn ?? '';
});
afterAll(async () => {
  ecs?.destroy();
  await local?.stop();
  await moto?.stop();
});

const run = async (input: Partial<RunTaskCommandInput> = {}): Promise<Task> => {
  const answer = await ecs.send(
    new RunTaskCommand({
      cluster: 'prod',
      taskDefinition: migrate,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      startedBy: 'ecs-ship/ecs-deploy',
      ...input,
    }),
  );
  expect(answer.failures).toEqual([]);
  const task = answer.tasks?.[0];
  if (task?.taskArn === undefined) throw new Error('RunTask started no task');
  return task;
};

const describeTask = async (taskArn: string): Promise<Task> => {
  const answer = await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [taskArn] }));
  const task = answer.tasks?.[0];
  if (task === undefined) throw new Error(`DescribeTasks does not know ${taskArn}`);
  return task;
};

/** Jumps from change to change until the task is STOPPED, recording each lastStatus seen. */
const runToStop = async (taskArn: string): Promise<{ seen: string[]; task: Task }> => {
  const seen: string[] = [];
  for (let step = 0; step < 20; step++) {
    const task = await describeTask(taskArn);
    if (seen.at(-1) !== task.lastStatus) seen.push(task.lastStatus ?? '?');
    if (task.lastStatus === 'STOPPED') return { seen, task };
    const next = local.nextChangeAt();
    if (next === undefined) throw new Error(`task ${task.lastStatus ?? '?'} with nothing ahead`);
    await local.advanceTo(next);
  }
  throw new Error('task never stopped');
};

const listed = async (input: Record<string, string> = {}) =>
  (await ecs.send(new ListTasksCommand({ cluster: 'prod', ...input }))).taskArns ?? [];

const containers = (task: Task) =>
  (task.containers ?? []).map((c) => ({ name: c.name, lastStatus: c.lastStatus, exitCode: c.exitCode }));

suite('RunTask', () => {
  it('runs a one-off task through PROVISIONING, PENDING and RUNNING to STOPPED on the clock', async () => {
    local.setImageDigest(IMAGE, DIGEST);
    const started = local.clock.now();
    const task = await run({
      overrides: { containerOverrides: [{ name: 'api', command: ['npm', 'run', 'migrate'] }] },
    });
    expect(task.taskArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/prod\/[a-f0-9]{32}$/);
    expect(task).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
      taskDefinitionArn: migrate,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      group: 'family:migrate',
      startedBy: 'ecs-ship/ecs-deploy',
      launchType: 'FARGATE',
      cpu: '512',
      memory: '1024',
      overrides: {
        containerOverrides: [{ name: 'log-router' }, { name: 'api', command: ['npm', 'run', 'migrate'] }],
      },
    });
    expect(task.createdAt?.getTime()).toBe(started);
    // No digest before the image is pulled, as in RunTask's own answer on ECS.
    expect(task.containers?.map((c) => [c.name, c.image, c.lastStatus, c.imageDigest])).toEqual([
      ['log-router', 'public.ecr.aws/aws-observability/fluent-bit:3', 'PENDING', undefined],
      ['api', IMAGE, 'PENDING', undefined],
    ]);
    const arn = task.taskArn ?? '';
    expect(await listed({ family: 'migrate' })).toEqual([arn]);
    expect(await listed({ startedBy: 'ecs-ship/ecs-deploy' })).toEqual([arn]);
    expect(await listed({ family: 'worker' })).toEqual([]);

    await local.advanceTo(started + local.timing.runTaskStartMs);
    const running = await describeTask(arn);
    expect(running).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    expect(running.startedAt?.getTime()).toBe(started + local.timing.runTaskStartMs);
    expect(running.containers?.find((c) => c.name === 'api')).toMatchObject({
      lastStatus: 'RUNNING',
      imageDigest: DIGEST,
    });
    expect(running.containers?.[1]?.exitCode).toBeUndefined();

    const { task: stopped } = await runToStop(arn);
    const stoppedAt = started + local.timing.runTaskStartMs + local.timing.runTaskDurationMs;
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect([stopped.stoppingAt, stopped.stoppedAt].map((d) => d?.getTime())).toEqual([stoppedAt, stoppedAt]);
    expect(containers(stopped)).toEqual([
      { name: 'log-router', lastStatus: 'STOPPED', exitCode: 0 },
      { name: 'api', lastStatus: 'STOPPED', exitCode: 0 },
    ]);
    expect(await listed({ family: 'migrate' })).toEqual([]);
    expect(await listed({ family: 'migrate', desiredStatus: 'STOPPED' })).toEqual([arn]);
    expect(local.runTasks()).toEqual([
      {
        taskArn: arn,
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
        taskDefinitionArn: migrate,
        startedBy: 'ecs-ship/ecs-deploy',
        group: 'family:migrate',
        overrides: {
          containerOverrides: [{ name: 'log-router' }, { name: 'api', command: ['npm', 'run', 'migrate'] }],
        },
        commands: { 'log-router': undefined, api: ['npm', 'run', 'migrate'] },
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        exitCode: 0,
      },
    ]);
  }, 30_000);

  it('passes every status on the way when polled, and runs count tasks with a group and a default capacity', async () => {
    const answer = await ecs.send(
      new RunTaskCommand({
        cluster: 'prod',
        taskDefinition: 'worker',
        count: 2,
        group: 'nightly',
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE', weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        ],
      }),
    );
    expect(
      answer.tasks?.map((t) => [t.taskDefinitionArn, t.group, t.launchType, t.capacityProviderName]),
    ).toEqual([
      [worker, 'nightly', 'FARGATE', 'FARGATE_SPOT'],
      [worker, 'nightly', 'FARGATE', 'FARGATE_SPOT'],
    ]);
    expect(new Set(answer.tasks?.map((t) => t.taskArn)).size).toBe(2);
    const { seen } = await runToStop(answer.tasks?.[0]?.taskArn ?? '');
    expect(seen).toEqual(['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED']);
    expect(local.runTasks().map((r) => r.commands)).toEqual([{ worker: undefined }, { worker: undefined }]);
  }, 30_000);

  it('exits with the exit code configured for the task definition, from the container named', async () => {
    local.exitRunTasksOf('migrate', { exitCode: 3 });
    const first = await runToStop((await run()).taskArn ?? '');
    expect(containers(first.task)).toEqual([
      { name: 'log-router', lastStatus: 'STOPPED', exitCode: 0 },
      { name: 'api', lastStatus: 'STOPPED', exitCode: 3 },
    ]);
    expect(first.task.stopCode).toBe('EssentialContainerExited');

    // The latest outcome that names the revision wins; other families are untouched.
    local.exitRunTasksOf(`migrate:${migrate.split(':').pop() ?? ''}`, {
      exitCode: 1,
      container: 'log-router',
      reason: 'Sidecar gave up',
    });
    const second = await runToStop((await run()).taskArn ?? '');
    expect(second.task.stoppedReason).toBe('Sidecar gave up');
    expect(containers(second.task).map((c) => c.exitCode)).toEqual([1, 0]);
    const other = await runToStop(
      (await run({ taskDefinition: worker, networkConfiguration: undefined, launchType: 'EC2' })).taskArn ??
        '',
    );
    expect(other.task.containers?.[0]?.exitCode).toBe(0);
    expect(local.runTasks().map((r) => [r.taskDefinitionArn, r.exitCode])).toEqual([
      [migrate, 3],
      [migrate, 1],
      [worker, 0],
    ]);
  }, 30_000);

  it('never starts a task configured to fail: TaskFailedToStart and no exit code', async () => {
    local.exitRunTasksOf(migrate, {
      failToStart: { reason: 'CannotPullContainerError: pull access denied' },
    });
    const { seen, task } = await runToStop((await run()).taskArn ?? '');
    expect(seen).toEqual(['PROVISIONING', 'PENDING', 'STOPPED']);
    expect(task).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull access denied',
    });
    expect(task.startedAt).toBeUndefined();
    expect(task.containers?.map((c) => [c.name, c.exitCode, c.reason, c.imageDigest])).toEqual([
      ['log-router', undefined, undefined, undefined],
      ['api', undefined, 'CannotPullContainerError: pull access denied', undefined],
    ]);
    expect(local.runTasks()[0]).toMatchObject({ stopCode: 'TaskFailedToStart' });
    expect(local.runTasks()[0]?.exitCode).toBeUndefined();
  }, 30_000);

  it('StopTask stops a running task at once (UserInitiated, 137) and one not yet started without exit codes', async () => {
    local.exitRunTasksOf('migrate', { runForMs: Number.POSITIVE_INFINITY });
    const arn = (await run()).taskArn ?? '';
    await local.advanceTo(local.clock.now() + local.timing.runTaskStartMs);
    expect((await describeTask(arn)).lastStatus).toBe('RUNNING');
    // Runs until stopped: nothing ahead by itself.
    expect(local.nextChangeAt()).toBeUndefined();
    const answer = await ecs.send(
      new StopTaskCommand({ cluster: 'prod', task: arn, reason: 'ecs-deploy timeout 30m' }),
    );
    expect(answer.task).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'ecs-deploy timeout 30m',
    });
    expect(answer.task?.stoppedAt?.getTime()).toBe(local.clock.now());
    expect(containers(await describeTask(arn)).map((c) => c.exitCode)).toEqual([137, 137]);
    // Stopping again changes nothing.
    await local.advanceTo(local.clock.now() + 60_000);
    const again = await ecs.send(new StopTaskCommand({ cluster: 'prod', task: arn, reason: 'again' }));
    expect(again.task?.stoppedReason).toBe('ecs-deploy timeout 30m');

    const early = (await run()).taskArn ?? '';
    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'prod', task: early.split('/').pop() }));
    expect(stopped.task).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
    expect(stopped.task?.containers?.map((c) => c.exitCode)).toEqual([undefined, undefined]);
    expect(stopped.task?.startedAt).toBeUndefined();
  }, 30_000);

  it.each<[string, Partial<RunTaskCommandInput>, string, string]>([
    ['an unknown cluster', { cluster: 'staging' }, 'ClusterNotFoundException', 'Cluster not found'],
    [
      'an unknown task definition',
      { taskDefinition: 'migrate:9' },
      'ClientException',
      'TaskDefinition not found.',
    ],
    ['count 0', { count: 0 }, 'InvalidParameterException', 'count must be an integer from 1 to 10'],
    ['count 11', { count: 11 }, 'InvalidParameterException', 'count must be an integer from 1 to 10'],
    [
      'awsvpc without a network configuration',
      { networkConfiguration: undefined },
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    ],
    [
      'awsvpc without subnets',
      { networkConfiguration: { awsvpcConfiguration: { subnets: [] } } },
      'InvalidParameterException',
      'subnets can not be empty.',
    ],
    [
      'a network configuration for bridge mode',
      { taskDefinition: 'worker', launchType: 'EC2' },
      'InvalidParameterException',
      'Network Configuration is not valid for the given networkMode of this task definition.',
    ],
    [
      'a launch type and a capacity provider strategy',
      { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] },
      'InvalidParameterException',
      'Specifying both a launch type and capacity provider strategy is not supported.',
    ],
    [
      'an override for a container the definition lacks',
      { overrides: { containerOverrides: [{ name: 'web', command: ['true'] }] } },
      'InvalidParameterException',
      'Override for container named web is not a container in the TaskDefinition.',
    ],
  ])('refuses %s and starts nothing', async (_name, input, errorName, message) => {
    const error = await run(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect({ name: (error as Error).name, message: (error as Error).message }).toEqual({
      name: errorName,
      message: expect.stringContaining(message),
    });
    expect(local.runTasks()).toEqual([]);
    expect(await listed({ desiredStatus: 'RUNNING' })).toEqual([]);
  });

  it('leaves a StopTask of a task it did not run to moto, and reset() forgets tasks and outcomes', async () => {
    const missing = await ecs
      .send(
        new StopTaskCommand({
          cluster: 'prod',
          task: `arn:aws:ecs:us-east-1:123456789012:task/prod/${'0'.repeat(32)}`,
        }),
      )
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(Error);
    expect(local.callsOf('StopTask')[0]?.error).toBeDefined();

    local.exitRunTasksOf('migrate', { exitCode: 9 });
    const arn = (await run()).taskArn ?? '';
    await local.reset();
    expect(local.runTasks()).toEqual([]);
    expect(await listed({ family: 'migrate' })).toEqual([]);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [arn] }));
    expect(described.tasks).toEqual([]);
    expect(described.failures?.[0]?.arn).toBe(arn);
    const after = await runToStop((await run()).taskArn ?? '');
    expect(after.task.containers?.[1]?.exitCode).toBe(0);
  }, 30_000);
});
