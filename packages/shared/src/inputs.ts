import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describeBounds, type NumberBounds } from './bounds.js';
import { formatDuration, parseDuration } from './duration.js';
import { ConfigurationError } from './errors.js';
import type { SecretRegistry } from './secrets.js';

/** Reads one raw input by its action.yml name; '' when it is not set. */
export type InputLookup = (name: string) => string;

export type { NumberBounds } from './bounds.js';

export interface InputReaderOptions {
  /** Values of inputs named here are never quoted back in an error. */
  secretInputs?: readonly string[];
  secrets?: SecretRegistry;
  /** Relative file paths in inputs resolve against this (the runner's GITHUB_WORKSPACE). */
  workspace?: string;
}

/**
 * Typed, validated reading of action inputs. Every error names the input, the form it expects and
 * the value it was given, so the message alone tells the user what to change.
 */
export class InputReader {
  private readonly secretInputs: Set<string>;
  readonly workspace: string;

  constructor(
    private readonly lookup: InputLookup,
    private readonly options: InputReaderOptions = {},
  ) {
    this.secretInputs = new Set(options.secretInputs ?? []);
    this.workspace = options.workspace ?? process.env.GITHUB_WORKSPACE ?? process.cwd();
  }

  /** The raw value with surrounding white space removed; '' when unset. */
  raw(name: string): string {
    const value = this.lookup(name).trim();
    if (value !== '' && this.secretInputs.has(name)) this.options.secrets?.add(value);
    return value;
  }

  fail(name: string, expected: string, given: string): never {
    const shown = this.secretInputs.has(name) ? '(a hidden value)' : JSON.stringify(given);
    throw new ConfigurationError(`Input "${name}" must be ${expected}; got ${shown}.`);
  }

  required(name: string): string {
    const value = this.raw(name);
    if (value === '') throw new ConfigurationError(`Input "${name}" is required and was not set.`);
    return value;
  }

  optional(name: string): string | undefined {
    const value = this.raw(name);
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === '') return fallback;
    const lower = value.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(lower)) return true;
    if (['false', 'no', 'off', '0'].includes(lower)) return false;
    return this.fail(name, 'true or false', value);
  }

  integer(name: string, fallback: number, bounds?: NumberBounds): number;
  integer(name: string, fallback?: undefined, bounds?: NumberBounds): number | undefined;
  integer(name: string, fallback?: number, bounds: NumberBounds = {}): number | undefined {
    const value = this.raw(name);
    if (value === '') return fallback;
    if (!/^[-+]?\d+$/.test(value)) return this.fail(name, `a whole number${describeBounds(bounds)}`, value);
    return this.checkBounds(name, Number(value), bounds, value, 'a whole number');
  }

  number(name: string, fallback: number, bounds?: NumberBounds): number;
  number(name: string, fallback?: undefined, bounds?: NumberBounds): number | undefined;
  number(name: string, fallback?: number, bounds: NumberBounds = {}): number | undefined {
    const value = this.raw(name);
    if (value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) return this.fail(name, `a number${describeBounds(bounds)}`, value);
    return this.checkBounds(name, parsed, bounds, value, 'a number');
  }

  /** A percentage given as "5", "5%" or "2.5%"; returns the number of percent. */
  percent(name: string, fallback: number, bounds?: NumberBounds): number;
  percent(name: string, fallback?: undefined, bounds?: NumberBounds): number | undefined;
  percent(name: string, fallback?: number, bounds: NumberBounds = {}): number | undefined {
    const value = this.raw(name);
    if (value === '') return fallback;
    const parsed = Number(value.replace(/%$/, ''));
    if (!Number.isFinite(parsed))
      return this.fail(name, `a percentage such as 10 or 2.5%${describeBounds(bounds)}`, value);
    return this.checkBounds(name, parsed, bounds, value, 'a percentage');
  }

  /** "90s", "5m", "1h"; a bare number is seconds. Returns milliseconds. */
  duration(name: string, fallback: string, bounds?: NumberBounds): number;
  duration(name: string, fallback?: undefined, bounds?: NumberBounds): number | undefined;
  duration(name: string, fallback?: string, bounds: NumberBounds = {}): number | undefined {
    const value = this.raw(name) || fallback;
    if (value === undefined || value === '') return undefined;
    const ms = parseDuration(value);
    const expected = `a duration such as 90s, 5m or 1h${describeDurationBounds(bounds)}`;
    if (ms === undefined) return this.fail(name, expected, value);
    if ((bounds.min !== undefined && ms < bounds.min) || (bounds.max !== undefined && ms > bounds.max)) {
      return this.fail(name, expected, value);
    }
    return ms;
  }

  enumeration<const T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  enumeration<const T extends string>(
    name: string,
    allowed: readonly T[],
    fallback?: undefined,
  ): T | undefined;
  enumeration<const T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = this.raw(name);
    if (value === '') return fallback;
    const match = allowed.find((option) => option.toLowerCase() === value.toLowerCase());
    if (match === undefined) return this.fail(name, `one of ${allowed.join(', ')}`, value);
    return match;
  }

  /** Items one per line or separated by commas; blank items and `#` comment lines dropped. */
  list(name: string): string[] {
    return splitList(this.raw(name));
  }

  /** Items one per line only (values may contain commas). */
  lines(name: string): string[] {
    return this.raw(name)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  }

  /**
   * Lines of `key=value`; the key is checked against `keyPattern`. Order kept, later keys win. With
   * `hideValues` an error quotes only the key, since a value (an environment variable's) may be a
   * credential; values whose key `isSecret` approves are registered as secrets.
   */
  keyValueLines(
    name: string,
    keyForm: { pattern: RegExp; description: string },
    options: { hideValues?: boolean; isSecret?: (key: string) => boolean } = {},
  ): Array<[string, string]> {
    const pairs: Array<[string, string]> = [];
    for (const [index, line] of this.lines(name).entries()) {
      const at = line.indexOf('=');
      const key = at > 0 ? line.slice(0, at).trim() : '';
      if (at <= 0 || !keyForm.pattern.test(key)) {
        if (!options.hideValues) this.fail(name, `lines of ${keyForm.description}=value`, line);
        const shown =
          at > 0
            ? `a line whose key is ${JSON.stringify(key)}`
            : `line ${index + 1}, which has no "=" (value hidden)`;
        throw new ConfigurationError(
          `Input "${name}" must be lines of ${keyForm.description}=value; got ${shown}.`,
        );
      }
      const value = line.slice(at + 1).trim();
      if (options.isSecret?.(key)) this.options.secrets?.add(value);
      pairs.push([key, value]);
    }
    return pairs;
  }

  /**
   * YAML (or JSON) given inline, or the path of a file holding it. Returns the parsed value and
   * where it came from (for error messages), or undefined when the input is unset.
   */
  yaml(name: string): { value: unknown; source: string } | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    const file = this.resolveFile(value);
    if (file !== undefined) {
      return {
        value: parseYamlText(readFileSync(file, 'utf8'), `input "${name}" (file ${value})`),
        source: value,
      };
    }
    if (!/\n/.test(value) && /\.(ya?ml|json)$/i.test(value)) {
      throw new ConfigurationError(
        `Input "${name}" names the file ${JSON.stringify(value)}, which does not exist (relative paths start at ${this.workspace}).`,
      );
    }
    return { value: parseYamlText(value, `input "${name}"`), source: 'inline' };
  }

  /** A path that must exist, resolved against the workspace. */
  file(name: string): string | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    const file = this.resolveFile(value);
    if (file === undefined) {
      throw new ConfigurationError(
        `Input "${name}" must be the path of an existing file; ${JSON.stringify(value)} was not found (relative paths start at ${this.workspace}).`,
      );
    }
    return file;
  }

  private resolveFile(value: string): string | undefined {
    if (value.includes('\n')) return undefined;
    const candidate = path.resolve(this.workspace, value);
    try {
      return existsSync(candidate) && statSync(candidate).isFile() ? candidate : undefined;
    } catch {
      return undefined;
    }
  }

  private checkBounds(name: string, parsed: number, bounds: NumberBounds, raw: string, kind: string): number {
    if (
      (bounds.min !== undefined && parsed < bounds.min) ||
      (bounds.max !== undefined && parsed > bounds.max)
    ) {
      return this.fail(name, `${kind}${describeBounds(bounds)}`, raw);
    }
    return parsed;
  }
}

export function splitList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Parses YAML 1.2 (JSON included); a syntax error names where it is and what is wrong. */
export function parseYamlText(text: string, what: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first] = document.errors;
  if (first) {
    const where = first.linePos?.[0]
      ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}`
      : '';
    throw new ConfigurationError(`${what} is not valid YAML${where}: ${first.message.split('\n')[0]}`);
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

function describeDurationBounds({ min, max }: NumberBounds): string {
  if (min !== undefined && max !== undefined)
    return `, from ${formatDuration(min)} to ${formatDuration(max)}`;
  if (min !== undefined) return `, at least ${formatDuration(min)}`;
  if (max !== undefined) return `, at most ${formatDuration(max)}`;
  return '';
}
