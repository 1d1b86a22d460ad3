/**
 * Checks on parsed YAML documents (checks, metrics, task definitions): each error names where in the
 * document the field is, what was expected and what was found.
 */
import { describeBounds } from './bounds.js';
import { ConfigurationError } from './errors.js';

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function fieldError(
  where: string,
  field: string,
  expected: string,
  value: unknown,
): ConfigurationError {
  return new ConfigurationError(`${where}: "${field}" must be ${expected}; got ${describeValue(value)}.`);
}

export function expectObject(value: unknown, where: string): PlainObject {
  if (!isPlainObject(value))
    throw new ConfigurationError(`${where} must be a map; got ${describeValue(value)}.`);
  return value;
}

export function expectList(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value))
    throw new ConfigurationError(`${where} must be a list; got ${describeValue(value)}.`);
  return value;
}

export function rejectUnknownKeys(object: PlainObject, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new ConfigurationError(
        `${where}: unknown field "${key}"; expected one of ${allowed.join(', ')}.`,
      );
    }
  }
}

export function optionalString(object: PlainObject, field: string, where: string): string | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw fieldError(where, field, 'a non-empty string', value);
  return value;
}

export function optionalNumber(
  object: PlainObject,
  field: string,
  where: string,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!ok) {
    const kind = bounds.integer ? 'a whole number' : 'a number';
    throw fieldError(where, field, `${kind}${describeBounds(bounds)}`, value);
  }
  return value;
}

export function optionalBoolean(object: PlainObject, field: string, where: string): boolean | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw fieldError(where, field, 'true or false', value);
  return value;
}

/** A map of string keys to scalar values, rendered as strings (headers, environment). */
export function optionalStringMap(
  object: PlainObject,
  field: string,
  where: string,
): Record<string, string> | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw fieldError(where, field, 'a map of names to values', value);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean') {
      throw fieldError(where, `${field}.${key}`, 'a string, number or boolean', entry);
    }
    out[key] = String(entry);
  }
  return out;
}
