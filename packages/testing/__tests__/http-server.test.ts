import { request } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { startHttpServer } from '@ecs-ship/testing/http-server';

describe('startHttpServer', () => {
  it('serves on 127.0.0.1 and records requests with their bodies', async () => {
    const server = await startHttpServer((req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: body, method: req.method }));
    });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const response = await fetch(`${server.url}/hook?x=1`, {
        method: 'POST',
        headers: { 'x-test': 'yes' },
        body: 'hello',
      });
      expect(await response.json()).toEqual({ echo: 'hello', method: 'POST' });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/hook?x=1', body: 'hello' });
      expect(server.requests[0]?.headers['x-test']).toBe('yes');
      expect(server.requests[0]?.at).toBeLessThanOrEqual(Date.now());
    } finally {
      await server.close();
    }
  });

  it('answers 500 when the handler throws', async () => {
    const server = await startHttpServer(() => {
      throw new Error('boom');
    });
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(500);
      expect(await response.text()).toContain('boom');
    } finally {
      await server.close();
    }
  });

  it('close() ends open keep-alive connections instead of waiting for them', async () => {
    const server = await startHttpServer((_req, res) => {
      res.end('ok');
    });
    const agentRequest = new Promise<void>((resolve, reject) => {
      request(`${server.url}/`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    await agentRequest;
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
