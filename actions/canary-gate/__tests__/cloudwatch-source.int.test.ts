import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { motoClientConfig, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { albPresetMetrics, albRequestQueries } from '../src/alb-preset.js';
import { CloudWatchSource } from '../src/cloudwatch-source.js';
import { allQueries } from '../src/metric-definitions.js';
import { parseMetrics } from '../src/parse-metrics.js';
import { observePeriod } from '../src/periods.js';

// The emulator stores and aggregates metric data (Sum, SampleCount, Average); it has no percentiles
// or metric math, so the gate computes rates from counts itself.
let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

const targets = {
  loadBalancer: 'app/api/50dc6c495c0c9188',
  canaryTargetGroup: 'targetgroup/green/6d0ecf831eec9f09',
  baselineTargetGroup: 'targetgroup/blue/1d0ecf831eec9f01',
};

describe('CloudWatchSource against the emulator', () => {
  it('reads the load balancer preset per period: sums, averages, and gaps left as gaps', async () => {
    const client = new CloudWatchClient(motoClientConfig(moto.endpoint));
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const at = (minute: number, second = 0) => new Date(base + minute * 60_000 + second * 1000);
    const dims = (tg: string) => [
      { Name: 'LoadBalancer', Value: targets.loadBalancer },
      { Name: 'TargetGroup', Value: tg },
    ];
    const put = (tg: string, name: string, minute: number, values: number[]) =>
      client.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/ApplicationELB',
          MetricData: values.map((value, index) => ({
            MetricName: name,
            Dimensions: dims(tg),
            Timestamp: at(minute, index * 10),
            Value: value,
          })),
        }),
      );
    await put(targets.canaryTargetGroup, 'RequestCount', 0, [40, 60]);
    await put(targets.baselineTargetGroup, 'RequestCount', 0, [400, 500]);
    await put(targets.canaryTargetGroup, 'HTTPCode_Target_5XX_Count', 0, [1, 2]);
    await put(targets.canaryTargetGroup, 'TargetResponseTime', 0, [0.1, 0.3]);
    await put(targets.baselineTargetGroup, 'TargetResponseTime', 0, [0.2, 0.2]);
    await put(targets.canaryTargetGroup, 'RequestCount', 1, [10]);

    const plan = {
      requests: albRequestQueries(targets, 60),
      metrics: albPresetMetrics(targets, {
        periodSeconds: 60,
        errorTolerance: { relative: 0.2 },
        latencyTolerance: { relative: 0.2 },
        latencyStatistic: 'Average',
      }),
    };
    const source = new CloudWatchSource(client, new MemoryLogger());
    const series = await source.read(allQueries(plan), { start: base, end: base + 3 * 60_000 });
    expect(source.calls).toBe(1);

    expect(observePeriod(plan, series, base)).toEqual({
      periodStart: base,
      canaryRequests: 100,
      baselineRequests: 900,
      values: { alb_5xx: { canary: 3, baseline: 0 }, alb_latency: { canary: 0.2, baseline: 0.2 } },
    });
    // Request counts from the number of latency samples (SampleCount), as a custom "requests" metric.
    const custom = parseMetrics(
      [
        {
          name: 'samples',
          kind: 'requests',
          canary: {
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'TargetResponseTime',
                Dimensions: dims(targets.canaryTargetGroup),
              },
              Stat: 'SampleCount',
            },
          },
          baseline: {
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'TargetResponseTime',
                Dimensions: dims(targets.baselineTargetGroup),
              },
              Stat: 'SampleCount',
            },
          },
        },
      ],
      60,
    );
    const counted = await source.read(
      custom.requests ? [custom.requests.canary, custom.requests.baseline] : [],
      {
        start: base,
        end: base + 60_000,
      },
    );
    expect(counted.get('samples_canary')?.get(base)).toBe(2);
    expect(counted.get('samples_baseline')?.get(base)).toBe(2);

    expect(observePeriod(plan, series, base + 60_000)).toEqual({
      periodStart: base + 60_000,
      canaryRequests: 10,
      baselineRequests: 0,
      values: { alb_5xx: { canary: 0, baseline: 0 }, alb_latency: {} },
    });
  });
});
