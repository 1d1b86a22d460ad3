import { describe, expect, it } from '@jest/globals';
import { parseYamlText } from '@ecs-ship/shared/inputs';
import { SecretRegistry } from '@ecs-ship/shared/secrets';
import { parseChecks } from '../src/parse-checks.js';

const base = new URL('http://127.0.0.1:8000');
const parse = (yaml: string, baseUrl: URL | undefined = base) =>
  parseChecks(parseYamlText(yaml, 'checks'), baseUrl);

describe('parseChecks', () => {
  it('reads the example from the issue', () => {
    const [health, rank] = parse(`
- name: health
  path: /health
  expect: { status: 200, json: { "$.status": ok } }
- name: rank
  method: POST
  path: /rank
  headers: { X-API-Key: "abc123" }
  json: { smiles: "CC(=O)Oc1ccccc1C(=O)O", top_k: 5 }
  expect:
    status: 2xx
    json: { "$.results.length": 5 }
    max-latency-ms: 2000
`);
    expect(health).toEqual({
      name: 'health',
      method: 'GET',
      url: new URL('http://127.0.0.1:8000/health'),
      headers: {},
      followRedirects: true,
      expect: {
        status: [{ kind: 'exact', code: 200 }],
        bodyContains: [],
        json: [{ path: '$.status', expected: 'ok' }],
        headers: {},
      },
    });
    expect(rank?.method).toBe('POST');
    expect(rank?.body).toBe('{"smiles":"CC(=O)Oc1ccccc1C(=O)O","top_k":5}');
    expect(rank?.headers).toEqual({ 'X-API-Key': 'abc123', 'Content-Type': 'application/json' });
    expect(rank?.expect).toEqual({
      status: [{ kind: 'class', hundreds: 2 }],
      bodyContains: [],
      json: [{ path: '$.results.length', expected: 5 }],
      headers: {},
      maxLatencyMs: 2000,
    });
  });

  it('defaults to GET, status 2xx and a name from the method and path', () => {
    const [check] = parse('- path: /health');
    expect(check?.name).toBe('GET /health');
    expect(check?.expect.status).toEqual([{ kind: 'class', hundreds: 2 }]);
  });

  it('accepts a status list and a full url', () => {
    const [check] = parse(
      '- url: https://example.test/ready\n  expect: { status: [200, 204, 3xx] }',
      undefined,
    );
    expect(check?.url.href).toBe('https://example.test/ready');
    expect(check?.expect.status).toEqual([
      { kind: 'exact', code: 200 },
      { kind: 'exact', code: 204 },
      { kind: 'class', hundreds: 3 },
    ]);
  });

  it.each([
    [
      '- name: a\n  path: /a\n  retries: 3',
      'Input "checks": checks[0] ("a"): unknown field "retries"; expected one of',
    ],
    ['- name: a', 'Input "checks": checks[0] ("a"): needs "path" (joined to base-url) or "url".'],
    ['- name: a\n  path: /a\n  url: http://x', 'give "path" or "url", not both'],
    [
      '- name: a\n  url: ftp://files',
      'Input "checks": checks[0] ("a"): "url" must be an http or https URL; got "ftp://files".',
    ],
    ['- name: a\n  url: "not a url"', '"url" must be an http or https URL; got "not a url".'],
    [
      '- name: a\n  path: /a\n  method: FETCH',
      '"method" must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; got "FETCH".',
    ],
    [
      '- name: a\n  path: /a\n  expect: { status: 2xy }',
      '"status" must be a status code from 100 to 599, a list of them, or a class like 2xx; got "2xy".',
    ],
    [
      '- name: a\n  path: /a\n  expect: { json: { "$.results[": 1 } }',
      'invalid JSONPath "$.results[": an unclosed "["',
    ],
    [
      '- name: a\n  path: /a\n  expect: { json: { "status": 1 } }',
      'invalid JSONPath "status": a JSONPath starts with $',
    ],
    ['- name: a\n  path: /a\n  expect: { timeout: 5 }', 'expect: unknown field "timeout"'],
    [
      '- name: a\n  path: /a\n  expect: { max-latency-ms: -1 }',
      '"max-latency-ms" must be a number of at least 1; got -1.',
    ],
    [
      '- name: a\n  path: /a\n  expect: { headers: { X-A: "/[/" } }',
      '"headers.X-A" must be a value or a valid /regular expression/',
    ],
    ['- name: a\n  path: /a\n  body: text\n  json: {}', 'give "body" or "json", not both'],
    ['- name: a\n  path: /a\n  json: { a: 1 }', 'a GET request cannot have a body'],
    ['- name: a\n  path: /a\n- name: a\n  path: /b', 'two checks are named "a"'],
    ['[]', 'Input "checks" is an empty list'],
    ['name: a', 'Input "checks" must be a list; got a map.'],
    ['- just-a-string', 'Input "checks": checks[0] must be a map; got "just-a-string".'],
    [
      '- name: a\n  path: /a\n  headers: { "Bad Header": x }',
      '"headers.Bad Header" must be a valid HTTP header name',
    ],
    [
      '- name: a\n  method: HEAD\n  path: /a\n  expect: { body-contains: ok }',
      'Input "checks": checks[0] ("a"): expect: "body-contains" can never pass on a HEAD request, whose response has no body; use GET.',
    ],
    [
      '- name: a\n  method: head\n  path: /a\n  expect: { json: { "$.status": ok } }',
      'expect: "json" can never pass on a HEAD request',
    ],
  ])('rejects %j', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });

  it('compiles a /regular expression/ header expectation once, when parsed', () => {
    const [check] = parse('- path: /a\n  expect: { headers: { Content-Type: "/JSON/i", X-V: "2" } }');
    expect(check?.expect.headers).toEqual({
      'Content-Type': { expected: '/JSON/i', pattern: /JSON/i },
      'X-V': { expected: '2' },
    });
  });

  it('accepts HEAD with status and header expectations', () => {
    const [check] = parse('- method: HEAD\n  path: /a\n  expect: { status: 200, headers: { etag: x } }');
    expect(check?.method).toBe('HEAD');
  });

  it('moves URL credentials into a Basic Authorization header and registers them as secrets', () => {
    const secrets = new SecretRegistry();
    const [fromUrl, fromBase, explicit] = parseChecks(
      parseYamlText(
        `
- name: url
  url: https://deploy-bot:s3cr%40t-pw@api.example.test/health
- name: base
  path: /ready
- name: explicit
  url: https://deploy-bot:s3cr%40t-pw@api.example.test/x
  headers: { authorization: Bearer tok-123 }`,
        'checks',
      ),
      new URL('https://base-user:base-pass@base.example.test/v1'),
      secrets,
    );
    const basic = (userinfo: string) => `Basic ${Buffer.from(userinfo).toString('base64')}`;
    expect(fromUrl?.url.href).toBe('https://api.example.test/health');
    expect(fromUrl?.headers).toEqual({ Authorization: basic('deploy-bot:s3cr@t-pw') });
    expect(fromBase?.url.href).toBe('https://base.example.test/v1/ready');
    expect(fromBase?.headers).toEqual({ Authorization: basic('base-user:base-pass') });
    expect(explicit?.headers).toEqual({ authorization: 'Bearer tok-123' });
    for (const value of [
      'deploy-bot',
      's3cr@t-pw',
      basic('deploy-bot:s3cr@t-pw'),
      basic('deploy-bot:s3cr@t-pw').slice(6),
      'base-user',
      'base-pass',
    ]) {
      expect(secrets.has(value)).toBe(true);
    }
  });

  it('registers credential-like query parameters, of the url and of base-url, before any request', () => {
    const warnings: string[] = [];
    const secrets = new SecretRegistry(() => {}, { onShortSecret: (message) => warnings.push(message) });
    const [direct, based] = parseChecks(
      parseYamlText(
        `
- name: signed
  url: https://h.test/x?page=2&api_key=k%2Fey-9f8e7d&X-Amz-Signature=abcdef0123456789&sig=s1g
- name: based
  path: /ready`,
        'checks',
      ),
      new URL('https://base.test/v1?access_token=tok-5a6b7c8d'),
      secrets,
    );
    // The request still carries the real values.
    expect(direct?.url.searchParams.get('api_key')).toBe('k/ey-9f8e7d');
    expect(based?.url.href).toBe('https://base.test/v1/ready?access_token=tok-5a6b7c8d');
    for (const value of ['k%2Fey-9f8e7d', 'k/ey-9f8e7d', 'abcdef0123456789', 's1g', 'tok-5a6b7c8d'])
      expect(secrets.has(value)).toBe(true);
    expect(secrets.has('2')).toBe(false);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^A secret from input "checks": checks\[0\] \("signed"\) query parameter "sig" has only 3 character\(s\)/,
      ),
    ]);
    expect(warnings.join('')).not.toContain('s1g');
  });

  it('never quotes a credential-like query value of a path it rejects', () => {
    expect(() => parse('- name: a\n  path: "https://host/x?token=tok-5a6b7c8d"')).toThrow(
      /"path" must be a path such as \/health \(use "url" for a full URL\); got "https:\/\/host\/x\?token=\*\*\*"/,
    );
  });

  it('never quotes credentials of a URL it rejects', () => {
    expect(() => parse('- name: a\n  url: "https://admin:hunter2-pw@host:99999/"')).toThrow(
      '"url" must be an http or https URL; got "https://***@host:99999/".',
    );
  });

  it('needs base-url for a path', () => {
    expect(() => parseChecks(parseYamlText('- name: a\n  path: /a', 'checks'), undefined)).toThrow(
      'has a "path" but the input "base-url" is not set',
    );
  });
});
