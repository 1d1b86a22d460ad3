// Inputs and secrets a workflow declares (on.workflow_dispatch / on.workflow_call), checked and typed
// the way GitHub does before a run or a call starts.
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Value } from './expressions.js';
import type { Mapping } from './workflow-file.js';

export interface DeclaredInput {
  name: string;
  type: string;
  required: boolean;
  default: unknown;
  options: string[] | undefined;
}

export interface DeclaredSecret {
  name: string;
  required: boolean;
}

export function declaredInputs(settings: Mapping | null | undefined): DeclaredInput[] {
  return Object.entries(mappingOf(settings?.inputs)).map(([name, value]) => {
    const input = mappingOf(value);
    return {
      name,
      type: typeof input.type === 'string' ? input.type : 'string',
      required: input.required === true,
      default: input.default,
      options: Array.isArray(input.options) ? input.options.map(String) : undefined,
    };
  });
}

export function declaredSecrets(settings: Mapping | null | undefined): DeclaredSecret[] {
  return Object.entries(mappingOf(settings?.secrets)).map(([name, value]) => ({
    name,
    required: mappingOf(value).required === true,
  }));
}

/**
 * `with:` of a reusable-workflow call. Types are strict, as on GitHub: a boolean input takes a boolean
 * (`${{ needs.x.outputs.flag == 'true' }}`, not the string 'true'). A required input must be given even
 * when it has a default.
 */
export function callInputs(
  declared: DeclaredInput[],
  given: Record<string, Value>,
  evaluateDefault: (value: unknown) => Value,
  where: string,
): Record<string, Value> {
  refuseUnknown(declared, Object.keys(given), where, 'on.workflow_call.inputs');
  const result: Record<string, Value> = {};
  for (const input of declared) {
    const value = given[input.name];
    if (value === undefined) {
      if (input.required)
        throw new ConfigurationError(`${where}: input '${input.name}' is required and was not given`);
      result[input.name] =
        input.default === undefined
          ? empty(input.type)
          : typed(input, evaluateDefault(input.default), where, true);
    } else {
      result[input.name] = typed(input, value, where, false);
    }
  }
  return result;
}

/** workflow_dispatch inputs arrive as strings (as through the API); booleans and numbers are read from them. */
export function dispatchInputs(
  declared: DeclaredInput[],
  given: Record<string, string | boolean | number>,
  where: string,
): Record<string, Value> {
  refuseUnknown(declared, Object.keys(given), where, 'on.workflow_dispatch.inputs');
  const result: Record<string, Value> = {};
  for (const input of declared) {
    const value = given[input.name] ?? (input.default as string | boolean | number | undefined);
    if (value === undefined || value === '') {
      if (input.required)
        throw new ConfigurationError(`${where}: input '${input.name}' is required and was not given`);
      result[input.name] = empty(input.type);
      continue;
    }
    result[input.name] = typed(input, value, where, true);
  }
  return result;
}

export function checkCallSecrets(
  declared: DeclaredSecret[],
  given: string[],
  inherit: boolean,
  where: string,
): void {
  if (!inherit) {
    const names = new Set(declared.map((secret) => secret.name.toLowerCase()));
    const unknown = given.filter((name) => !names.has(name.toLowerCase()) && name !== 'GITHUB_TOKEN');
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `${where}: secret '${unknown[0]}' is not declared by on.workflow_call.secrets (declared: ${list(declared.map((s) => s.name))})`,
      );
    }
  }
  const present = new Set(given.map((name) => name.toLowerCase()));
  const missing = declared.find((secret) => secret.required && !present.has(secret.name.toLowerCase()));
  if (missing)
    throw new ConfigurationError(`${where}: secret '${missing.name}' is required and was not given`);
}

function typed(input: DeclaredInput, value: Value, where: string, fromText: boolean): Value {
  const problem = (expected: string): never => {
    throw new ConfigurationError(
      `${where}: input '${input.name}' expects ${expected}, got ${JSON.stringify(value)} (${value === null ? 'null' : typeof value})`,
    );
  };
  switch (input.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (fromText && (value === 'true' || value === 'false')) return value === 'true';
      return problem('a boolean');
    case 'number': {
      if (typeof value === 'number') return value;
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (fromText && !Number.isNaN(number)) return number;
      return problem('a number');
    }
    case 'choice': {
      const text = String(value);
      if (input.options && !input.options.includes(text))
        return problem(`one of ${input.options.join(', ')}`);
      return text;
    }
    case 'string':
    case 'environment':
      if (value === null) return '';
      if (typeof value === 'object') return problem('a string');
      return String(value);
    default:
      throw new ConfigurationError(`${where}: input '${input.name}' has an unknown type '${input.type}'`);
  }
}

function empty(type: string): Value {
  if (type === 'boolean') return false;
  if (type === 'number') return 0;
  return '';
}

function refuseUnknown(declared: DeclaredInput[], given: string[], where: string, declaration: string): void {
  const names = new Set(declared.map((input) => input.name));
  const unknown = given.find((name) => !names.has(name));
  if (unknown !== undefined) {
    throw new ConfigurationError(
      `${where}: input '${unknown}' is not declared by ${declaration} (declared: ${list([...names])})`,
    );
  }
}

function mappingOf(value: unknown): Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Mapping) : {};
}

function list(names: string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}
