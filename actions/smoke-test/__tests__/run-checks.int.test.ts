import { afterEach, describe, expect, it } from '@jest/globals';
import { systemClock } from '@ecs-ship/shared/clock';
import { parseYamlText } from '@ecs-ship/shared/inputs';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { startExampleService, type ExampleService } from '@ecs-ship/testing/example-service';
import { freePort } from '@ecs-ship/testing/free-port';
import { startHttpServer, type TestHttpServer } from '@ecs-ship/testing/http-server';
import { httpProbe } from '../src/http-probe.js';
import { parseChecks } from '../src/parse-checks.js';
import { runChecks } from '../src/run-checks.js';

// Real HTTP against servers on 127.0.0.1 that the tests start and stop.
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function server(handler: Parameters<typeof startHttpServer>[0]): Promise<TestHttpServer> {
  const started = await startHttpServer(handler);
  stops.push(() => started.close());
  return started;
}

async function run(
  yaml: string,
  baseUrl: string,
  overrides: Partial<{ deadlineMs: number; timeoutMs: number }> = {},
) {
  const checks = parseChecks(parseYamlText(yaml, 'checks'), new URL(baseUrl));
  const logger = new MemoryLogger();
  const results = await runChecks(
    checks,
    {
      deadline: Date.now() + (overrides.deadlineMs ?? 5000),
      retryIntervalMs: 100,
      consecutiveSuccesses: 1,
      timeoutMs: overrides.timeoutMs ?? 2000,
    },
    { probe: httpProbe, clock: systemClock, logger },
  );
  return { results, logger };
}

describe('smoke checks against real local servers', () => {
  it('waits for a slow-starting service (connection refused, then healthy)', async () => {
    const service: ExampleService = await startExampleService({
      env: { STARTUP_DELAY_MS: '700' },
      waitUntilHealthy: false,
    });
    stops.push(() => service.stop());
    const { results, logger } = await run(
      '- name: health\n  path: /health\n  expect: { status: 200, json: { "$.status": ok } }',
      service.url,
    );
    expect(results[0]).toMatchObject({ passed: true });
    expect(results[0]?.attempts).toBeGreaterThan(1);
    expect(logger.lines[0]).toMatch(
      /^✘ health: attempt 1: response was connect ECONNREFUSED 127\.0\.0\.1:\d+, expected status 200; retrying$/,
    );
  });

  it('passes the example service with its API key and a JSON body', async () => {
    const service = await startExampleService({ env: { API_KEY: 'k-123456' } });
    stops.push(() => service.stop());
    const { results } = await run(
      `
- name: rank
  method: POST
  path: /rank
  headers: { X-API-Key: k-123456 }
  json: { smiles: "CC(=O)Oc1ccccc1C(=O)O", top_k: 5 }
  expect: { status: 2xx, json: { "$.results.length": 5 }, max-latency-ms: 2000 }
- name: unauthorised
  method: POST
  path: /rank
  json: { smiles: "C" }
  expect: { status: 401 }
- name: openapi
  path: /openapi.json
  expect: { json: { "$.openapi": "3.0.3" }, headers: { content-type: "/application\\\\/json/" } }`,
      service.url,
    );
    expect(results.map((result) => [result.check.name, result.passed, result.last?.mismatches])).toEqual([
      ['rank', true, []],
      ['unauthorised', true, []],
      ['openapi', true, []],
    ]);
  });

  it('retries through 503s until a 200', async () => {
    let count = 0;
    const target = await server((_req, res) => {
      count += 1;
      res.writeHead(count < 3 ? 503 : 200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    const { results } = await run('- name: ready\n  path: /ready', target.url);
    expect(results[0]).toMatchObject({ passed: true, attempts: 3, last: { status: 200 } });
  });

  it('follows redirects, or reports them when told not to', async () => {
    const target = await server((req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
      else res.writeHead(200).end('moved here');
    });
    const { results } = await run(
      `
- name: followed
  path: /old
  expect: { status: 200, body-contains: moved here }
- name: not-followed
  path: /old
  follow-redirects: false
  expect: { status: 302, headers: { location: /new } }`,
      target.url,
    );
    expect(results.map((result) => result.passed)).toEqual([true, true]);
    expect(target.requests.map((request) => request.url)).toEqual(expect.arrayContaining(['/old', '/new']));
  });

  it('fails on wrong JSON with what was expected and what came back', async () => {
    const target = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"degraded"}');
    });
    const { results } = await run(
      '- name: health\n  path: /health\n  expect: { json: { "$.status": ok } }',
      target.url,
      {
        deadlineMs: 400,
      },
    );
    expect(results[0]).toMatchObject({
      passed: false,
      last: { status: 200, mismatches: [{ what: 'json $.status', expected: '"ok"', actual: '"degraded"' }] },
    });
    expect(results[0]?.attempts).toBeGreaterThan(1);
  });

  it('times out slow responses and flags latency over the limit', async () => {
    const target = await server((req, res) => {
      const delay = req.url === '/very-slow' ? 1500 : 150;
      setTimeout(() => res.writeHead(200).end('late'), delay);
    });
    const { results } = await run(
      `
- name: very-slow
  path: /very-slow
- name: slow
  path: /slow
  expect: { max-latency-ms: 50 }`,
      target.url,
      { deadlineMs: 300, timeoutMs: 300 },
    );
    expect(results[0]).toMatchObject({ passed: false, last: { error: 'no response within 300 ms' } });
    expect(results[1]).toMatchObject({
      passed: false,
      last: { status: 200, mismatches: [{ what: 'latency', expected: 'at most 50 ms' }] },
    });
  });

  it('reports connection refused', async () => {
    const port = await freePort();
    const { results } = await run('- name: nothing\n  path: /', `http://127.0.0.1:${port}`, {
      deadlineMs: 300,
    });
    expect(results[0]).toMatchObject({ passed: false });
    expect(results[0]?.last?.error).toMatch(/ECONNREFUSED/);
  });

  it('drops credential headers on a redirect to another origin and keeps them on the same one', async () => {
    const other = await server((_req, res) => {
      res.writeHead(200).end('landed');
    });
    const origin = await server((req, res) => {
      if (req.url === '/away') res.writeHead(307, { location: `${other.url}/landing` }).end();
      else if (req.url === '/here') res.writeHead(301, { location: '/there' }).end();
      else res.writeHead(200).end('stayed');
    });
    const { results } = await run(
      `
- name: away
  path: /away
  headers: { X-API-Key: k-away-123, Authorization: Bearer t-away, Cookie: s=1, X-Trace: t1 }
  expect: { body-contains: landed }
- name: here
  path: /here
  headers: { X-API-Key: k-here-456 }
  expect: { body-contains: stayed }`,
      origin.url,
    );
    expect(results.map((result) => result.passed)).toEqual([true, true]);
    expect(results[0]?.last?.finalUrl).toBe(`${other.url}/landing`);
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]?.headers['x-api-key']).toBeUndefined();
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
    expect(other.requests[0]?.headers.cookie).toBeUndefined();
    expect(other.requests[0]?.headers['x-trace']).toBe('t1');
    const there = origin.requests.find((request) => request.url === '/there');
    expect(there?.headers['x-api-key']).toBe('k-here-456');
  });

  it('follows 303 as a GET without the body and 307 with the same method and body', async () => {
    const target = await server((req, res, body) => {
      if (req.url === '/see-other') res.writeHead(303, { location: '/result' }).end();
      else if (req.url === '/temporary') res.writeHead(307, { location: '/result' }).end();
      else res.writeHead(200).end(`${req.method} ${body}`);
    });
    const { results } = await run(
      `
- name: see-other
  method: POST
  path: /see-other
  json: { a: 1 }
  expect: { body-contains: "GET " }
- name: temporary
  method: POST
  path: /temporary
  json: { a: 1 }
  expect: { body-contains: 'POST {"a":1}' }`,
      target.url,
    );
    expect(results.map((result) => [result.check.name, result.passed])).toEqual([
      ['see-other', true],
      ['temporary', true],
    ]);
    const resultRequests = target.requests.filter((request) => request.url === '/result');
    expect(resultRequests.map((request) => [request.method, request.headers['content-type']])).toEqual(
      expect.arrayContaining([
        ['GET', undefined],
        ['POST', 'application/json'],
      ]),
    );
  });

  it('gives up after ten redirects', async () => {
    const target = await server((req, res) => {
      const hop = Number((req.url ?? '/0').slice(1));
      res.writeHead(302, { location: `/${hop + 1}` }).end();
    });
    const { results } = await run('- name: loop\n  path: /0', target.url, { deadlineMs: 0 });
    expect(results[0]?.last?.error).toBe('more than 10 redirects');
    expect(target.requests.map((request) => request.url)).toHaveLength(11);
  });

  it('sends URL credentials as Basic authorization', async () => {
    const target = await server((req, res) => {
      res
        .writeHead(
          req.headers.authorization === `Basic ${Buffer.from('ops:pa ss').toString('base64')}` ? 200 : 401,
        )
        .end();
    });
    const withCredentials = target.url.replace('http://', 'http://ops:pa%20ss@');
    const { results } = await run('- name: private\n  path: /private', withCredentials);
    expect(results[0]).toMatchObject({ passed: true, last: { status: 200 } });
  });
});
