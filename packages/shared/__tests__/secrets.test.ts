import { describe, expect, it } from '@jest/globals';
import { looksLikeCredentialName, SecretRegistry } from '../src/secrets.js';

describe('SecretRegistry', () => {
  it('redacts every registered value, longest first, and reports additions once', () => {
    const added: string[] = [];
    const secrets = new SecretRegistry((value) => added.push(value));
    secrets.add('abc123');
    secrets.add('abc123-extended');
    secrets.add('abc123');
    secrets.add('ab');
    secrets.add(undefined);
    expect(added).toEqual(['abc123', 'abc123-extended']);
    expect(secrets.redact('key abc123-extended and abc123.')).toBe('key *** and ***.');
    expect(secrets.redactValue({ headers: { 'X-API-Key': 'abc123' }, n: 1 })).toEqual({
      headers: { 'X-API-Key': '***' },
      n: 1,
    });
  });

  it('redacts a value by walking it: escapes, numbers and field names stay intact', () => {
    const secrets = new SecretRegistry();
    secrets.add('pa"ss\\word');
    secrets.add('123');
    secrets.add('status');
    const value = {
      status: 'status ok',
      body: '{"token":"pa\\"ss\\\\word"}',
      raw: 'pa"ss\\word',
      count: 1234,
      nested: [{ 'Bearer pa"ss\\word': 'x-123-y' }],
    };
    const redacted = secrets.redactValue(value);
    expect(redacted).toEqual({
      status: '*** ok',
      body: '{"token":"***"}',
      raw: '***',
      count: 1234,
      nested: [{ 'Bearer ***': 'x-***-y' }],
    });
    expect(JSON.stringify(redacted)).not.toMatch(/pa\\*"ss/);
  });

  it('registers the JSON-escaped form of a secret with a quote or backslash', () => {
    const added: string[] = [];
    const secrets = new SecretRegistry((value) => added.push(value));
    secrets.add('a"b\\c');
    expect(added).toEqual(['a"b\\c', 'a\\"b\\\\c']);
    expect(secrets.redact(JSON.stringify({ echo: 'a"b\\c' }))).toBe('{"echo":"***"}');
  });

  it.each([
    ['Authorization', true],
    ['Cookie', true],
    ['X-API-Key', true],
    ['x-auth-token', true],
    ['client_secret', true],
    ['Content-Type', false],
    ['Accept', false],
  ])('%s looks like a credential: %s', (name, expected) => {
    expect(looksLikeCredentialName(name)).toBe(expected);
  });
});
