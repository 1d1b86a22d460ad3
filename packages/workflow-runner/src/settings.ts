// Evaluated settings of jobs and steps: environment, concurrency, continue-on-error, timeout-minutes,
// and `env:` / `with:` maps, each read the way the runner reads it.
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { evaluateDeep, interpolate, toText, type Place, type Scope, type Value } from './expressions.js';
import type { Concurrency } from './types.js';

/** A job's environment; a name that evaluates to '' means none, as on GitHub. */
export function environmentOf(value: unknown, scope: Scope): { name: string; url: unknown } | undefined {
  if (value === undefined || value === null) return undefined;
  let environment: { name: string; url: unknown };
  if (typeof value === 'string')
    environment = { name: interpolate(value, scope, 'job-environment'), url: undefined };
  else if (typeof value === 'object' && !Array.isArray(value)) {
    const settings = value as Record<string, unknown>;
    if (typeof settings.name !== 'string') throw new ConfigurationError('environment.name must be a string');
    environment = { name: interpolate(settings.name, scope, 'job-environment'), url: settings.url };
  } else
    throw new ConfigurationError(`environment must be a name or {name, url}, got ${JSON.stringify(value)}`);
  return environment.name.trim() === '' ? undefined : environment;
}

export function concurrencyOf(value: unknown, scope: Scope, place: Place): Concurrency | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { group: interpolate(value, scope, place), cancelInProgress: false };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const settings = value as Record<string, unknown>;
    return {
      group: interpolate(String(settings.group ?? ''), scope, place),
      cancelInProgress: asBoolean(
        evaluateDeep(settings['cancel-in-progress'] ?? false, scope, place),
        'cancel-in-progress',
      ),
    };
  }
  throw new ConfigurationError(
    `concurrency must be a group or {group, cancel-in-progress}, got ${JSON.stringify(value)}`,
  );
}

export function booleanSetting(value: unknown, scope: Scope, place: Place, name: string): boolean {
  if (value === undefined || value === null) return false;
  return asBoolean(evaluateDeep(value, scope, place), name);
}

export function numberSetting(value: unknown, scope: Scope, place: Place, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const evaluated = evaluateDeep(value, scope, place);
  const number = typeof evaluated === 'number' ? evaluated : Number(evaluated);
  if (Number.isNaN(number))
    throw new ConfigurationError(`${name} must be a number, got ${JSON.stringify(evaluated)}`);
  return number;
}

/** `env:` or `with:`: every value as the string a process receives. */
export function stringMap(value: unknown, scope: Scope, place: Place): Record<string, string> {
  const evaluated = evaluateDeep(value ?? {}, scope, place);
  if (evaluated === null || typeof evaluated !== 'object' || Array.isArray(evaluated)) {
    throw new ConfigurationError(`expected a mapping, got ${JSON.stringify(evaluated)}`);
  }
  return Object.fromEntries(Object.entries(evaluated).map(([key, item]) => [key, toText(item)]));
}

function asBoolean(value: Value, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigurationError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}
