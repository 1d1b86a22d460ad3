import { once } from 'node:events';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
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
    const agent = new Agent({ keepAlive: true });
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const req = request(`${server.url}/`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.socket as Socket));
        });
        req.on('error', reject).end();
      });
      const socketClosed = once(socket, 'close');
      expect(socket.destroyed).toBe(false);
      await server.close();
      // The server ended the idle keep-alive socket itself; the client sees it close.
      await socketClosed;
      expect(socket.destroyed).toBe(true);
      await expect(fetch(server.url)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });
});
