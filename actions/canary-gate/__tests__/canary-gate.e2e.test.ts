import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { runDist } from '@ecs-ship/testing/dist-runner';
import { albTraffic, HEALTHY_TRAFFIC, type TrafficOptions } from '../__fixtures__/traffic.js';

// The built dist/index.js in replay, as the runner runs it: no AWS, a simulated clock, the decision
// from exported CloudWatch data.
const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const start = Date.UTC(2026, 10, 23, 12, 0);

function exportFiles(traffic: Partial<TrafficOptions>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'canary-e2e-'));
  const full = albTraffic({ ...HEALTHY_TRAFFIC, start, minutes: 30, seed: 11, ...traffic });
  // Two exports, as a person would page through a long window.
  const [first, second] = [0, 1].map((part) => ({
    ...full,
    MetricDataResults: full.MetricDataResults.map((result) => {
      const keep = result.Timestamps.map((at, index) => [at, result.Values[index]] as const).filter(
        ([at]) => Date.parse(at) - start < 15 * 60_000 === (part === 0),
      );
      return { ...result, Timestamps: keep.map(([at]) => at), Values: keep.map(([, value]) => value ?? 0) };
    }),
  }));
  writeFileSync(path.join(dir, 'metrics-1.json'), JSON.stringify(first));
  writeFileSync(path.join(dir, 'metrics-2.json'), JSON.stringify(second));
  return dir;
}

const preset = {
  'load-balancer':
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188',
  'canary-target-group': 'targetgroup/green/6d0ecf831eec9f09',
  'baseline-target-group': 'targetgroup/blue/1d0ecf831eec9f01',
};

describe('canary-gate dist in replay', () => {
  it('rolls back a latency regression and explains it', async () => {
    const dir = exportFiles({ latencyRatio: 2 });
    const run = await runDist(actionDir, {
      inputs: { ...preset, replay: `${dir}/*.json` },
      env: { RUNNER_TEMP: dir },
    });
    expect(run.outputs.decision).toBe('rollback');
    expect(run.exitCode).toBe(1);
    expect(run.outputs.reason).toMatch(/response time/);
    expect(Number(run.outputs['elapsed-seconds'])).toBeGreaterThan(0);
    expect(Number(run.outputs['elapsed-seconds'])).toBeLessThan(20 * 60);
    expect(run.commands).toContainEqual(expect.stringMatching(/^::error::Canary rolled back: /));
    expect(run.summary).toContain('## Canary gate: ⏪ roll back (replay)');
    expect(run.summary).toContain('```mermaid\nxychart-beta');
    const report = JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8')) as {
      decision: string;
      mode: string;
      gate: { metrics: unknown[] };
      timeline: unknown[];
    };
    expect(report).toMatchObject({ decision: 'rollback', mode: 'replay' });
    expect(report.gate.metrics).toHaveLength(2);
    expect(report.timeline.length).toBeGreaterThan(0);
  });

  it('promotes a healthy canary with absolute tolerance floors', async () => {
    const dir = exportFiles({});
    const run = await runDist(actionDir, {
      inputs: {
        ...preset,
        replay: `${dir}/*.json`,
        'error-tolerance': '20% or 0.5pp',
        'latency-tolerance': '20% or 50ms',
      },
    });
    expect(run.outputs.decision).toBe('promote');
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('## Canary gate: ✅ promote (replay)');
  });

  it('rolls back a doubled p99 within minutes, having learnt the noise from the lookback in the export', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-e2e-p99-'));
    const traffic = albTraffic({
      ...HEALTHY_TRAFFIC,
      start,
      minutes: 30,
      seed: 12,
      latencyStatistic: 'p99',
      latencyRatio: 2,
      lookbackMinutes: 60,
    });
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify(traffic));
    const run = await runDist(actionDir, {
      inputs: {
        ...preset,
        replay: `${dir}/*.json`,
        'latency-statistic': 'p99',
        'start-time': new Date(start).toISOString(),
      },
      env: { RUNNER_TEMP: dir },
    });
    expect(run.outputs.decision).toBe('rollback');
    expect(run.outputs.reason).toMatch(/^response time \(p99\) on the canary is/);
    // Periods of one minute, read a minute after they end: three periods or fewer.
    expect(Number(run.outputs['elapsed-seconds'])).toBeLessThanOrEqual(4 * 60);
    expect(run.stdout).toContain(
      "Learnt the baseline's per-period noise from 60 period(s) before the canary",
    );
    expect(run.summary).toContain('learnt from 60 period(s) before the canary (lookback)');
  });

  it('promotes a quiet healthy canary at max duration when worse than the critical tolerance is ruled out', async () => {
    // Issue #12's user: 2,000 requests a minute, 0.5% errors on both arms, 10% on the canary. About
    // 30 canary errors in 30 minutes cannot prove "within 50% or 0.25pp" (×1.5), but they do rule out
    // the critical "100% or 1pp" (×3 here).
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-e2e-bounded-'));
    const traffic = albTraffic({
      ...HEALTHY_TRAFFIC,
      start,
      minutes: 32,
      seed: 13,
      canaryRequestsPerMinute: 200,
      baselineRequestsPerMinute: 1800,
      baselineErrorRate: 0.005,
    });
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify(traffic));
    const run = await runDist(actionDir, {
      inputs: { ...preset, replay: `${dir}/*.json` },
      env: { RUNNER_TEMP: dir },
    });
    expect(run.outputs.reason).toMatch(/^No regression seen after 30 minutes/);
    expect(run.outputs.decision).toBe('promote');
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain(
      'Verdict: no regression seen; ruled out 5xx rate worse than +100% or 1 percentage points',
    );
    // The same traffic with on-timeout fail: inconclusive, a failed step.
    const failed = await runDist(actionDir, {
      inputs: { ...preset, replay: `${dir}/*.json`, 'on-timeout': 'fail' },
      env: { RUNNER_TEMP: dir },
    });
    expect(failed.outputs.decision).toBe('inconclusive');
    expect(failed.exitCode).toBe(1);
  });

  it('rejects replay files without the Ids it would query, naming them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'canary-e2e-'));
    writeFileSync(
      path.join(dir, 'm.json'),
      JSON.stringify({ MetricDataResults: [{ Id: 'm1', Timestamps: [], Values: [] }] }),
    );
    const run = await runDist(actionDir, { inputs: { ...preset, replay: path.join(dir, 'm.json') } });
    expect(run.exitCode).toBe(1);
    expect(run.commands).toContainEqual(
      expect.stringContaining(
        '::error::Input "replay": the files have no results for the query Id(s) alb_requests_canary, alb_requests_baseline',
      ),
    );
  });
});
