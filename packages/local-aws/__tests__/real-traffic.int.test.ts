// Real tasks behind the local load balancer: examples/service runs as local processes (the process
// runtime; the Docker runtime is exercised by the rehearsal in .ci/run), a canary deployment shifts
// real requests by the rule's weights, the per-minute counts reach CloudWatch, and RunTask's task
// ends with its process's real exit code.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPidAlive } from '@ecs-ship/testing/process';
import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTasksCommand, RunTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { ScaledClock } from '@ecs-ship/shared/clock';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startLocalAws, type LocalAws } from '../src/local-aws.js';
import { createBlueGreenFixture, registerRevision } from '../src/blue-green-fixture.js';
import { startLoadGenerator } from '../src/load-generator.js';
import { startLocalLoadBalancer } from '../src/load-balancer.js';
import { ProcessTaskRuntime } from '../src/process-task-runtime.js';
import { startRealTasks } from '../src/real-tasks.js';
import { clientsFor, deploy, describe } from './helpers.js';

const service = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/service');
const MINUTE = 60_000;
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
}, 30_000);
afterAll(async () => {
  await moto?.stop();
});

const container = (environment: Record<string, string>): Omit<ContainerDefinition, 'name' | 'image'> => ({
  entryPoint: ['node'],
  command: ['server.js'],
  workingDirectory: '/app',
  environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
});

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function registerFrom(local: LocalAws, family: string, environment: Record<string, string>): Promise<string> {
  return registerRevision(local, family, 'example/api:2', container(environment));
}

suite('real tasks behind the local load balancer', () => {
  it('routes real requests by the canary weights, publishes their counts, and stops what it started', async () => {
    await moto.reset();
    const now = Date.now();
    const clock = new ScaledClock({ rate: 60, origin: now, anchor: now });
    const local = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
    const lines: string[] = [];
    const runtime = new ProcessTaskRuntime({ directories: () => service });
    const tasks = await startRealTasks(local, { runtime, log: (line) => lines.push(line) });
    try {
      const fixture = await createBlueGreenFixture(local, {
        cluster: 'real',
        service: 'api',
        family: 'api',
        image: 'example/api:1',
        desiredCount: 2,
        container: container({ APP_VERSION: 'one' }),
        deploymentConfiguration: {
          strategy: 'CANARY',
          canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 3 },
          bakeTimeInMinutes: 0,
        },
      });
      const balancer = await startLocalLoadBalancer(local, {
        loadBalancerArn: fixture.loadBalancerArn,
        targets: (group) => tasks.targetsOf(group),
      });
      const generator = startLoadGenerator({
        url: balancer.productionUrl,
        requestsPerSecond: 40,
        paths: ['/health'],
      });
      try {
        await waitFor('two ready tasks in A', () =>
          tasks.targetsOf(fixture.targetGroupA).length === 2 ? true : undefined,
        );
        const first = tasks.records().filter((record) => record.readyAt !== undefined);
        expect(first.every((record) => record.pid !== undefined && isPidAlive(record.pid))).toBe(true);

        const { ecs, elbv2 } = clientsFor(local);
        const failing = await registerFrom(local, 'api', { APP_VERSION: 'two', FAIL_RATE: '0.5' });
        const arn = await deploy(ecs, 'real', 'api', failing);
        // The canary: 20% of production to B, whose tasks answer half of /rank with 500... /health
        // stays 200, so the failures the metrics carry come from /rank below.
        await waitFor('the canary shift', () =>
          balancer
            .weightChanges()
            .some(
              (change) =>
                change.listener === 'production' &&
                change.weights.some(
                  (w) => w.targetGroupArn === fixture.targetGroupB && Math.round(w.percent) === 20,
                ),
            )
            ? true
            : undefined,
        );
        const rank = startLoadGenerator({
          url: balancer.productionUrl,
          requestsPerSecond: 40,
          requests: [
            {
              method: 'POST',
              path: '/rank',
              headers: { 'content-type': 'application/json' },
              body: '{"smiles":"CCO","top_k":1}',
            },
          ],
        });
        // Two simulated minutes of canary traffic, published after the minute's grace.
        await clock.sleep(3 * MINUTE);
        await rank.stop();
        const published = balancer.minutes.filter(
          (minute) => minute.targetGroupArn === fixture.targetGroupB && minute.requests > 0,
        );
        expect(published.length).toBeGreaterThan(0);
        expect(published.reduce((sum, minute) => sum + minute.target5xx, 0)).toBeGreaterThan(0);
        const baseline = balancer.minutes.filter(
          (minute) => minute.targetGroupArn === fixture.targetGroupA && minute.requests > 0,
        );
        expect(baseline.reduce((sum, minute) => sum + minute.target5xx, 0)).toBe(0);
        // About a fifth of the requests in the canary minutes went to B. Summed over all of them: the
        // last minute alone may be the few requests before the generator stopped (CI once saw 37%).
        const periods = new Set(published.map((minute) => minute.periodStart));
        const inCanaryMinutes = (group: string) =>
          balancer.minutes
            .filter((m) => periods.has(m.periodStart) && m.targetGroupArn === group)
            .reduce((sum, m) => sum + m.requests, 0);
        const share =
          inCanaryMinutes(fixture.targetGroupB) /
          (inCanaryMinutes(fixture.targetGroupA) + inCanaryMinutes(fixture.targetGroupB));
        expect(share).toBeGreaterThan(0.08);
        expect(share).toBeLessThan(0.35);

        // The counts are in CloudWatch, under the ALB's dimensions (the last canary minute's).
        const period = published[published.length - 1]?.periodStart ?? 0;
        const atPeriod = (group: string) =>
          balancer.minutes.find((m) => m.periodStart === period && m.targetGroupArn === group)?.requests ?? 0;
        const cloudwatch = new CloudWatchClient({
          region: local.region,
          endpoint: local.endpoint,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        });
        const metrics = await cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(period),
            EndTime: new Date(period + MINUTE),
            MetricDataQueries: [
              {
                Id: 'requests',
                MetricStat: {
                  Metric: {
                    Namespace: 'AWS/ApplicationELB',
                    MetricName: 'RequestCount',
                    Dimensions: [
                      { Name: 'LoadBalancer', Value: fixture.loadBalancerDimension },
                      { Name: 'TargetGroup', Value: fixture.targetGroupB.split(':').pop() ?? '' },
                    ],
                  },
                  Period: 60,
                  Stat: 'Sum',
                },
              },
            ],
          }),
        );
        cloudwatch.destroy();
        expect(metrics.MetricDataResults?.[0]?.Values?.[0]).toBe(atPeriod(fixture.targetGroupB));

        // The deployment completes; A's first tasks are stopped for real.
        await waitFor(
          'the deployment to end',
          async () => ((await describe(ecs, arn)).status === 'SUCCESSFUL' ? true : undefined),
          120_000,
        );
        await waitFor('A stopped', () =>
          tasks.targetsOf(fixture.targetGroupA).length === 0 ? true : undefined,
        );
        await waitFor(
          'first tasks gone',
          () => (first.every((record) => !isPidAlive(record.pid ?? 0)) ? true : undefined),
          20_000,
        );
        expect(tasks.targetsOf(fixture.targetGroupB)).toHaveLength(2);
        expect(generator.answered()['200']).toBeGreaterThan(50);
        void elbv2;

        // RunTask: the migration fails for real, and ECS reports its exit code.
        const migrate = await registerFrom(local, 'migrate', { MIGRATION_FAIL: '0002_index_smiles' });
        const run = await ecs.send(
          new RunTaskCommand({
            cluster: 'real',
            taskDefinition: migrate,
            launchType: 'FARGATE',
            networkConfiguration: { awsvpcConfiguration: { subnets: fixture.subnets } },
            overrides: { containerOverrides: [{ name: 'app', command: ['migrate.js'] }] },
          }),
        );
        const taskArn = run.tasks?.[0]?.taskArn ?? '';
        const stopped = await waitFor('the migration to stop', async () => {
          const answer = await ecs.send(new DescribeTasksCommand({ cluster: 'real', tasks: [taskArn] }));
          const task = answer.tasks?.[0];
          return task?.lastStatus === 'STOPPED' ? task : undefined;
        });
        expect(stopped.containers?.[0]?.exitCode).toBe(3);
        expect(stopped.stopCode).toBe('EssentialContainerExited');
        expect(lines.join('\n')).toContain('migration 0002_index_smiles failed');
        const oneOff = tasks.records().find((record) => record.kind === 'one-off');
        expect(oneOff?.exitCode).toBe(3);
        ecs.destroy();
        elbv2.destroy();
      } finally {
        await generator.stop();
        await balancer.stop();
      }
    } finally {
      await tasks.stop();
      await runtime.close();
      await local.stop();
    }
    expect(tasks.records().filter((record) => record.pid !== undefined && isPidAlive(record.pid))).toEqual(
      [],
    );
  }, 240_000);
});
