import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startExampleService } from '@ecs-ship/testing/example-service';
import type { ExampleService } from '@ecs-ship/testing/example-service';
import { freePort } from '@ecs-ship/testing/free-port';
import { isPidAlive } from '@ecs-ship/testing/process';
import { createServer } from 'node:net';

const SMILES = 'CC(=O)Oc1ccccc1C(=O)O';

async function rank(service: ExampleService, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${service.url}/rank`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('example service with an API key', () => {
  let service: ExampleService;

  beforeAll(async () => {
    service = await startExampleService({ env: { API_KEY: 'k3y', APP_VERSION: '1.2.3' } });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('GET /health reports the version', async () => {
    const response = await fetch(`${service.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: '1.2.3' });
  });

  it('GET /openapi.json describes the endpoints', async () => {
    const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toBe('1.2.3');
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/rank']);
    expect(Object.keys(doc.paths['/rank']!)).toEqual(['post']);
  });

  it('POST /rank ranks deterministically, top_k defaults to 5', async () => {
    const first = await rank(service, { smiles: SMILES }, { 'x-api-key': 'k3y' });
    const again = await rank(service, { smiles: SMILES }, { 'x-api-key': 'k3y' });
    expect(first.status).toBe(200);
    expect(first.json).toEqual(again.json);
    const results = first.json.results as Array<{ target: string; score: number }>;
    expect(results).toHaveLength(5);
    for (const { target, score } of results) {
      expect(typeof target).toBe('string');
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThan(1);
    }
    expect([...results].sort((a, b) => b.score - a.score)).toEqual(results);

    const fifty = await rank(service, { smiles: 'CCO', top_k: 50 }, { 'x-api-key': 'k3y' });
    expect(new Set((fifty.json.results as Array<{ target: string }>).map((r) => r.target)).size).toBe(50);
  });

  it.each([
    ['a missing key', undefined],
    ['a wrong key', 'nope'],
  ])('POST /rank answers 401 for %s', async (_label, key) => {
    const { status, json } = await rank(
      service,
      { smiles: SMILES },
      key === undefined ? {} : { 'x-api-key': key },
    );
    expect(status).toBe(401);
    expect(json.detail).toMatch(/API key/);
  });

  it.each([
    ['invalid JSON', '{"smiles":'],
    ['a non-object', '[]'],
    ['no smiles', { top_k: 3 }],
    ['an empty smiles', { smiles: '' }],
    ['a non-SMILES string', { smiles: 'hello world!' }],
    ['top_k 0', { smiles: SMILES, top_k: 0 }],
    ['top_k 51', { smiles: SMILES, top_k: 51 }],
    ['a fractional top_k', { smiles: SMILES, top_k: 2.5 }],
  ])('POST /rank answers 400 for %s', async (_label, body) => {
    const { status, json } = await rank(service, body, { 'x-api-key': 'k3y' });
    expect(status).toBe(400);
    expect(typeof json.detail).toBe('string');
  });

  it('answers 404 for an unknown path', async () => {
    const response = await fetch(`${service.url}/predict`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });
});

describe('example service process', () => {
  it('disables auth when API_KEY is unset and defaults the version to dev', async () => {
    const service = await startExampleService();
    try {
      expect(await (await fetch(`${service.url}/health`)).json()).toEqual({ status: 'ok', version: 'dev' });
      expect((await rank(service, { smiles: SMILES, top_k: 1 })).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('listens only after STARTUP_DELAY_MS', async () => {
    const service = await startExampleService({ env: { STARTUP_DELAY_MS: '1500' }, waitUntilHealthy: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(fetch(`${service.url}/health`)).rejects.toThrow();
      await expect(
        (async () => {
          for (;;) {
            try {
              return (await fetch(`${service.url}/health`)).status;
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
        })(),
      ).resolves.toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('FAIL_RATE=1 turns every /rank into a 500 while /health stays up', async () => {
    const service = await startExampleService({ env: { FAIL_RATE: '1' } });
    try {
      expect((await rank(service, { smiles: SMILES })).status).toBe(500);
      expect((await fetch(`${service.url}/health`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('exits 0 on SIGTERM after finishing the request in flight', async () => {
    const service = await startExampleService({ env: { LATENCY_MS: '500' } });
    const inFlight = rank(service, { smiles: SMILES });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = service.stop();
    expect((await inFlight).status).toBe(200);
    expect(await stopped).toEqual({ code: 0, signal: null });
    expect(isPidAlive(service.pid)).toBe(false);
    expect(service.output()).toContain('"event":"shutdown"');
  });

  it('refuses a bad FAIL_RATE at startup', async () => {
    await expect(startExampleService({ env: { FAIL_RATE: '2' } })).rejects.toThrow(
      /FAIL_RATE must be a number/,
    );
  });
});

describe('startExampleService when its port is taken', () => {
  it('starts again on another port after EADDRINUSE', async () => {
    // A listener that accepts and drops connections: the service cannot bind, /health never answers.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const handedOut: number[] = [];
    try {
      const service = await startExampleService({
        ports: async () => {
          const port = handedOut.length === 0 ? taken : await freePort();
          handedOut.push(port);
          return port;
        },
      });
      try {
        expect(handedOut).toHaveLength(2);
        expect(handedOut[0]).toBe(taken);
        expect(service.port).toBe(handedOut[1]);
        expect((await fetch(`${service.url}/health`)).status).toBe(200);
      } finally {
        await service.stop();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
