import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runDist } from '@ecs-ship/testing/dist-runner';
import { motoClientConfig, motoEnv, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { albTraffic, HEALTHY_TRAFFIC } from '../__fixtures__/traffic.js';

// The built dist in live mode (action: decide-only) against the AWS emulator: CloudWatch metrics
// put for the last twenty minutes, read back through GetMetricData, and a real alarm whose state
// the gate watches. moto has no ECS deployment lifecycle, so acting is covered by the scripted
// tests in gate-loop.test.ts.
const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targets = {
  'load-balancer': 'app/api/50dc6c495c0c9188',
  'canary-target-group': 'targetgroup/green/6d0ecf831eec9f09',
  'baseline-target-group': 'targetgroup/blue/1d0ecf831eec9f01',
};
const METRIC_OF: Record<string, [string, string]> = {
  alb_requests_canary: ['RequestCount', targets['canary-target-group']],
  alb_requests_baseline: ['RequestCount', targets['baseline-target-group']],
  alb_5xx_canary: ['HTTPCode_Target_5XX_Count', targets['canary-target-group']],
  alb_5xx_baseline: ['HTTPCode_Target_5XX_Count', targets['baseline-target-group']],
  alb_latency_canary: ['TargetResponseTime', targets['canary-target-group']],
  alb_latency_baseline: ['TargetResponseTime', targets['baseline-target-group']],
};

let moto: MotoServer;
let cloudwatch: CloudWatchClient;
let start: number;
beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient(motoClientConfig(moto.endpoint));
}, 30_000);
afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  start = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
});

/** Publishes seeded ALB traffic as the load balancer would have, minute by minute. */
async function publish(errorRatio: number): Promise<void> {
  const exported = albTraffic({
    ...HEALTHY_TRAFFIC,
    start,
    minutes: 18,
    canaryRequestsPerMinute: 2500,
    baselineRequestsPerMinute: 7500,
    baselineErrorRate: 0.005,
    errorRatio,
  });
  const data: MetricDatum[] = exported.MetricDataResults.flatMap((result) => {
    const [name, targetGroup] = METRIC_OF[result.Id] ?? ['', ''];
    return result.Timestamps.map((at, index) => ({
      MetricName: name,
      Dimensions: [
        { Name: 'LoadBalancer', Value: targets['load-balancer'] },
        { Name: 'TargetGroup', Value: targetGroup },
      ],
      Timestamp: new Date(at),
      Value: result.Values[index] ?? 0,
    }));
  });
  for (let offset = 0; offset < data.length; offset += 20) {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: data.slice(offset, offset + 20),
      }),
    );
  }
}

async function alarm(state: 'OK' | 'ALARM'): Promise<void> {
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'api-p99',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 1.5,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: 'api-p99',
      StateValue: state,
      StateReason: `set to ${state} by the test`,
    }),
  );
}

const run = (inputs: Record<string, string>) =>
  runDist(actionDir, {
    inputs: {
      ...targets,
      action: 'decide-only',
      'start-time': new Date(start).toISOString(),
      alarms: 'api-p99',
      ...inputs,
    },
    env: motoEnv(moto.endpoint),
    timeoutMs: 60_000,
  });

describe('canary-gate dist against the emulator', () => {
  it('reads the published minutes and rolls back a tripled error rate, without acting', async () => {
    await publish(3);
    await alarm('OK');
    const result = await run({});
    expect(result.outputs.decision).toBe('rollback');
    expect(result.outputs.reason).toMatch(/^5xx rate on the canary is/);
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain('## Canary gate: ⏪ roll back');
    expect(result.stdout).toMatch(/\(decide only\)/);
  });

  it('promotes a healthy canary from the same kind of data', async () => {
    await publish(1);
    await alarm('OK');
    const result = await run({});
    expect(result.outputs.decision).toBe('promote');
    expect(result.exitCode).toBe(0);
  });

  it('rolls back at once when a watched alarm is in ALARM', async () => {
    await publish(1);
    await alarm('ALARM');
    const result = await run({});
    expect(result.outputs.decision).toBe('rollback');
    expect(result.outputs.reason).toBe(
      'Alarm "api-p99" went into ALARM (set to ALARM by the test), so the canary is rolled back without waiting for the statistics.',
    );
  });

  it('refuses an alarm that does not exist before reading any metric', async () => {
    const result = await run({ alarms: 'no-such-alarm' });
    expect(result.exitCode).toBe(1);
    expect(result.commands).toContain('::error::Input "alarms": no CloudWatch alarm named "no-such-alarm".');
    expect(result.outputs).toEqual({});
  });
});
