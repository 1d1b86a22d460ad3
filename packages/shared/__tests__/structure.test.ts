import { describe, expect, it } from '@jest/globals';
import { describeBounds, type NumberBounds } from '../src/bounds.js';
import { optionalNumber } from '../src/structure.js';

describe('optionalNumber', () => {
  it.each<[NumberBounds, string]>([
    [{ min: 1, max: 5 }, 'a number from 1 to 5'],
    [{ min: 1 }, 'a number of at least 1'],
    [{ max: 5 }, 'a number of at most 5'],
    [{}, 'a number'],
  ])('names the bounds %j in its error', (bounds, expected) => {
    expect(() => optionalNumber({ n: bounds.max !== undefined ? 99 : 'x' }, 'n', 'doc', bounds)).toThrow(
      `doc: "n" must be ${expected}; got`,
    );
  });

  it('accepts a value within the bounds', () => {
    expect(optionalNumber({ n: 3 }, 'n', 'doc', { max: 5, integer: true })).toBe(3);
  });
});

describe('describeBounds', () => {
  it('is the wording input errors use too', () => {
    expect([describeBounds({ min: 0, max: 1 }), describeBounds({ max: 9 }), describeBounds({})]).toEqual([
      ' from 0 to 1',
      ' of at most 9',
      '',
    ]);
  });
});
