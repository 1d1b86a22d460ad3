import { describe, expect, it } from '@jest/globals';
import {
  shortComparison,
  formatChange,
  formatCount,
  formatDuration,
  formatValue,
  leaningText,
  rollbackReason,
  type ExplainContext,
} from '../../src/engine/explain.js';
import type { MetricSpec, MetricState } from '../../src/engine/types.js';

const rate: MetricSpec = {
  name: '5xx',
  label: '5xx rate',
  kind: 'rate',
  direction: 'increase',
  tolerance: { relative: 0.2 },
  critical: true,
};
const latency: MetricSpec = {
  name: 'latency',
  kind: 'level',
  direction: 'increase',
  tolerance: { relative: 0.2, absolute: 0.05 },
  critical: true,
  unit: 'seconds',
};

function state(overrides: Partial<MetricState>): MetricState {
  return {
    name: '5xx',
    kind: 'rate',
    critical: true,
    baselineValue: 0.005,
    canaryValue: 0.019,
    effect: 2.8,
    interval: [1.6, 4.4],
    samples: { periods: 7, canaryRequests: 4210, baselineRequests: 16000 },
    status: 'regression',
    rule: 'above-tolerance',
    ...overrides,
  };
}

const ctx: ExplainContext = {
  periods: 7,
  periodSeconds: 60,
  canaryRequests: 4210,
  minRequests: 500,
  minDurationPeriods: 3,
  maxDurationPeriods: 30,
  onTimeout: 'fail',
};

describe('explain', () => {
  it('writes the rollback sentence a paged engineer reads', () => {
    expect(rollbackReason(rate, state({}), 0, ctx)).toBe(
      '5xx rate on the canary is 1.9% against 0.5% on the baseline (×3.8, interval ×2.6–×5.4), beyond the 20% tolerance, after 7 minutes and 4,210 canary requests.',
    );
  });

  it('names both tolerances and other regressions', () => {
    const text = rollbackReason(
      latency,
      state({
        name: 'latency',
        kind: 'level',
        baselineValue: 0.205,
        canaryValue: 0.312,
        effect: 0.52,
        interval: [0.38, 0.67],
      }),
      1,
      { ...ctx, periods: 1 },
    );
    expect(text).toBe(
      'latency on the canary is 312 ms against 205 ms on the baseline (+52%, interval +38% to +67%), beyond the tolerance (20% or 50 ms, whichever is larger), after 1 minute and 4,210 canary requests (1 more critical metric also regressed).',
    );
  });

  it.each<[number, string]>([
    [0, '0'],
    [999, '999'],
    [4210, '4,210'],
    [1234567.4, '1,234,567'],
  ])('counts %d as %s', (value, text) => {
    expect(formatCount(value)).toBe(text);
  });

  it.each<[MetricSpec, number | null, string]>([
    [rate, 0.019, '1.9%'],
    [rate, 0.0004, '0.04%'],
    [rate, 0, '0%'],
    [latency, 0.2123, '212 ms'],
    [latency, 0.0084, '8.4 ms'],
    [latency, 12.3, '12.3 s'],
    [rate, null, 'no data'],
  ])('formats %#', (spec, value, text) => {
    expect(formatValue(spec, value)).toBe(text);
  });

  it.each<[MetricSpec, number, string]>([
    [rate, 2.8, '×3.8'],
    [rate, -0.15, '×0.85'],
    [rate, Infinity, '×∞'],
    [latency, 0.52, '+52%'],
    [latency, -0.026, '-3%'],
    [latency, 0.004, '+0.4%'],
  ])('changes %#', (spec, effect, text) => {
    expect(formatChange(spec, effect)).toBe(text);
  });

  it('words durations in minutes or seconds', () => {
    expect(formatDuration(1, 60)).toBe('1 minute');
    expect(formatDuration(30, 60)).toBe('30 minutes');
    expect(formatDuration(3, 10)).toBe('30 seconds');
  });

  it('leans the way the point estimates lie', () => {
    const open = state({ status: 'undecided', rule: 'undecided', effect: 0.3, interval: [-0.2, 1.1] });
    expect(leaningText([[rate, open, true]])).toBe(
      'Leaning rollback: 5xx rate 1.9% vs 0.5%, ×1.3 (interval ×0.8–×2.1) against the 20% tolerance.',
    );
    expect(leaningText([[rate, { ...open, effect: -0.1 }, false]])).toMatch(/^Leaning promote: /);
  });
});

describe('a rate without events on either arm', () => {
  const spec: MetricSpec = {
    name: '5xx',
    label: '5xx rate',
    kind: 'rate',
    direction: 'increase',
    tolerance: { relative: 0.5, absolute: 0.0025 },
    critical: true,
  };
  const state = (status: MetricState['status']): MetricState => ({
    name: '5xx',
    kind: 'rate',
    critical: true,
    baselineValue: 0,
    canaryValue: 0,
    effect: null,
    interval: null,
    samples: { periods: 20, canaryRequests: 2_481, baselineRequests: 22_000 },
    status,
    rule: status === 'healthy' ? 'within-tolerance' : 'not-enough-data',
  });

  it('says what bounded it once proven, and that nothing failed before', () => {
    expect(shortComparison(spec, state('healthy'))).toBe(
      '5xx rate 0% in 2,481 canary requests, none on the baseline (below the absolute tolerance)',
    );
    expect(shortComparison(spec, state('undecided'))).toBe('5xx rate 0 on both sides so far');
  });
});
