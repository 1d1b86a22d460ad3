import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ScaledClock } from '@ecs-ship/shared/clock';
import { runDist, type DistRun } from '@ecs-ship/testing/dist-runner';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startLocalAws, type LocalAws } from '../src/local-aws.js';
import { clientsFor } from './helpers.js';

// ecs-deploy's built dist in `mode: run-task` against the emulator, on a clock 100 times faster than
// real time shared with the dist (ECS_SHIP_CLOCK): the task's 25 simulated seconds from RunTask to
// STOPPED pass in a quarter of a real second. How the task ends is the emulator's test control.
const ecsDeploy = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../actions/ecs-deploy');
const RATE = 100;

let moto: MotoServer;
let aws: LocalAws;
let ecs: ECSClient;
let migrate = '';
beforeAll(async () => {
  moto = await startMoto();
  const clock = new ScaledClock({ rate: RATE, origin: Date.UTC(2026, 0, 1), anchor: Date.now() });
  aws = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
  ecs = clientsFor(aws).ecs;
}, 60_000);
afterAll(async () => {
  ecs?.destroy();
  await aws?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await aws.reset();
  await moto.reset();
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'migrate',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      containerDefinitions: [
        { name: 'log-router', image: 'public.ecr.aws/aws-observability/fluent-bit:3', essential: false },
        { name: 'api', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4.0', essential: true },
      ],
    }),
  );
  migrate = registered.taskDefinition?.taskDefinitionArn ?? '';
});

const runTaskDist = (): Promise<DistRun> =>
  runDist(ecsDeploy, {
    inputs: {
      mode: 'run-task',
      cluster: 'prod',
      'task-definition-arn': migrate,
      subnets: 'subnet-0abc123',
      'security-groups': 'sg-0abc123',
      'launch-type': 'FARGATE',
      command: 'npm run migrate',
      timeout: '10m',
    },
    env: aws.env(),
    timeoutMs: 120_000,
  });

/** The outputs that matter; when they are not the ones expected, the diff shows the run's log tail. */
const outcome = (run: DistRun) => ({
  exitCode: run.exitCode,
  status: run.outputs.status,
  taskExitCode: run.outputs['exit-code'],
  log: run.outputs.status === 'succeeded' || run.exitCode !== 0 ? '' : run.stdout.slice(-3000),
});

describe('ecs-deploy run-task against the ECS emulator', () => {
  it('runs the command in the first essential container; exit 0 succeeds with task-arn and exit-code', async () => {
    const run = await runTaskDist();
    expect(outcome(run)).toEqual({ exitCode: 0, status: 'succeeded', taskExitCode: '0', log: '' });
    const [task] = aws.runTasks();
    expect(run.outputs['task-arn']).toBe(task?.taskArn);
    expect(task).toMatchObject({
      taskDefinitionArn: migrate,
      startedBy: 'ecs-ship/ecs-deploy',
      commands: { api: ['npm', 'run', 'migrate'], 'log-router': undefined },
      lastStatus: 'STOPPED',
      exitCode: 0,
    });
    expect(aws.runTasks()).toHaveLength(1);
    expect(aws.callsOf('RunTask')[0]?.input).toMatchObject({
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0abc123'], securityGroups: ['sg-0abc123'] },
      },
    });
    expect(aws.callsOf('StopTask')).toEqual([]);
    expect(run.summary).toContain('| Exit code | 0 |');
  }, 120_000);

  it('fails the step on exit 3, with exit-code 3 and the reason in the summary', async () => {
    aws.exitRunTasksOf('migrate', { exitCode: 3 });
    const run = await runTaskDist();
    expect(outcome(run)).toEqual({ exitCode: 1, status: 'failed', taskExitCode: '3', log: '' });
    const [task] = aws.runTasks();
    expect(run.outputs['task-arn']).toBe(task?.taskArn);
    expect(task).toMatchObject({ stopCode: 'EssentialContainerExited', exitCode: 3 });
    const id = task?.taskArn.split('/').pop() ?? '';
    expect(run.summary).toContain(
      `Task ${id} stopped [EssentialContainerExited]: Essential container in task exited — log-router exit code 0; api exit code 3`,
    );
    expect(run.commands.join('\n')).toContain('::error::');
  }, 120_000);

  it('fails the step when the task never starts, without an exit code', async () => {
    aws.exitRunTasksOf(migrate, {
      failToStart: { reason: 'CannotPullContainerError: pull access denied for api' },
    });
    const run = await runTaskDist();
    expect(outcome(run)).toEqual({ exitCode: 1, status: 'failed', taskExitCode: undefined, log: '' });
    expect(run.summary).toContain(
      '[TaskFailedToStart]: CannotPullContainerError: pull access denied for api',
    );
  }, 120_000);
});
