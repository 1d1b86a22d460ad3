// strategy.matrix expanded into combinations, in GitHub's order, with its include/exclude rules.
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Value } from './expressions.js';

export type Combination = Record<string, Value>;

/**
 * The cartesian product of the vectors (first key outermost), minus every combination an `exclude`
 * entry partially matches, then each `include` entry merged into every product combination whose
 * original values it does not contradict, or added on its own when it fits none.
 */
export function expandMatrix(matrix: Value): Combination[] {
  if (!isObject(matrix)) throw new ConfigurationError(`a matrix must be a mapping, got ${describe(matrix)}`);
  const vectors: Array<[string, Value[]]> = [];
  let include: Value[] = [];
  let exclude: Value[] = [];
  for (const [key, value] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude') {
      if (!Array.isArray(value))
        throw new ConfigurationError(`matrix.${key} must be a list, got ${describe(value)}`);
      if (key === 'include') include = value;
      else exclude = value;
      continue;
    }
    if (!Array.isArray(value))
      throw new ConfigurationError(`matrix vector '${key}' must be a list, got ${describe(value)}`);
    if (value.length === 0)
      throw new ConfigurationError(`matrix vector '${key}' does not contain any values`);
    vectors.push([key, value]);
  }

  let product: Combination[] = vectors.length === 0 ? [] : [{}];
  for (const [key, values] of vectors) {
    product = product.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  for (const entry of exclude) {
    if (!isObject(entry))
      throw new ConfigurationError(`each matrix.exclude entry must be a mapping, got ${describe(entry)}`);
    product = product.filter((combination) => !matches(combination, entry));
  }

  const originalKeys = new Set(vectors.map(([key]) => key));
  const added: Combination[] = [];
  for (const entry of include) {
    if (!isObject(entry))
      throw new ConfigurationError(`each matrix.include entry must be a mapping, got ${describe(entry)}`);
    const original = Object.fromEntries(Object.entries(entry).filter(([key]) => originalKeys.has(key)));
    let merged = false;
    for (const combination of product) {
      if (!matches(combination, original)) continue;
      Object.assign(combination, entry);
      merged = true;
    }
    if (!merged) added.push({ ...entry });
  }

  const combinations = [...product, ...added];
  if (combinations.length === 0) throw new ConfigurationError('the matrix has no combinations');
  return combinations;
}

/** `a, b` for `{ x: a, y: b }`, nested values flattened: what GitHub puts in parentheses after the job's name. */
export function combinationLabel(combination: Combination): string {
  return leaves(combination).join(', ');
}

function leaves(value: Value): string[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (isObject(value)) return Object.values(value).flatMap(leaves);
  return [value === null ? '' : String(value)];
}

function matches(combination: Combination, entry: Record<string, Value>): boolean {
  return Object.entries(entry).every(
    ([key, value]) => key in combination && JSON.stringify(combination[key]) === JSON.stringify(value),
  );
}

function isObject(value: Value | undefined): value is Record<string, Value> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: Value | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
