// Request handling, separate from process concerns (env, signals) so it can be reused in-process.
import { createServer } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { openApiDocument } from './openapi.js';
import { parseRankRequest, rank } from './rank.js';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * config: { version, apiKey (undefined/'' disables auth), failRate (0..1 of /rank answers that
 * are 500s), latencyMs (added to each /rank), log (line => void) }
 */
export function createApp(config) {
  const { version = 'dev', apiKey, failRate = 0, latencyMs = 0, log = () => {} } = config;
  const openApi = JSON.stringify(openApiDocument(version));

  return createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => {
      log(
        JSON.stringify({
          method: req.method,
          path: req.url,
          status: res.statusCode,
          ms: Date.now() - started,
        }),
      );
    });
    handle(req, res).catch((err) => {
      log(JSON.stringify({ level: 'error', message: String(err && err.stack ? err.stack : err) }));
      if (!res.headersSent) send(res, 500, { detail: 'Internal Server Error' });
      else res.destroy();
    });
  });

  async function handle(req, res) {
    const path = new URL(req.url ?? '/', 'http://service').pathname;
    const route = ROUTES[path];
    if (!route) return send(res, 404, { detail: 'Not Found' });
    if (route !== req.method) {
      res.setHeader('allow', route);
      return send(res, 405, { detail: 'Method Not Allowed' });
    }
    if (path === '/health') return send(res, 200, { status: 'ok', version });
    if (path === '/openapi.json') return sendRaw(res, 200, openApi);

    // POST /rank
    if (!authorized(req.headers['x-api-key']))
      return send(res, 401, { detail: 'Invalid or missing API key' });
    const text = await readBody(req);
    if (text === undefined) return send(res, 413, { detail: `Body larger than ${MAX_BODY_BYTES} bytes` });
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, { detail: 'Body is not valid JSON' });
    }
    const parsed = parseRankRequest(body);
    if (parsed.error) return send(res, 400, { detail: parsed.error });
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (failRate > 0 && Math.random() < failRate)
      return send(res, 500, { detail: 'Injected failure (FAIL_RATE)' });
    return send(res, 200, { results: rank(parsed.smiles, parsed.topK) });
  }

  function authorized(presented) {
    if (!apiKey) return true;
    if (typeof presented !== 'string') return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(apiKey);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

const ROUTES = { '/health': 'GET', '/openapi.json': 'GET', '/rank': 'POST' };

/** The body as text, or undefined when it exceeds MAX_BODY_BYTES. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, data) {
  sendRaw(res, status, JSON.stringify(data));
}

function sendRaw(res, status, json) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
