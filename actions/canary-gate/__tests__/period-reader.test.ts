import { describe, expect, it } from '@jest/globals';
import type { MetricPlan } from '../src/metric-definitions.js';
import type { MetricSource, Series } from '../src/metric-source.js';
import { PeriodReader } from '../src/period-reader.js';

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
  ],
};
const minute = 60_000;

/** CloudWatch as the reader sees it: whatever has been "published" so far. */
function publishing(): MetricSource & { publish(at: number, canary: number, baseline: number): void } {
  const data = new Map<string, Series>([
    ['rc', new Map()],
    ['rb', new Map()],
  ]);
  return {
    calls: 0,
    publish(at, canary, baseline) {
      data.get('rc')?.set(at, canary);
      data.get('rb')?.set(at, baseline);
    },
    async read(_queries, window) {
      const out = new Map<string, Series>();
      for (const [id, series] of data)
        out.set(id, new Map([...series].filter(([at]) => at >= window.start && at < window.end)));
      return out;
    },
  };
}

describe('PeriodReader', () => {
  it('reaches back by the lookback in its first read only, and hands those baseline periods out once', async () => {
    const source = publishing();
    const windows: { start: number; end: number }[] = [];
    const read = source.read.bind(source);
    source.read = async (queries, window) => {
      windows.push(window);
      return read(queries, window);
    };
    // An hour of the baseline alone before the canary starts at minute 60.
    for (let index = 0; index < 60; index++) source.publish(index * minute, 0, 110);
    for (let index = 60; index < 65; index++) source.publish(index * minute, 10, 100);
    const reader = new PeriodReader(source, {
      plan,
      start: 60 * minute,
      periodMs: minute,
      publishDelayMs: minute,
      lookbackMs: 60 * minute,
    });
    expect((await reader.read(63 * minute)).map((period) => period.periodStart)).toEqual([
      60 * minute,
      61 * minute,
    ]);
    const lookback = reader.takeLookback();
    expect(lookback).toHaveLength(60);
    expect(lookback[0]).toMatchObject({ periodStart: 0, canaryRequests: 0, baselineRequests: 110 });
    expect(reader.takeLookback()).toEqual([]);
    await reader.read(65 * minute);
    expect(windows).toEqual([
      { start: 0, end: 62 * minute },
      { start: 60 * minute, end: 64 * minute },
    ]);
  });

  it('hands out each complete period once, in order', async () => {
    const source = publishing();
    for (let index = 0; index < 5; index++) source.publish(index * minute, 10, 100);
    const reader = new PeriodReader(source, { plan, start: 0, periodMs: minute, publishDelayMs: minute });
    expect(await reader.read(90_000)).toEqual([]);
    expect((await reader.read(3 * minute)).map((period) => period.periodStart)).toEqual([0, minute]);
    expect((await reader.read(3 * minute)).map((period) => period.periodStart)).toEqual([]);
    expect((await reader.read(5 * minute)).map((period) => period.periodStart)).toEqual([
      2 * minute,
      3 * minute,
    ]);
  });

  it('holds a period with no request data after traffic, for late points, then reads it as quiet', async () => {
    const source = publishing();
    source.publish(0, 10, 100);
    const reader = new PeriodReader(source, { plan, start: 0, periodMs: minute, publishDelayMs: minute });
    expect((await reader.read(3 * minute)).map((period) => period.periodStart)).toEqual([0]);
    expect(reader.readyAt(3 * minute)).toBe(3 * minute + 15_000);
    source.publish(minute, 12, 90);
    expect(await reader.read(3 * minute + 15_000)).toEqual([
      {
        periodStart: minute,
        canaryRequests: 12,
        baselineRequests: 90,
        values: { errors: { canary: 0, baseline: 0 } },
      },
    ]);
    expect((await reader.read(5 * minute)).map((period) => period.canaryRequests)).toEqual([]);
    expect((await reader.read(5 * minute)).length).toBe(0);
    expect(
      (await reader.read(6 * minute)).map((period) => [period.periodStart, period.canaryRequests]),
    ).toEqual([[2 * minute, 0]]);
  });
});
