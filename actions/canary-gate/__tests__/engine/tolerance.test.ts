import { describe, expect, it } from '@jest/globals';
import {
  badSides,
  describeTolerance,
  parseTolerance,
  ratioBoundary,
  validateTolerance,
  type Side,
} from '../../src/engine/tolerance.js';
import type { Direction, Tolerance } from '../../src/engine/types.js';

describe('parseTolerance', () => {
  it.each<[string, Tolerance]>([
    ['20%', { relative: 0.2 }],
    ['0.1pp', { absolute: 0.001 }],
    ['50ms', { absolute: 0.05 }],
    ['0.2s', { absolute: 0.2 }],
    ['0.001', { absolute: 0.001 }],
    ['20% or 0.1pp', { relative: 0.2, absolute: 0.001 }],
    ['50 ms, 10%', { relative: 0.1, absolute: 0.05 }],
  ])('reads %s', (text, expected) => {
    expect(parseTolerance(text)).toEqual(expected);
  });

  it.each(['', 'twenty', '20% or 30%', '-5%', '1 or 2 or 3', '5 minutes'])('rejects %p', (text) => {
    expect(() => parseTolerance(text)).toThrow(/Tolerance/);
  });
});

describe('ratioBoundary', () => {
  it.each<[Tolerance, 'upper' | 'lower', number, number]>([
    [{ relative: 0.2 }, 'upper', 0.01, 1.2],
    [{ relative: 0.2 }, 'lower', 0.01, 0.8],
    [{ absolute: 0.001 }, 'upper', 0.005, 1.2],
    [{ absolute: 0.001 }, 'upper', 0.0005, 3],
    [{ relative: 0.2, absolute: 0.001 }, 'upper', 0.0005, 3],
    [{ relative: 0.2, absolute: 0.001 }, 'upper', 0.02, 1.2],
    [{ relative: 0.2, absolute: 0.001 }, 'lower', 0.0005, 0],
    [{ relative: 1.5 }, 'lower', 1, 0],
    [{ absolute: 0.05 }, 'upper', 0, Infinity],
  ])('%j %s with baseline %d is ×%d', (tolerance, side, baseline, expected) => {
    expect(ratioBoundary(tolerance, side, baseline)).toBeCloseTo(expected, 12);
  });
});

describe('badSides', () => {
  it.each<[Direction, Side[]]>([
    ['increase', ['upper']],
    ['decrease', ['lower']],
    ['either', ['upper', 'lower']],
  ])('%s', (direction, sides) => {
    expect(badSides(direction)).toEqual(sides);
  });
});

describe('describeTolerance and validateTolerance', () => {
  it.each<[Tolerance, 'rate' | 'level', 'seconds' | 'none', string]>([
    [{ relative: 0.2 }, 'rate', 'none', '20%'],
    [{ absolute: 0.001 }, 'rate', 'none', '0.1 percentage points'],
    [{ absolute: 0.05 }, 'level', 'seconds', '50 ms'],
    [{ relative: 0.2, absolute: 0.05 }, 'level', 'seconds', '20% or 50 ms, whichever is larger'],
  ])('%j reads as %s', (tolerance, kind, unit, text) => {
    expect(describeTolerance(tolerance, kind, unit)).toBe(text);
  });

  it('needs a relative or an absolute tolerance, each ≥ 0', () => {
    expect(() => validateTolerance({}, 'errors')).toThrow(
      'Metric "errors": give a relative or an absolute tolerance.',
    );
    expect(() => validateTolerance({ relative: -0.1 }, 'errors')).toThrow(/≥ 0/);
    expect(() => validateTolerance({ absolute: 0.001 }, 'errors')).not.toThrow();
  });
});
