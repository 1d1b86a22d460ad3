import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretRegistry } from '@ecs-ship/shared/secrets';
import { describeStatus } from './check.js';
import { maskCredentialParameters } from './query-credentials.js';
import type { CheckResult } from './run-checks.js';

export interface JsonReport {
  passed: boolean;
  failedCount: number;
  startedAt: string;
  durationMs: number;
  checks: Array<{
    name: string;
    method: string;
    url: string;
    passed: boolean;
    attempts: number;
    expected: {
      status: string;
      bodyContains: string[];
      json: Record<string, unknown>;
      headers: Record<string, string>;
      maxLatencyMs?: number;
    };
    last?: {
      status?: number;
      latencyMs: number;
      error?: string;
      /** Where redirects led, when that is not `url`. */
      finalUrl?: string;
      mismatches: Array<{ what: string; expected: string; actual: string }>;
    };
    passedAfterMs?: number;
    requestHeaderNames: string[];
  }>;
}

/** The machine-readable report: header names only (values may be credentials), then redacted whole. */
export function buildJsonReport(
  results: readonly CheckResult[],
  startedAt: number,
  durationMs: number,
  secrets: SecretRegistry,
): JsonReport {
  const checks = results.map(({ check, passed, attempts, last, passedAfterMs }) => ({
    name: check.name,
    method: check.method,
    url: urlWithoutCredentials(check.url),
    passed,
    attempts,
    expected: {
      status: describeStatus(check.expect.status),
      bodyContains: check.expect.bodyContains,
      json: Object.fromEntries(check.expect.json.map(({ path, expected }) => [path, expected])),
      headers: Object.fromEntries(
        Object.entries(check.expect.headers).map(([name, header]) => [name, header.expected]),
      ),
      ...(check.expect.maxLatencyMs !== undefined ? { maxLatencyMs: check.expect.maxLatencyMs } : {}),
    },
    ...(last
      ? {
          last: {
            ...(last.status !== undefined ? { status: last.status } : {}),
            latencyMs: Math.round(last.latencyMs),
            ...(last.error !== undefined ? { error: last.error } : {}),
            ...(last.finalUrl !== undefined
              ? { finalUrl: urlWithoutCredentials(new URL(last.finalUrl)) }
              : {}),
            mismatches: last.mismatches,
          },
        }
      : {}),
    ...(passedAfterMs !== undefined ? { passedAfterMs } : {}),
    requestHeaderNames: Object.keys(check.headers),
  }));
  const failedCount = results.filter((result) => !result.passed).length;
  return secrets.redactValue({
    passed: failedCount === 0,
    failedCount,
    startedAt: new Date(startedAt).toISOString(),
    durationMs,
    checks,
  });
}

export interface ReportFiles {
  reportFile: string;
  junitFile: string;
}

/** Writes the JSON report and the JUnit XML into `directory` (created if needed). */
export async function writeReports(
  report: JsonReport,
  directory: string,
  secrets: SecretRegistry,
): Promise<ReportFiles> {
  await mkdir(directory, { recursive: true });
  const reportFile = path.join(directory, 'smoke-test-report.json');
  const junitFile = path.join(directory, 'smoke-test-junit.xml');
  await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(junitFile, secrets.redact(buildJunitXml(report)));
  return { reportFile, junitFile };
}

/** JUnit XML as test-report actions read it: one test case per check. */
export function buildJunitXml(report: JsonReport): string {
  const cases = report.checks.map((check) => {
    const time = ((check.passedAfterMs ?? check.last?.latencyMs ?? 0) / 1000).toFixed(3);
    const open = `    <testcase classname="smoke-test" name="${xml(check.name)}" time="${time}"`;
    if (check.passed) return `${open}/>`;
    const problems = check.last?.mismatches.map(
      (m) => `${m.what}: expected ${m.expected}, got ${m.actual}`,
    ) ?? ['no attempt was made'];
    const message = problems[0] ?? 'failed';
    const redirected = check.last?.finalUrl ? ` (answered by ${check.last.finalUrl})` : '';
    return `${open}>\n      <failure message="${xml(message)}" type="SmokeCheckFailed">${xml(
      `${check.method} ${check.url}${redirected} after ${check.attempts} attempt(s)\n${problems.join('\n')}`,
    )}</failure>\n    </testcase>`;
  });
  const seconds = (report.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="smoke-test" tests="${report.checks.length}" failures="${report.failedCount}" time="${seconds}">`,
    `  <testsuite name="smoke-test" tests="${report.checks.length}" failures="${report.failedCount}" errors="0" skipped="0" time="${seconds}" timestamp="${report.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  // XML 1.0 forbids most control characters even when escaped; drop them.
  const allowed = [...text].filter((char) => {
    const code = char.codePointAt(0) ?? 0;
    return (
      code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code !== 0xfffe && code !== 0xffff)
    );
  });
  return allowed
    .join('')
    .replace(
      /[&<>"']/g,
      (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] ?? char,
    );
}

/**
 * The URL as shown: no userinfo, and `***` for the value of a credential-like query parameter, even
 * one too short to be registered as a secret or one a redirect added.
 */
export function urlWithoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return maskCredentialParameters(copy.href);
}
