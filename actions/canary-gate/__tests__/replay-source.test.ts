import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ReplaySource } from '../src/replay-source.js';

const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
const file = (name: string, content: unknown) => {
  const target = path.join(dir, name);
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
  return target;
};
const queries = [{ Id: 'a' }, { Id: 'b' }];

describe('ReplaySource', () => {
  it('merges results of the same Id across files and serves a window', async () => {
    const first = file('1.json', {
      MetricDataResults: [
        { Id: 'a', Timestamps: ['2026-11-23T12:01:00Z', '2026-11-23T12:00:00Z'], Values: [2, 1] },
        { Id: 'b', Timestamps: [], Values: [] },
      ],
    });
    const second = file('2.json', {
      MetricDataResults: [{ Id: 'a', Timestamps: ['2026-11-23T12:02:00Z'], Values: [3] }],
    });
    const source = await ReplaySource.load([first, second], queries);
    const at = (minute: number) => Date.parse(`2026-11-23T12:0${minute}:00Z`);
    expect(source.firstTimestamp).toBe(at(0));
    expect(source.lastTimestamp).toBe(at(2));
    const window = await source.read(queries, { start: at(1), end: at(3) });
    expect([...(window.get('a') ?? [])]).toEqual([
      [at(1), 2],
      [at(2), 3],
    ]);
    expect(window.get('b')?.size).toBe(0);
  });

  it.each([
    ['not json', 'is not a JSON export of get-metric-data'],
    [{ Results: [] }, 'has no "MetricDataResults" list'],
    [
      { MetricDataResults: [{ Id: 'a', Timestamps: ['2026-11-23T12:00:00Z'], Values: [] }] },
      'has 1 timestamps but 0 values',
    ],
    [
      { MetricDataResults: [{ Id: 'a', Timestamps: ['soon'], Values: [1] }] },
      'entry 0 is not a timestamp and a number',
    ],
    [
      { MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [] }] },
      'the files have no results for the query Id(s) b; they have a.',
    ],
  ])('rejects %j', async (content, message) => {
    await expect(ReplaySource.load([file('bad.json', content)], queries)).rejects.toThrow(message);
  });

  it('says when nothing matched', async () => {
    await expect(ReplaySource.load([], queries)).rejects.toThrow('Input "replay" matched no file.');
  });
});
