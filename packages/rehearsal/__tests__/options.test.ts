import { describe, expect, it } from '@jest/globals';
import { OptionError, parseOptions } from '../src/options.js';

describe('rehearse options', () => {
  it('defaults to a healthy canary rehearsal into the repository root', () => {
    expect(parseOptions([], { out: '/repo' })).toEqual({
      regression: false,
      strategy: 'canary',
      keep: false,
      out: '/repo',
      tasks: 'auto',
      rate: 10,
    });
  });

  it('reads every option, with = or a separate value', () => {
    expect(
      parseOptions(
        ['--regression', '--strategy', 'linear', '--keep', '--out=/tmp/x', '--process', '--rate', '30'],
        { out: '/repo' },
      ),
    ).toEqual({
      regression: true,
      strategy: 'linear',
      keep: true,
      out: '/tmp/x',
      tasks: 'process',
      rate: 30,
    });
    expect(parseOptions(['--help'], { out: '/repo' })).toBe('help');
  });

  it('names the option, what it takes and what was given', () => {
    expect(() => parseOptions(['--strategy', 'bluegreen'], { out: '/' })).toThrow(
      new OptionError('--strategy: expected canary or linear, got "bluegreen"'),
    );
    expect(() => parseOptions(['--rate', '0'], { out: '/' })).toThrow(
      /--rate: expected a number from 1 to 600, got "0"/,
    );
    expect(() => parseOptions(['--out'], { out: '/' })).toThrow(/--out needs a value/);
    expect(() => parseOptions(['--fast'], { out: '/' })).toThrow(/unknown option "--fast"/);
  });
});
