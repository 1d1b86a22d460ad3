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
    ['api_key', true],
    ['access_token', true],
    ['X-Amz-Signature', true],
    ['X-Amz-Credential', true],
    ['signature', true],
    ['sig', true],
    ['x-sig', true],
    ['Content-Type', false],
    ['Accept', false],
    ['design', false],
    ['signal', false],
  ])('%s looks like a credential: %s', (name, expected) => {
    expect(looksLikeCredentialName(name)).toBe(expected);
  });
});

describe('SecretRegistry.redactOutput', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:service/prod1-cluster/api';

  it('leaves an output that only contains a short secret intact', () => {
    const secrets = new SecretRegistry();
    secrets.add('prod1');
    secrets.add('123');
    expect(secrets.redactOutput(arn)).toBe(arn);
    // Logs and reports still redact it wherever it occurs.
    expect(secrets.redact(arn)).toBe('arn:aws:ecs:us-east-1:***456789012:service/***-cluster/api');
  });

  it('masks an output that is a secret, however short, or carries one of 8 characters or more', () => {
    const secrets = new SecretRegistry();
    secrets.add('prod1');
    secrets.add('tok-9f8e7d6c');
    expect(secrets.redactOutput('prod1')).toBe('***');
    expect(secrets.redactOutput(' prod1\n')).toBe('***');
    expect(secrets.redactOutput('tok-9f8e7d6c')).toBe('***');
    expect(secrets.redactOutput('https://prod1.example.com/?token=tok-9f8e7d6c')).toBe(
      'https://prod1.example.com/?token=***',
    );
  });
});

describe('short secrets', () => {
  it('warns once per value and source, naming the source and never the value', () => {
    const warnings: string[] = [];
    const secrets = new SecretRegistry(() => {}, { onShortSecret: (message) => warnings.push(message) });
    secrets.add('prod1', 'input "secrets" (value 1)');
    secrets.add('prod1', 'input "checks": check "x" header "X-Key"');
    secrets.add('a%20b', 'input "checks": checks[0] query parameter "sig"');
    secrets.add('a b', 'input "checks": checks[0] query parameter "sig"');
    secrets.add('ab', 'input "secrets" (value 2)');
    secrets.add('long-enough-secret', 'input "secrets" (value 3)');
    secrets.add('xyz12');
    expect(warnings).toEqual([
      'A secret from input "secrets" (value 1) has only 5 character(s): secrets shorter than 8 characters cannot be masked safely, so it is masked in logs, summaries and reports but not inside step outputs. Use a longer secret.',
      'A secret from input "checks": checks[0] query parameter "sig" has only 5 character(s): secrets shorter than 8 characters cannot be masked safely, so it is masked in logs, summaries and reports but not inside step outputs. Use a longer secret.',
      'A secret from input "secrets" (value 2) has only 2 character(s): secrets shorter than 8 characters cannot be masked safely, so it is not masked anywhere. Use a longer secret.',
      'A secret from an unnamed source has only 5 character(s): secrets shorter than 8 characters cannot be masked safely, so it is masked in logs, summaries and reports but not inside step outputs. Use a longer secret.',
    ]);
    for (const value of ['prod1', 'a%20b', 'a b', 'xyz12']) {
      expect(warnings.join('\n')).not.toContain(value);
    }
  });
});
