import { isDeepStrictEqual } from 'node:util';
import { describeStatus, statusMatches, type Expectation, type HeaderExpectation } from './check.js';
import type { ProbeResult } from './http-probe.js';
import { selectJsonPath } from './json-path.js';

/** One way a response differed from the expectation. */
export interface Mismatch {
  what: string;
  expected: string;
  actual: string;
}

/** Every mismatch between a response and the check's expectation; empty means the attempt passed. */
export function evaluate(expectation: Expectation, probe: ProbeResult): Mismatch[] {
  if (probe.status === undefined) {
    return [
      {
        what: 'response',
        expected: `status ${describeStatus(expectation.status)}`,
        actual: probe.error ?? 'none',
      },
    ];
  }
  const mismatches: Mismatch[] = [];
  if (!statusMatches(expectation.status, probe.status)) {
    mismatches.push({
      what: 'status',
      expected: describeStatus(expectation.status),
      actual: String(probe.status),
    });
  }
  for (const text of expectation.bodyContains) {
    if (!probe.body.includes(text)) {
      mismatches.push({
        what: 'body',
        expected: `contains ${JSON.stringify(text)}`,
        actual: excerpt(probe.body),
      });
    }
  }
  if (expectation.json.length > 0) mismatches.push(...evaluateJson(expectation.json, probe.body));
  for (const [name, header] of Object.entries(expectation.headers)) {
    const actual = probe.headers[name.toLowerCase()];
    if (actual === undefined || !headerMatches(header, actual)) {
      mismatches.push({ what: `header ${name}`, expected: header.expected, actual: actual ?? '(absent)' });
    }
  }
  if (expectation.maxLatencyMs !== undefined && probe.latencyMs > expectation.maxLatencyMs) {
    mismatches.push({
      what: 'latency',
      expected: `at most ${expectation.maxLatencyMs} ms`,
      actual: `${Math.round(probe.latencyMs)} ms`,
    });
  }
  return mismatches;
}

function evaluateJson(expectations: Expectation['json'], body: string): Mismatch[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return [{ what: 'json', expected: 'a JSON body', actual: excerpt(body) || '(empty body)' }];
  }
  const mismatches: Mismatch[] = [];
  for (const { path, expected } of expectations) {
    const found = selectJsonPath(path, document);
    if (found.length === 0) {
      mismatches.push({ what: `json ${path}`, expected: JSON.stringify(expected), actual: '(no match)' });
      continue;
    }
    const actual = found.length === 1 ? found[0] : found;
    if (!jsonValueMatches(expected, actual)) {
      mismatches.push({
        what: `json ${path}`,
        expected: JSON.stringify(expected),
        actual: excerpt(JSON.stringify(actual)),
      });
    }
  }
  return mismatches;
}

/**
 * YAML reads `ok` as a string and `5` as a number, as JSON would. A scalar written in YAML also
 * matches the same scalar in the body's other type ("5" and 5), because a smoke test asserts what a
 * person reads, not the serializer's choice.
 */
export function jsonValueMatches(expected: unknown, actual: unknown): boolean {
  if (isDeepStrictEqual(expected, actual)) return true;
  const scalar = (value: unknown): value is string | number | boolean =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  return scalar(expected) && scalar(actual) && String(expected) === String(actual);
}

/** A header expectation is the exact value, or /a regular expression/ (compiled when parsed). */
function headerMatches({ expected, pattern }: HeaderExpectation, actual: string): boolean {
  if (pattern) {
    pattern.lastIndex = 0;
    return pattern.test(actual);
  }
  return expected.trim() === actual.trim();
}

export function excerpt(text: string, limit = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}
