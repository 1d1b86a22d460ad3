import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '../src/errors.js';
import { InputReader, splitList } from '../src/inputs.js';
import { looksLikeCredentialName, SecretRegistry } from '../src/secrets.js';

const reader = (values: Record<string, string>, secretInputs: string[] = [], workspace?: string) => {
  const secrets = new SecretRegistry();
  return {
    secrets,
    inputs: new InputReader((name) => values[name] ?? '', {
      secretInputs,
      secrets,
      ...(workspace ? { workspace } : {}),
    }),
  };
};

describe('InputReader', () => {
  it('reads required and optional values, trimming white space', () => {
    const { inputs } = reader({ cluster: '  prod  ', empty: '   ' });
    expect(inputs.required('cluster')).toBe('prod');
    expect(inputs.optional('empty')).toBeUndefined();
    expect(() => inputs.required('service')).toThrow('Input "service" is required and was not set.');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['false', false],
    ['Off', false],
    ['', true],
  ])('reads boolean %j as %s (default true)', (given, expected) => {
    expect(reader({ flag: given }).inputs.boolean('flag', true)).toBe(expected);
  });

  it('names the input, the expectation and the value on a bad boolean', () => {
    expect(() => reader({ 'circuit-breaker': 'maybe' }).inputs.boolean('circuit-breaker', true)).toThrow(
      'Input "circuit-breaker" must be true or false; got "maybe".',
    );
  });

  it('checks integers and their bounds', () => {
    const { inputs } = reader({ count: '3', big: '101', text: '3.5' });
    expect(inputs.integer('count', 1, { min: 1, max: 100 })).toBe(3);
    expect(inputs.integer('missing', 7)).toBe(7);
    expect(() => inputs.integer('big', 1, { min: 1, max: 100 })).toThrow(
      'Input "big" must be a whole number from 1 to 100; got "101".',
    );
    expect(() => inputs.integer('text', 1)).toThrow('Input "text" must be a whole number; got "3.5".');
  });

  it('reads percentages with or without the sign', () => {
    const { inputs } = reader({ a: '2.5%', b: '10', c: 'ten' });
    expect(inputs.percent('a', 5, { min: 0.1, max: 100 })).toBe(2.5);
    expect(inputs.percent('b', 5)).toBe(10);
    expect(() => inputs.percent('c', 5)).toThrow(
      'Input "c" must be a percentage such as 10 or 2.5%; got "ten".',
    );
  });

  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['45', 45_000],
    ['250ms', 250],
  ])('reads duration %s as %d ms', (given, expected) => {
    expect(reader({ timeout: given }).inputs.duration('timeout', '30m')).toBe(expected);
  });

  it('uses the default duration and rejects bad ones with the bounds', () => {
    expect(reader({}).inputs.duration('timeout', '30m')).toBe(1_800_000);
    expect(() => reader({ timeout: 'soon' }).inputs.duration('timeout', '30m')).toThrow(
      'Input "timeout" must be a duration such as 90s, 5m or 1h; got "soon".',
    );
    expect(() => reader({ timeout: '5s' }).inputs.duration('timeout', '30m', { min: 60_000 })).toThrow(
      'Input "timeout" must be a duration such as 90s, 5m or 1h, at least 1m; got "5s".',
    );
  });

  it('matches enumerations case-insensitively and lists the options', () => {
    const { inputs } = reader({ strategy: 'Canary', bad: 'big-bang' });
    const options = ['rolling', 'canary', 'linear', 'blue-green'] as const;
    expect(inputs.enumeration('strategy', options, 'rolling')).toBe('canary');
    expect(inputs.enumeration('missing', options, 'rolling')).toBe('rolling');
    expect(() => inputs.enumeration('bad', options, 'rolling')).toThrow(
      'Input "bad" must be one of rolling, canary, linear, blue-green; got "big-bang".',
    );
  });

  it('splits lists on lines and commas, dropping comments and blanks', () => {
    expect(splitList('a, b\n\n# note\nc,,d ')).toEqual(['a', 'b', 'c', 'd']);
    expect(reader({ images: 'app=repo:1,2\n# c\nside=x' }).inputs.lines('images')).toEqual([
      'app=repo:1,2',
      'side=x',
    ]);
  });

  it('reads key=value lines and rejects a malformed line', () => {
    const form = { pattern: /^[\w-]+$/, description: 'container' };
    const { inputs } = reader({ images: 'api = repo/api:1\nworker=repo/w@sha256:abc', bad: 'no-equals' });
    expect(inputs.keyValueLines('images', form)).toEqual([
      ['api', 'repo/api:1'],
      ['worker', 'repo/w@sha256:abc'],
    ]);
    expect(() => inputs.keyValueLines('bad', form)).toThrow(
      'Input "bad" must be lines of container=value; got "no-equals".',
    );
  });

  it('hides key=value values in errors and registers those whose key is secret', () => {
    const form = { pattern: /^[\w-]+\.[A-Z_]+$/, description: 'container.NAME' };
    const bad = reader({ environment: 'app-DB_PASSWORD=hunter2-secret' });
    expect(() =>
      bad.inputs.keyValueLines('environment', form, { hideValues: true, isSecret: looksLikeCredentialName }),
    ).toThrow(
      'Input "environment" must be lines of container.NAME=value; got a line whose key is "app-DB_PASSWORD".',
    );
    const noEquals = reader({ environment: 'app.A=1\nhunter2-secret' });
    expect(() =>
      noEquals.inputs.keyValueLines('environment', form, {
        hideValues: true,
        isSecret: looksLikeCredentialName,
      }),
    ).toThrow('got line 2, which has no "=" (value hidden).');
    const good = reader({ environment: 'app.DB_PASSWORD=hunter2-secret' });
    expect(
      good.inputs.keyValueLines('environment', form, { hideValues: true, isSecret: looksLikeCredentialName }),
    ).toEqual([['app.DB_PASSWORD', 'hunter2-secret']]);
    expect(good.secrets.has('hunter2-secret')).toBe(true);
  });

  it('never quotes a secret input back, and registers it', () => {
    const { inputs, secrets } = reader({ token: 'hunter2-very-secret' }, ['token']);
    expect(() => inputs.integer('token', 1)).toThrow(
      'Input "token" must be a whole number; got (a hidden value).',
    );
    expect(secrets.has('hunter2-very-secret')).toBe(true);
  });

  describe('yaml', () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'inputs-'));
    writeFileSync(path.join(workspace, 'checks.yml'), '- name: health\n  path: /health\n');

    it('parses inline YAML', () => {
      const { inputs } = reader({ checks: '- name: a\n  path: /a' }, [], workspace);
      expect(inputs.yaml('checks')).toEqual({ value: [{ name: 'a', path: '/a' }], source: 'inline' });
    });

    it('reads a file relative to the workspace', () => {
      const { inputs } = reader({ checks: 'checks.yml' }, [], workspace);
      expect(inputs.yaml('checks')).toEqual({
        value: [{ name: 'health', path: '/health' }],
        source: 'checks.yml',
      });
    });

    it('says which file is missing', () => {
      const { inputs } = reader({ checks: 'missing.yaml' }, [], workspace);
      expect(() => inputs.yaml('checks')).toThrow(
        /Input "checks" names the file "missing.yaml", which does not exist/,
      );
    });

    it('points at the line of a syntax error', () => {
      const { inputs } = reader({ checks: '- name: a\n  path: [unclosed' }, [], workspace);
      let error: unknown;
      try {
        inputs.yaml('checks');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/^input "checks" is not valid YAML at line \d+, column \d+: /);
    });

    it('rejects duplicate keys', () => {
      const { inputs } = reader({ checks: 'a: 1\na: 2' }, [], workspace);
      expect(() => inputs.yaml('checks')).toThrow(/not valid YAML/);
    });
  });
});
