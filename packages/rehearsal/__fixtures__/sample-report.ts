// A small rehearsal report with everything the page has to handle: a mermaid diagram, a GFM table,
// raw HTML that must stay text, a folded <details>, two revisions sharing prod's traffic, and an
// environment that never saw any.
import type { RehearsalReport } from '../src/report/report-data.js';

const start = Date.UTC(2025, 0, 6, 9, 0, 0);
const minute = 60_000;

export const sampleReport: RehearsalReport = {
  title: 'ecs-ship rehearsal',
  run: '20250106-090000',
  mode: 'process',
  startedAt: start,
  endedAt: start + 30 * minute,
  rate: 60,
  outcome: { status: 'success', sentence: 'The change reached prod after a healthy canary.' },
  steps: [
    {
      index: 1,
      workflow: 'deploy',
      job: 'plan',
      step: 'github-delivery',
      conclusion: 'success',
      startedAt: start,
      endedAt: start + 2 * minute,
      summary: [
        '## Delivery plan',
        '',
        '```mermaid',
        'flowchart LR',
        '  dev["dev & <b>test</b>"] --> staging --> prod',
        '```',
        '',
        '| Environment | Strategy |',
        '| --- | --- |',
        '| dev | all at once |',
        '| prod | canary 10% |',
        '',
        '<script>alert(1)</script>',
        '',
        '<details><summary>x</summary>y</details>',
        '',
      ].join('\n'),
      summaryFile: 'steps/01-plan.md',
    },
    {
      index: 2,
      workflow: 'deploy',
      job: 'prod',
      step: 'canary-gate',
      conclusion: 'success',
      startedAt: start + 10 * minute,
      endedAt: start + 25 * minute,
      summary:
        '## Canary gate: promote\n\nTarget 5xx **0.0%** against 1% allowed; <img src=x onerror=alert(2)> inline.\n',
      summaryFile: 'steps/02-canary-gate.md',
    },
  ],
  series: [
    {
      environment: 'prod',
      service: 'api',
      targetGroup:
        'arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/api-prod-blue/0123456789abcdef',
      revision: 'api-prod:1',
      points: [
        { at: start, percent: 100 },
        { at: start + 12 * minute, percent: 90 },
        { at: start + 24 * minute, percent: 0 },
      ],
    },
    {
      environment: 'prod',
      service: 'api',
      targetGroup:
        'arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/api-prod-green/fedcba9876543210',
      revision: 'api-prod:2',
      points: [
        { at: start + 12 * minute, percent: 10 },
        { at: start + 24 * minute, percent: 100 },
      ],
    },
  ],
  markers: [
    { at: start + 11 * minute, environment: 'prod', label: 'approved by rehearsal', kind: 'approval' },
    { at: start + 23 * minute, environment: 'prod', label: 'gate: promote', kind: 'decision' },
    { at: start + 5 * minute, environment: 'dev', label: 'rollback <dev>', kind: 'rollback' },
  ],
  calls: [
    { at: start + minute, service: 'ecs', operation: 'DescribeServices', status: 200, environment: 'prod' },
    { at: start + minute, service: 'ecs', operation: 'DescribeServices', status: 200, environment: 'prod' },
    {
      at: start + 2 * minute,
      service: 'ecs',
      operation: 'UpdateService',
      status: 400,
      error: 'InvalidParameterException',
    },
  ],
  traffic: [
    {
      environment: 'prod',
      periodStart: start + 12 * minute,
      targetGroup: 'api-prod-blue',
      requests: 540,
      target5xx: 0,
      latencyAvgMs: 12.345,
    },
    {
      environment: 'prod',
      periodStart: start + 12 * minute,
      targetGroup: 'api-prod-green',
      requests: 60,
      target5xx: 1,
      latencyAvgMs: 14,
    },
  ],
};
