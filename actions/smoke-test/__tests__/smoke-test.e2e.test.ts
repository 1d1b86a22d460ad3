import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runDist } from '@ecs-ship/testing/dist-runner';
import { startExampleService, type ExampleService } from '@ecs-ship/testing/example-service';
import { startHttpServer } from '@ecs-ship/testing/http-server';

// The built dist/index.js, run as the GitHub runner runs it, against the example service.
const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_KEY = 'e2e-key-5f1c2b';

let service: ExampleService;
beforeAll(async () => {
  service = await startExampleService({ env: { API_KEY, STARTUP_DELAY_MS: '500' }, waitUntilHealthy: false });
});
afterAll(async () => {
  await service.stop();
});

const checks = `
- name: health
  path: /health
  expect: { status: 200, json: { "$.status": ok } }
- name: rank
  method: POST
  path: /rank
  headers: { X-API-Key: "${API_KEY}" }
  json: { smiles: "CC(=O)Oc1ccccc1C(=O)O", top_k: 5 }
  expect:
    status: 2xx
    json: { "$.results.length": 5 }
    max-latency-ms: 2000
`;

describe('smoke-test dist', () => {
  it('passes against a slow-starting service and writes outputs, reports and a summary', async () => {
    const run = await runDist(actionDir, {
      inputs: {
        'base-url': service.url,
        checks,
        'deadline-seconds': '30',
        'retry-interval-seconds': '0.2',
        'report-dir': mkdtempSync(path.join(tmpdir(), 'smoke-e2e-')),
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ passed: 'true', 'failed-count': '0' });
    expect(run.commands).toContain(`::add-mask::${API_KEY}`);
    expect(run.summary).toContain('## Smoke test: ✅ 2 of 2 checks passed');
    expect(run.summary).toMatch(/\| rank \| ✅ passed \| \d+ \| 200 \| \d+ ms \|/);
    const report = JSON.parse(readFileSync(run.outputs.report ?? '', 'utf8')) as {
      checks: Array<{ name: string; passed: boolean }>;
    };
    expect(report.checks.map((check) => [check.name, check.passed])).toEqual([
      ['health', true],
      ['rank', true],
    ]);
    const junit = readFileSync(run.outputs['junit-report'] ?? '', 'utf8');
    expect(junit).toContain('<testsuite name="smoke-test" tests="2" failures="0"');
    for (const text of [run.stdout, run.summary, readFileSync(run.outputs.report ?? '', 'utf8'), junit]) {
      expect(text.replace(`::add-mask::${API_KEY}`, '')).not.toContain(API_KEY);
    }
  });

  it('fails with the reason, a failing JUnit case and secrets masked when a check fails', async () => {
    const wrongKey = 'wrong-key-9a8b7c';
    const run = await runDist(actionDir, {
      inputs: {
        'base-url': service.url,
        checks: `- name: rank\n  method: POST\n  path: /rank\n  headers: { X-API-Key: ${wrongKey} }\n  json: { smiles: C }\n`,
        'deadline-seconds': '1',
        'retry-interval-seconds': '0.2',
        'report-dir': mkdtempSync(path.join(tmpdir(), 'smoke-e2e-')),
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ passed: 'false', 'failed-count': '1' });
    expect(run.commands).toContain('::error::1 of 1 smoke check(s) failed: rank.');
    expect(run.summary).toContain('## Smoke test: ❌ 1 of 1 checks failed');
    expect(run.summary).toContain('| status | 2xx | 401 |');
    expect(readFileSync(run.outputs['junit-report'] ?? '', 'utf8')).toContain(
      '<failure message="status: expected 2xx, got 401"',
    );
    expect(run.stdout.replace(`::add-mask::${wrongKey}`, '')).not.toContain(wrongKey);
  });

  it('never shows a secret that the service echoes in its body and JSON', async () => {
    // A quote makes the secret appear escaped in JSON; spaces make an excerpt fold it.
    const secret = 'sk-live "quoted"  4e1f9a';
    const escaped = JSON.stringify(secret).slice(1, -1);
    const echo = await startHttpServer((req, res) => {
      const key = String(req.headers['x-api-key'] ?? '');
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(`${'x'.repeat(150)} ${JSON.stringify({ status: 'down', token: key })} raw: ${key}`);
    });
    try {
      const run = await runDist(actionDir, {
        inputs: {
          'base-url': echo.url,
          checks: `- name: echo\n  path: /echo\n  headers: { X-API-Key: '${secret}' }\n  expect: { status: 200, body-contains: ready }\n`,
          'deadline-seconds': '0',
          secrets: secret,
          'report-dir': mkdtempSync(path.join(tmpdir(), 'smoke-e2e-')),
        },
      });
      expect(run.exitCode).toBe(1);
      expect(echo.requests[0]?.headers['x-api-key']).toBe(secret);
      const report = readFileSync(run.outputs.report ?? '', 'utf8');
      const junit = readFileSync(run.outputs['junit-report'] ?? '', 'utf8');
      expect(run.summary).toContain('***');
      const masks = new RegExp(`^::add-mask::.*$`, 'gm');
      for (const text of [run.stdout.replace(masks, ''), run.summary, report, junit]) {
        for (const form of [secret, escaped, 'sk-live', '4e1f9a', 'quoted']) expect(text).not.toContain(form);
      }
    } finally {
      await echo.close();
    }
  });

  it('masks a credential-like query parameter in the log, outputs, summary and both reports', async () => {
    const queryKey = 'qk-7d3e9b1a5c';
    // The service echoes the URL it was asked for, so the key also comes back in the body.
    const echo = await startHttpServer((req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(`not ready for ${req.url ?? ''}`);
    });
    try {
      const run = await runDist(actionDir, {
        inputs: {
          checks: `- name: keyed\n  url: ${echo.url}/ready?page=2&api_key=${queryKey}\n  expect: { status: 200 }\n`,
          // Short: masked in logs and reports, warned about by name, but the report path it also
          // occurs in (smoke-test-report.json) stays a usable output.
          secrets: 'report',
          'deadline-seconds': '0',
          'report-dir': mkdtempSync(path.join(tmpdir(), 'smoke-e2e-')),
        },
      });
      expect(run.exitCode).toBe(1);
      expect(echo.requests[0]?.url).toBe(`/ready?page=2&api_key=${queryKey}`);
      expect(run.commands).toContain(`::add-mask::${queryKey}`);
      expect(run.outputs.report).toMatch(/smoke-test-report\.json$/);
      expect(run.commands).toContain(
        '::warning::A secret from input "secrets" (value 1) has only 6 character(s): secrets shorter than 8 characters cannot be masked safely, so it is masked in logs, summaries and reports but not inside step outputs. Use a longer secret.',
      );
      const report = readFileSync(run.outputs.report ?? '', 'utf8');
      const junit = readFileSync(run.outputs['junit-report'] ?? '', 'utf8');
      expect(JSON.parse(report)).toMatchObject({
        checks: [{ url: `${echo.url}/ready?page=2&api_key=***` }],
      });
      expect(run.summary).toContain('/ready?page=2&api_key=***');
      expect(junit).toContain('/ready?page=2&amp;api_key=***');
      const masks = /^::add-mask::.*$/gm;
      for (const text of [
        run.stdout.replace(masks, ''),
        run.stderr,
        JSON.stringify(run.outputs),
        run.summary,
        report,
        junit,
      ]) {
        expect(text).not.toContain(queryKey);
      }
    } finally {
      await echo.close();
    }
  });

  it('rejects bad input before sending any request', async () => {
    const target = await startHttpServer((_req, res) => {
      res.writeHead(200).end('{"status":"ok"}');
    });
    try {
      const run = await runDist(actionDir, {
        inputs: {
          'base-url': target.url,
          checks: '- name: health\n  path: /health\n  expect: { json: { "$.status[": ok } }',
        },
      });
      expect(run.exitCode).toBe(1);
      expect(run.commands).toContainEqual(
        expect.stringMatching(
          /^::error::Input "checks": checks\[0\] \("health"\): expect: "json" has an invalid JSONPath "\$\.status\[": an unclosed "\["\.$/,
        ),
      );
      expect(run.outputs).toEqual({});
      expect(run.summary).toContain('## Smoke test: failed');
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('names a bad number input', async () => {
    const run = await runDist(actionDir, {
      inputs: { 'base-url': service.url, checks: '- path: /health', 'deadline-seconds': 'two minutes' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.commands).toContain(
      '::error::Input "deadline-seconds" must be a whole number from 0 to 86400; got "two minutes".',
    );
  });
});
