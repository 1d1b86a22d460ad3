import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe as suite, expect, it } from '@jest/globals';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ScaledClock, SimulatedClock } from '@ecs-ship/shared/clock';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startLocalAws } from '../src/local-aws.js';
import { createBlueGreenFixture, registerRevision } from '../src/blue-green-fixture.js';
import { startSyntheticAlbTraffic } from '../src/synthetic-alb-traffic.js';
import { clientsFor, deploy, describe, waitingHook } from './helpers.js';

const MINUTE = 60_000;
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
}, 30_000);
afterAll(async () => {
  await moto?.stop();
});

function query(
  id: string,
  metric: string,
  stat: string,
  loadBalancer: string,
  targetGroupArn: string,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: metric,
        Dimensions: [
          { Name: 'LoadBalancer', Value: loadBalancer },
          { Name: 'TargetGroup', Value: targetGroupArn.split(':').pop() ?? '' },
        ],
      },
      Period: 60,
      Stat: stat,
    },
  };
}

suite('synthetic ALB traffic', () => {
  it('publishes per-target-group metrics split by the production rule, read back through GetMetricData', async () => {
    await moto.reset();
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
    const local = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
    try {
      const app = await createBlueGreenFixture(local, {
        deploymentConfiguration: {
          strategy: 'CANARY',
          canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 10 },
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }],
        },
      });
      const v2 = await registerRevision(local, app.family, 'example/app:2');
      const traffic = await startSyntheticAlbTraffic(local, {
        loadBalancer: app.loadBalancerDimension,
        requestsPerMinute: 1000,
        seed: 7,
        behaviour: (taskDefinitionArn) =>
          taskDefinitionArn === v2
            ? { errorRate: 0.1, latencySeconds: 0.5, connectionErrorRate: 0.05, unhealthy: 1 }
            : { errorRate: 0.01, latencySeconds: 0.1 },
      });
      const { ecs } = clientsFor(local);
      const arn = await deploy(ecs, app.clusterName, app.serviceName, v2);
      // Scale-up (1 min), test shift, 20% for the 10-minute canary bake.
      const canaryFrom = Math.ceil((clock.now() + 2 * MINUTE) / MINUTE) * MINUTE;
      await local.advanceTo(canaryFrom + 8 * MINUTE);
      expect((await describe(ecs, arn)).targetServiceRevision?.requestedProductionTrafficWeight).toBe(20);
      traffic.stop();

      const canaryMinutes = traffic.published.filter(
        (m) => m.targetGroup === app.targetGroupB && m.periodStart >= canaryFrom,
      );
      expect(canaryMinutes.length).toBeGreaterThanOrEqual(7);
      for (const minute of canaryMinutes) expect(minute.sharePercent).toBeCloseTo(20, 5);

      const cloudwatch = new CloudWatchClient({
        region: 'us-east-1',
        endpoint: local.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      const lb = app.loadBalancerDimension;
      const answer = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(canaryFrom),
          EndTime: new Date(canaryFrom + 7 * MINUTE),
          MetricDataQueries: [
            query('reqB', 'RequestCount', 'Sum', lb, app.targetGroupB),
            query('reqA', 'RequestCount', 'Sum', lb, app.targetGroupA),
            query('errB', 'HTTPCode_Target_5XX_Count', 'Sum', lb, app.targetGroupB),
            query('connB', 'TargetConnectionErrorCount', 'Sum', lb, app.targetGroupB),
            query('latB', 'TargetResponseTime', 'Average', lb, app.targetGroupB),
            query('latA', 'TargetResponseTime', 'Average', lb, app.targetGroupA),
            query('unhB', 'UnHealthyHostCount', 'Maximum', lb, app.targetGroupB),
          ],
        }),
      );
      const sum = (id: string) =>
        (answer.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);
      const values = (id: string) => answer.MetricDataResults?.find((r) => r.Id === id)?.Values ?? [];
      const share = sum('reqB') / (sum('reqA') + sum('reqB'));
      expect(share).toBeGreaterThan(0.17);
      expect(share).toBeLessThan(0.23);
      expect(sum('errB') / sum('reqB')).toBeGreaterThan(0.06);
      expect(sum('connB')).toBeGreaterThan(0);
      for (const latency of values('latB')) expect(latency).toBeCloseTo(0.5, 1);
      for (const latency of values('latA')) expect(latency).toBeCloseTo(0.1, 1);
      expect(values('unhB').every((v) => v === 1)).toBe(true);
      // The published counts are what CloudWatch returns.
      const publishedB = canaryMinutes
        .filter((m) => m.periodStart < canaryFrom + 7 * MINUTE)
        .reduce((total, m) => total + m.requests, 0);
      expect(sum('reqB')).toBe(publishedB);
      cloudwatch.destroy();
      ecs.destroy();
    } finally {
      await local.stop();
    }
  }, 30_000);
});

suite('shared simulated time', () => {
  it('a child process given ECS_SHIP_CLOCK reads the same time as the emulator, and sees a pause expire on it', async () => {
    await moto.reset();
    const anchor = Date.now();
    const clock = new ScaledClock({ rate: 600, origin: Date.UTC(2026, 0, 1), anchor });
    const local = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
    try {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { clockFromEnvironment } from './packages/shared/src/clock.ts'; console.log(clockFromEnvironment().now());`,
        ],
        {
          env: { ...process.env, ...local.env(), NODE_OPTIONS: '--import tsx' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const before = clock.now();
      await new Promise((resolve) => child.once('close', resolve));
      const after = clock.now();
      const seen = Number(out.trim());
      expect(seen).toBeGreaterThanOrEqual(before);
      expect(seen).toBeLessThanOrEqual(after);

      // A 1-minute pause expires after ~0.1 real s at 600x, without any request (the timer advances).
      const app = await createBlueGreenFixture(local, {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 0,
          lifecycleHooks: [
            {
              targetType: 'PAUSE',
              lifecycleStages: ['POST_SCALE_UP'],
              timeoutConfiguration: { timeoutInMinutes: 1, action: 'CONTINUE' },
            },
          ],
        },
      });
      const v2 = await registerRevision(local, app.family, 'example/app:2');
      const { ecs } = clientsFor(local);
      const arn = await deploy(ecs, app.clusterName, app.serviceName, v2);
      await clock.sleep(70_000 + local.timing.scaleUpMs);
      // Move the model to now rather than wait for the background tick: on a loaded machine the
      // tick may not have run since the sleep ended (seen once in CI).
      await local.advance();
      const deployment = local.model.state.deployments.get(arn);
      expect(deployment?.hooks.map((hook) => hook.status)).toEqual(['TIMED_OUT']);
      expect(waitingHook(await describe(ecs, arn))).toBeUndefined();
      ecs.destroy();
    } finally {
      await local.stop();
    }
  }, 30_000);
});
