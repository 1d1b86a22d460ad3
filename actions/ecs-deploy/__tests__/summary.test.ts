import { describe, expect, it } from '@jest/globals';
import { renderSummary } from '@ecs-ship/shared/summary';
import { newReport } from '../src/report.js';
import { buildSummary, consoleUrl } from '../src/summary.js';

const start = Date.UTC(2026, 0, 1);

describe('job summary', () => {
  it('shows what changed (never values), the strategy, the timeline, the status and the console link', () => {
    const report = newReport({
      mode: 'service',
      region: 'eu-west-1',
      cluster: 'prod',
      service: 'web',
      strategy: 'canary',
      gate: 'pause',
      startedAt: start,
    });
    Object.assign(report, {
      status: 'paused',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/web:42',
      previousTaskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/web:41',
      registered: true,
      hookId: 'hook-2',
      images: [{ container: 'app', from: 'web:1.0.0', to: 'web:2.0.0' }],
      environment: [{ container: 'app', names: ['API_TOKEN'] }],
      timeline: [
        { stage: 'SCALE_UP', startedAt: start + 5_000, endedAt: start + 65_000 },
        { stage: 'PRODUCTION_TRAFFIC_SHIFT', startedAt: start + 65_000 },
      ],
      endedAt: start + 200_000,
    });
    const markdown = renderSummary(buildSummary(report, start + 300_000));
    expect(markdown).toContain('## ECS deploy: ⏸️ paused — web');
    expect(markdown).toContain('| Strategy | canary, gated (PAUSE hook before production traffic shifts) |');
    expect(markdown).toContain('| app | image | `web:1.0.0` → `web:2.0.0` |');
    expect(markdown).toContain('| app | environment | `API_TOKEN` (values not shown) |');
    expect(markdown).toContain('| SCALE_UP | +5s | 1m |');
    expect(markdown).toContain('| PRODUCTION_TRAFFIC_SHIFT | +1m5s | ongoing |');
    expect(markdown).toContain('| Duration | 3m20s |');
    expect(markdown).toContain(
      '(https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=eu-west-1)',
    );
  });

  it('lists the reasons of a failure, escaped', () => {
    const report = newReport({
      mode: 'run-task',
      region: 'us-east-1',
      cluster: 'jobs',
      strategy: 'rolling',
      gate: 'none',
      startedAt: start,
    });
    report.status = 'failed';
    report.reasons.push('Task 1 stopped: <oom> killed');
    report.task = { arn: 'arn:aws:ecs:us-east-1:1:task/jobs/1', exitCode: 137 };
    const markdown = renderSummary(buildSummary(report, start));
    expect(markdown).toContain('## ECS deploy: ❌ failed — run-task');
    expect(markdown).toContain('- Task 1 stopped: &lt;oom&gt; killed');
    expect(markdown).toContain('| Exit code | 137 |');
    expect(consoleUrl(report)).toBe(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/jobs/tasks?region=us-east-1',
    );
  });
});
