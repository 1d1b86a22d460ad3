import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from '../src/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2h15m30s', 8_130_000],
    ['1.5m', 90_000],
    ['120', 120_000],
    ['1d', 86_400_000],
    [' 10S ', 10_000],
  ])('%j -> %d', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'm', '5 minutes', '5m extra', '-5s', 'abc', '1x'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [450, '450ms'],
    [1000, '1s'],
    [95_000, '1m35s'],
    [3_600_000, '1h'],
    [3_661_000, '1h1m1s'],
    [-5000, '-5s'],
  ])('%d -> %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
