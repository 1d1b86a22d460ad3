import { describe, expect, it } from '@jest/globals';
import { renderSummary } from '@ecs-ship/shared/summary';
import type { JsonReport } from '../src/report.js';
import { buildSummary } from '../src/summary.js';

const report = (overrides: Partial<JsonReport> = {}): JsonReport => ({
  passed: false,
  failedCount: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 95_000,
  checks: [
    {
      name: 'health',
      method: 'GET',
      url: 'http://svc/health',
      passed: true,
      attempts: 3,
      expected: { status: '200', bodyContains: [], json: {}, headers: {} },
      last: { status: 200, latencyMs: 12, mismatches: [] },
      requestHeaderNames: [],
    },
    {
      name: 'rank',
      method: 'POST',
      url: 'http://svc/rank',
      passed: false,
      attempts: 7,
      expected: { status: '2xx', bodyContains: [], json: {}, headers: {} },
      last: {
        status: 401,
        latencyMs: 8,
        finalUrl: 'http://other/rank',
        mismatches: [{ what: 'status', expected: '2xx', actual: '401 | <b>' }],
      },
      requestHeaderNames: ['X-API-Key'],
    },
    {
      name: 'never',
      method: 'GET',
      url: 'http://svc/never',
      passed: false,
      attempts: 0,
      expected: { status: '2xx', bodyContains: [], json: {}, headers: {} },
      requestHeaderNames: [],
    },
  ],
  ...overrides,
});

describe('buildSummary', () => {
  it('lists every check and, for each failure, what was expected and what came back', () => {
    const markdown = renderSummary(
      buildSummary({
        report: report({ failedCount: 2 }),
        lastBodies: { rank: 'denied `x`' },
        deadlineMs: 120_000,
      }),
    );
    expect(markdown).toContain('## Smoke test: ❌ 2 of 3 checks failed');
    expect(markdown).toContain('Finished in 1m35s (deadline 2m), started 2026-01-01T00:00:00.000Z.');
    expect(markdown).toContain('| health | ✅ passed | 3 | 200 | 12 ms | `GET http://svc/health` |');
    expect(markdown).toContain(
      '| rank | ❌ failed | 7 | 401 | 8 ms | `POST http://svc/rank → http://other/rank` |',
    );
    expect(markdown).toContain('| never | ❌ failed | 0 | — | — | `GET http://svc/never` |');
    expect(markdown).toContain('| status | 2xx | 401 \\| &lt;b&gt; |');
    expect(markdown).toContain('Last body: `` denied `x` ``');
    expect(markdown).toContain('| attempt | a response | no attempt was made |');
  });

  it('has a one-line verdict when everything passed', () => {
    const passed = report({ passed: true, failedCount: 0, checks: report().checks.slice(0, 1) });
    const blocks = buildSummary({ report: passed, lastBodies: {}, deadlineMs: 60_000 });
    expect(renderSummary(blocks)).toContain('## Smoke test: ✅ 1 of 1 checks passed');
    expect(blocks.some((block) => block.type === 'details')).toBe(false);
  });
});
