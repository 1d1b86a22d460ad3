import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SecretRegistry } from '@ecs-ship/shared/secrets';
import type { Check } from '../src/check.js';
import { buildJsonReport, buildJunitXml, writeReports } from '../src/report.js';
import type { CheckResult } from '../src/run-checks.js';

const check = (name: string, overrides: Partial<Check> = {}): Check => ({
  name,
  method: 'GET',
  url: new URL(`http://127.0.0.1:8000/${name}`),
  headers: { 'X-API-Key': 'key-9f8e7d' },
  followRedirects: true,
  expect: {
    status: [{ kind: 'exact', code: 200 }],
    bodyContains: [],
    json: [{ path: '$.status', expected: 'ok' }],
    headers: { 'Content-Type': { expected: '/json/', pattern: /json/ } },
  },
  ...overrides,
});

const results = (): CheckResult[] => [
  {
    check: check('health'),
    passed: true,
    attempts: 2,
    passedAfterMs: 1500,
    last: { at: 0, status: 200, latencyMs: 12.4, mismatches: [] },
  },
  {
    check: check('a<b> & "c"'),
    passed: false,
    attempts: 3,
    last: {
      at: 0,
      status: 500,
      latencyMs: 40,
      finalUrl: 'http://127.0.0.1:9000/landing',
      mismatches: [{ what: 'json $.status', expected: '"ok"', actual: '"<oops> key-9f8e7d \u0001"' }],
    },
  },
];

describe('buildJsonReport', () => {
  it('lists every check with header names only, the final URL, and secrets redacted', () => {
    const secrets = new SecretRegistry();
    secrets.add('key-9f8e7d');
    const report = buildJsonReport(results(), Date.UTC(2026, 0, 1), 2500, secrets);
    expect(report).toMatchObject({ passed: false, failedCount: 1, startedAt: '2026-01-01T00:00:00.000Z' });
    expect(report.checks[0]).toMatchObject({
      name: 'health',
      url: 'http://127.0.0.1:8000/health',
      expected: { status: '200', json: { '$.status': 'ok' }, headers: { 'Content-Type': '/json/' } },
      last: { status: 200, latencyMs: 12, mismatches: [] },
      passedAfterMs: 1500,
      requestHeaderNames: ['X-API-Key'],
    });
    expect(report.checks[1]?.last?.finalUrl).toBe('http://127.0.0.1:9000/landing');
    expect(report.checks[1]?.last?.mismatches[0]?.actual).toBe('"<oops> *** \u0001"');
    expect(JSON.stringify(report)).not.toContain('key-9f8e7d');
  });

  it('shows credential-like query values as ***, even unregistered or added by a redirect', () => {
    const [first] = results();
    const signed: CheckResult = {
      ...(first as CheckResult),
      check: check('signed', { url: new URL('http://127.0.0.1:8000/s?page=2&api_key=k-9f8e7d&sig=ab') }),
      last: {
        at: 0,
        status: 200,
        latencyMs: 1,
        finalUrl: 'http://127.0.0.1:9000/landing?token=tok-5a6b7c8d',
        mismatches: [],
      },
    };
    const report = buildJsonReport([signed], 0, 10, new SecretRegistry());
    expect(report.checks[0]?.url).toBe('http://127.0.0.1:8000/s?page=2&api_key=***&sig=***');
    expect(report.checks[0]?.last?.finalUrl).toBe('http://127.0.0.1:9000/landing?token=***');
  });
});

describe('buildJunitXml', () => {
  it('escapes names and messages and drops characters XML forbids', () => {
    const report = buildJsonReport(results(), Date.UTC(2026, 0, 1), 2500, new SecretRegistry());
    const xml = buildJunitXml(report);
    expect(xml).toContain('<testcase classname="smoke-test" name="health" time="1.500"/>');
    expect(xml).toContain('name="a&lt;b&gt; &amp; &quot;c&quot;"');
    expect(xml).toContain(
      '<failure message="json $.status: expected &quot;ok&quot;, got &quot;&lt;oops&gt; key-9f8e7d &quot;"',
    );
    expect(xml).toContain('(answered by http://127.0.0.1:9000/landing) after 3 attempt(s)');
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain(
      '<testsuite name="smoke-test" tests="2" failures="1" errors="0" skipped="0" time="2.500"',
    );
  });
});

describe('writeReports', () => {
  it('writes both files into a new directory with secrets redacted', async () => {
    const secrets = new SecretRegistry();
    secrets.add('key-9f8e7d');
    const report = buildJsonReport(results(), 0, 10, secrets);
    const directory = path.join(mkdtempSync(path.join(tmpdir(), 'smoke-report-')), 'nested');
    const files = await writeReports(report, directory, secrets);
    expect(files).toEqual({
      reportFile: path.join(directory, 'smoke-test-report.json'),
      junitFile: path.join(directory, 'smoke-test-junit.xml'),
    });
    expect(JSON.parse(readFileSync(files.reportFile, 'utf8'))).toEqual(report);
    const junit = readFileSync(files.junitFile, 'utf8');
    expect(junit).toContain('<testsuites name="smoke-test"');
    expect(junit).not.toContain('key-9f8e7d');
  });
});
