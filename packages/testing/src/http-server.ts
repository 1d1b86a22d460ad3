import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The request body as UTF-8 text ('' when there is none). */
  body: string;
  /** Epoch milliseconds when the request had been read. */
  at: number;
}

/** Handles one request; its body has already been read and is passed as text. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface TestHttpServer {
  /** http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Stops listening and closes every socket, idle or not. */
  close(): Promise<void>;
}

/**
 * A local HTTP server on a free port of 127.0.0.1 that records each request before handing it to
 * `handler`. A handler that throws produces a 500 naming the error.
 */
export async function startHttpServer(handler: HttpHandler): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      });
      Promise.resolve()
        .then(() => handler(req, res, body))
        .catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`test server handler failed: ${err instanceof Error ? err.message : String(err)}`);
        });
    });
  });

  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Listens on a port the OS picks (port 0): free by construction, no race with other processes. */
function listen(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('server has no TCP address'));
      else resolve(address.port);
    });
  });
}
