import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { stopProcess } from './process.js';
import { waitForHttp } from './wait-for-http.js';

/** examples/service/server.js in this repository. */
export const EXAMPLE_SERVICE_ENTRY = fileURLToPath(
  new URL('../../../examples/service/server.js', import.meta.url),
);

export interface ExampleServiceOptions {
  /** Service environment (APP_VERSION, API_KEY, STARTUP_DELAY_MS, FAIL_RATE, LATENCY_MS...). */
  env?: Record<string, string>;
  /** Wait until GET /health answers before resolving (default true); false resolves once spawned. */
  waitUntilHealthy?: boolean;
  /** How long to wait for /health (default 20 s). */
  startTimeoutMs?: number;
  /** Where ports come from (default freePort); a test of the retry hands out a taken one first. */
  ports?: () => Promise<number>;
}

export interface ExampleService {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  pid: number;
  /** Everything the service printed so far (its JSON access log, errors). */
  output(): string;
  /** SIGTERM by pid (SIGKILL after 5 s); resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs examples/service as a child process on a free port of 127.0.0.1. Another process can take the
 * port between freePort() and the service binding it; when the service reports EADDRINUSE, it is
 * started again on another port (as startMoto does).
 */
export async function startExampleService(options: ExampleServiceOptions = {}): Promise<ExampleService> {
  const ports = options.ports ?? freePort;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(await ports(), options);
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message))) break;
    }
  }
  throw lastError;
}

async function launch(port: number, options: ExampleServiceOptions): Promise<ExampleService> {
  const child = spawn(process.execPath, [EXAMPLE_SERVICE_ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const service: ExampleService = {
    url,
    port,
    pid: child.pid ?? -1,
    output: () => output,
    stop: () => stopProcess(child),
  };
  if (options.waitUntilHealthy !== false) {
    try {
      await waitForHttp(`${url}/health`, {
        timeoutMs: options.startTimeoutMs ?? 20_000,
        abortReason: () =>
          child.exitCode !== null || child.signalCode !== null
            ? `the service exited: ${output.trim()}`
            : undefined,
      });
    } catch (err) {
      await service.stop();
      throw err;
    }
  }
  return service;
}
