import { describe, expect, it } from '@jest/globals';
import { alignToPeriod, isPeriodComplete, observePeriod } from '../src/periods.js';
import type { MetricPlan } from '../src/metric-definitions.js';

const plan: MetricPlan = {
  requests: { canary: { Id: 'rc' }, baseline: { Id: 'rb' } },
  metrics: [
    {
      spec: {
        name: 'errors',
        kind: 'rate',
        direction: 'increase',
        tolerance: { relative: 0.2 },
        critical: true,
      },
      canary: { Id: 'ec' },
      baseline: { Id: 'eb' },
    },
    {
      spec: {
        name: 'latency',
        kind: 'level',
        direction: 'increase',
        tolerance: { relative: 0.2 },
        critical: true,
      },
      canary: { Id: 'lc' },
      baseline: { Id: 'lb' },
    },
  ],
};

describe('observePeriod', () => {
  it('reads missing counts as zero and missing levels as gaps', () => {
    const series = new Map([
      ['rc', new Map([[0, 50]])],
      ['rb', new Map([[0, 500]])],
      ['ec', new Map<number, number>()],
      ['eb', new Map([[0, 3]])],
      ['lc', new Map<number, number>()],
      ['lb', new Map([[0, 0.2]])],
    ]);
    expect(observePeriod(plan, series, 0)).toEqual({
      periodStart: 0,
      canaryRequests: 50,
      baselineRequests: 500,
      values: { errors: { canary: 0, baseline: 3 }, latency: { baseline: 0.2 } },
    });
  });
});

describe('period completeness', () => {
  it('never reads the still-filling period nor one CloudWatch has not had time to publish', () => {
    const start = alignToPeriod(Date.UTC(2026, 10, 23, 12, 0, 42), 60_000);
    expect(start).toBe(Date.UTC(2026, 10, 23, 12, 0, 0));
    expect(isPeriodComplete(start, 60_000, 60_000, start + 90_000)).toBe(false);
    expect(isPeriodComplete(start, 60_000, 60_000, start + 120_000)).toBe(true);
    expect(isPeriodComplete(start, 60_000, 0, start + 59_999)).toBe(false);
  });
});
