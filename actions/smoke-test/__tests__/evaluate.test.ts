import { describe, expect, it } from '@jest/globals';
import type { Expectation } from '../src/check.js';
import { evaluate, jsonValueMatches } from '../src/evaluate.js';
import type { ProbeResult } from '../src/http-probe.js';
import { jsonPathSyntaxError, selectJsonPath } from '../src/json-path.js';

const expectation = (overrides: Partial<Expectation> = {}): Expectation => ({
  status: [{ kind: 'class', hundreds: 2 }],
  bodyContains: [],
  json: [],
  headers: {},
  ...overrides,
});
const response = (overrides: Partial<ProbeResult> = {}): ProbeResult => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"status":"ok","results":[{"score":1},{"score":2}],"count":"2"}',
  latencyMs: 40,
  ...overrides,
});

describe('evaluate', () => {
  it('passes a matching response', () => {
    const rules = expectation({
      status: [{ kind: 'exact', code: 200 }],
      bodyContains: ['"ok"'],
      json: [
        { path: '$.status', expected: 'ok' },
        { path: '$.results.length', expected: 2 },
        { path: '$.results[*].score', expected: [1, 2] },
        { path: '$.count', expected: 2 },
      ],
      headers: { 'Content-Type': { expected: '/json/', pattern: /json/ } },
      maxLatencyMs: 100,
    });
    expect(evaluate(rules, response())).toEqual([]);
  });

  it('reports every difference with what was expected and what came back', () => {
    const rules = expectation({
      bodyContains: ['healthy'],
      json: [
        { path: '$.status', expected: 'degraded' },
        { path: '$.missing', expected: 1 },
      ],
      headers: { 'X-Version': { expected: '2' } },
      maxLatencyMs: 10,
    });
    expect(evaluate(rules, response({ status: 503 }))).toEqual([
      { what: 'status', expected: '2xx', actual: '503' },
      { what: 'body', expected: 'contains "healthy"', actual: expect.stringContaining('"status":"ok"') },
      { what: 'json $.status', expected: '"degraded"', actual: '"ok"' },
      { what: 'json $.missing', expected: '1', actual: '(no match)' },
      { what: 'header X-Version', expected: '2', actual: '(absent)' },
      { what: 'latency', expected: 'at most 10 ms', actual: '40 ms' },
    ]);
  });

  it('says when the body is not JSON', () => {
    const rules = expectation({ json: [{ path: '$.status', expected: 'ok' }] });
    expect(evaluate(rules, response({ body: '<html>oops</html>' }))).toEqual([
      { what: 'json', expected: 'a JSON body', actual: '<html>oops</html>' },
    ]);
  });

  it('reports a connection error as the response', () => {
    expect(
      evaluate(
        expectation(),
        response({ status: undefined, error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }),
      ),
    ).toEqual([
      { what: 'response', expected: 'status 2xx', actual: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' },
    ]);
  });
});

describe('jsonValueMatches', () => {
  it.each([
    ['ok', 'ok', true],
    [5, 5, true],
    [5, '5', true],
    [true, 'true', true],
    [{ a: [1] }, { a: [1] }, true],
    ['ok', 'OK', false],
    [null, 'null', false],
    [[1, 2], [2, 1], false],
  ])('%j vs %j: %s', (expected, actual, result) => expect(jsonValueMatches(expected, actual)).toBe(result));
});

describe('JSONPath', () => {
  it.each([
    '$',
    '$.status',
    '$.results.length',
    '$.results[0].score',
    "$['a b']",
    '$..score',
    '$.results[?(@.score>1)]',
  ])('accepts %s', (path) => expect(jsonPathSyntaxError(path)).toBeUndefined());
  it.each(['status', '$.results[', '$.a]', "$['open", '$.a.', '$..', '$[]', '$a', '$..[?(@.x'])(
    'rejects %s',
    (path) => expect(jsonPathSyntaxError(path)).toEqual(expect.any(String)),
  );
  it('selects from scalars and objects', () => {
    expect(selectJsonPath('$', 5)).toEqual([5]);
    expect(selectJsonPath('$.a', 5)).toEqual([]);
    expect(
      selectJsonPath('$.results[?(@.score>1)].score', { results: [{ score: 1 }, { score: 3 }] }),
    ).toEqual([3]);
  });
});
