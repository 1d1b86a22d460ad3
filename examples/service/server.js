#!/usr/bin/env node
// Entry point: reads the environment, listens, and shuts down gracefully on SIGTERM/SIGINT
// (ECS sends SIGTERM, then SIGKILL after stopTimeout).
import { createApp } from './app.js';

const env = process.env;
const port = integer('PORT', 8000);
const host = env.HOST || '0.0.0.0';
const startupDelayMs = integer('STARTUP_DELAY_MS', 0);
const shutdownTimeoutMs = integer('SHUTDOWN_TIMEOUT_MS', 10_000);
const failRate = Number(env.FAIL_RATE || 0);
if (!(failRate >= 0 && failRate <= 1)) fail(`FAIL_RATE must be a number from 0 to 1, got ${env.FAIL_RATE}`);

const log = (line) => process.stdout.write(`${line}\n`);
const server = createApp({
  version: env.APP_VERSION || 'dev',
  apiKey: env.API_KEY || undefined,
  failRate,
  latencyMs: integer('LATENCY_MS', 0),
  log,
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(JSON.stringify({ event: 'shutdown', signal }));
    clearTimeout(startTimer);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => {
      log(JSON.stringify({ event: 'shutdown-timeout', ms: shutdownTimeoutMs }));
      process.exit(1);
    }, shutdownTimeoutMs).unref();
  });
}

// STARTUP_DELAY_MS simulates a slow start (model loading): nothing listens until it has passed.
const startTimer = setTimeout(() => {
  server.listen(port, host, () => {
    const { port: bound } = server.address();
    log(JSON.stringify({ event: 'listening', host, port: bound, version: env.APP_VERSION || 'dev' }));
  });
}, startupDelayMs);

server.on('error', (err) => fail(`cannot listen on ${host}:${port}: ${err.message}`));

function integer(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
