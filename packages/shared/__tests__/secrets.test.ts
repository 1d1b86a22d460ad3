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
