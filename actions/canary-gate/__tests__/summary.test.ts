import { describe, expect, it } from '@jest/globals';
import { renderSummary } from '@ecs-ship/shared/summary';
import type { GateState, MetricSpec } from '../src/engine/types.js';
import type { GateOutcome } from '../src/gate-loop.js';
import { buildSummary, chartFor } from '../src/summary.js';

const specs: MetricSpec[] = [
  {
    name: 'alb_5xx',
    label: '5xx rate',
    kind: 'rate',
    direction: 'increase',
    tolerance: { relative: 0.2 },
    critical: true,
  },
  {
    name: 'alb_latency',
    label: 'response time',
    kind: 'level',
    direction: 'increase',
    tolerance: { relative: 0.2 },
    critical: false,
    unit: 'seconds',
  },
];
const state: GateState = {
  decision: 'rollback',
  reason: '5xx rate on the canary is 1.9% against 0.5% on the baseline.',
  rule: 'critical-regression',
  leaning: 'rollback',
  periods: 2,
  canaryRequests: 2000,
  warnings: ['response time is 30% higher on the canary (non-critical).'],
  metrics: [
    {
      name: 'alb_5xx',
      kind: 'rate',
      critical: true,
      baselineValue: 0.005,
      canaryValue: 0.019,
      effect: 2.8,
      interval: [1.6, 4.4],
      samples: { periods: 2, canaryRequests: 2000, baselineRequests: 8000 },
      status: 'regression',
      rule: 'above-tolerance',
    },
    {
      name: 'alb_latency',
      kind: 'level',
      critical: false,
      baselineValue: 0.2,
      canaryValue: 0.26,
      effect: 0.3,
      interval: [0.1, Infinity],
      samples: { periods: 2, canaryRequests: 2000, baselineRequests: 8000 },
      status: 'undecided',
      rule: 'undecided',
    },
  ],
};
const start = Date.UTC(2026, 10, 23, 3, 0);
const outcome: GateOutcome = {
  decision: 'rollback',
  reason: state.reason,
  rule: 'critical-regression',
  promoted: false,
  pauseMayFollow: true,
  state,
  report: {
    config: {
      metrics: specs,
      falseRollbackRate: 0.01,
      maxDurationPeriods: 30,
      minRequests: 500,
      onTimeout: 'fail',
    },
    state,
    metrics: [],
  },
  elapsedMs: 240_000,
  timeline: [0, 1].map((minute) => ({
    periodStart: start + minute * 60_000,
    canaryRequests: 1000,
    baselineRequests: 4000,
    values: { alb_5xx: { canary: 19, baseline: 20 }, alb_latency: { canary: 0.26, baseline: 0.2 } },
    decision: minute === 1 ? 'rollback' : 'continue',
    leaning: 'leaning rollback',
  })),
  actions: ['ContinueServiceDeployment ROLLBACK (hook h1)'],
  triggeredAlarms: [],
  deploymentStatus: 'ROLLBACK_IN_PROGRESS',
};

describe('canary-gate summary', () => {
  it('leads with the decision and its reason, then the numbers behind it', () => {
    const markdown = renderSummary(buildSummary({ outcome, specs, mode: 'live', deploymentArn: 'arn:dep' }));
    expect(markdown).toContain(
      '## Canary gate: ⏪ roll back\n\n**5xx rate on the canary is 1.9% against 0.5% on the baseline.**',
    );
    expect(markdown).toContain(
      'Decided after 4m and 2 period(s); canary served 2,000 requests. Rule: `critical-regression`. Deployment `arn:dep` is ROLLBACK_IN_PROGRESS.',
    );
    expect(markdown).toContain(
      '| 5xx rate | 0.5% | 1.9% | ×3.8 | ×2.6–×5.4 | 2,000 / 8,000 req | regression | above-tolerance |',
    );
    expect(markdown).toContain(
      '| response time (non-critical) | 200 ms | 260 ms | +30% | +10% to +∞% | 2 periods | undecided | undecided |',
    );
    expect(markdown).toContain('⚠️ response time is 30% higher on the canary (non-critical).');
    expect(markdown).toContain('Actions on the deployment: ContinueServiceDeployment ROLLBACK (hook h1).');
  });

  it('charts canary against baseline per period in the unit a person reads', () => {
    const chart = chartFor(specs[0] as MetricSpec, outcome.timeline);
    expect(chart).toEqual({
      type: 'mermaid',
      source: [
        'xychart-beta',
        '  title "5xx rate (%): baseline (first line) vs canary (second)"',
        '  x-axis ["03:00", "03:01"]',
        '  y-axis "%"',
        '  line [0.5, 0.5]',
        '  line [1.9, 1.9]',
      ].join('\n'),
    });
    expect(chartFor(specs[1] as MetricSpec, outcome.timeline.slice(0, 1))).toBeUndefined();
  });

  it('leaves latency gaps out of the chart and buckets long runs', () => {
    const gap = {
      ...outcome.timeline[0]!,
      periodStart: start + 120_000,
      values: { alb_latency: { baseline: 0.2 } },
    };
    const chart = chartFor(specs[1] as MetricSpec, [...outcome.timeline, gap]);
    expect(chart?.type === 'mermaid' && chart.source).toContain('  line [200, 200]\n  line [260, 260]');
    const long = Array.from({ length: 120 }, (_, minute) => ({
      ...outcome.timeline[0]!,
      periodStart: start + minute * 60_000,
    }));
    const bucketed = chartFor(specs[0] as MetricSpec, long);
    expect(bucketed?.type === 'mermaid' && bucketed.source.split('\n')[2]?.split(',').length).toBe(60);
  });
});
