import { describe, expect, it } from '@jest/globals';
import { combinationLabel, expandMatrix } from '../src/matrix.js';

describe('expandMatrix', () => {
  it('orders the product with the first key outermost', () => {
    expect(expandMatrix({ version: [10, 12], os: ['ubuntu', 'windows'] })).toEqual([
      { version: 10, os: 'ubuntu' },
      { version: 10, os: 'windows' },
      { version: 12, os: 'ubuntu' },
      { version: 12, os: 'windows' },
    ]);
  });

  it('merges includes as GitHub documents it (the fruit and animal example)', () => {
    expect(
      expandMatrix({
        fruit: ['apple', 'pear'],
        animal: ['cat', 'dog'],
        include: [
          { color: 'green' },
          { color: 'pink', animal: 'cat' },
          { fruit: 'apple', shape: 'circle' },
          { fruit: 'banana' },
          { fruit: 'banana', animal: 'cat' },
        ],
      }),
    ).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('excludes on a partial match, before includes are applied', () => {
    expect(
      expandMatrix({
        os: ['macos', 'windows'],
        version: [12, 14],
        environment: ['staging', 'production'],
        exclude: [
          { os: 'macos', version: 12, environment: 'production' },
          { os: 'windows', version: 14 },
        ],
      }),
    ).toHaveLength(5);
    expect(
      expandMatrix({ os: ['a', 'b'], exclude: [{ os: 'a' }], include: [{ os: 'a', extra: 1 }] }),
    ).toEqual([{ os: 'b' }, { os: 'a', extra: 1 }]);
  });

  it('makes one combination per include entry when there are no vectors', () => {
    expect(expandMatrix({ include: [{ service: 'api', order: 1 }, { service: 'worker' }] })).toEqual([
      { service: 'api', order: 1 },
      { service: 'worker' },
    ]);
  });

  it.each<[unknown, string]>([
    [{ os: [] }, "matrix vector 'os' does not contain any values"],
    [{ include: [] }, 'the matrix has no combinations'],
    [{ os: 'linux' }, "matrix vector 'os' must be a list"],
    ['[1]', 'a matrix must be a mapping'],
    [{ include: ['x'] }, 'each matrix.include entry must be a mapping'],
  ])('refuses %j', (matrix, message) => {
    expect(() => expandMatrix(matrix as never)).toThrow(message);
  });
});

describe('combinationLabel', () => {
  it('lists the values, nested ones flattened', () => {
    expect(combinationLabel({ node: 20, target: { os: 'linux', arch: 'x64' } })).toBe('20, linux, x64');
  });
});
