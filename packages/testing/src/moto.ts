import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';
import { killOnExit, stopProcess } from './process.js';
import { waitForHttp } from './wait-for-http.js';

const INSTALL_HINT =
  'Install it with: pip install "moto[server]" (moto 5.2 is what the suite is tested with).';

export interface MotoOptions {
  /** Extra environment for moto itself, e.g. { MOTO_ECS_SERVICE_RUNNING: '2' } for running counts. */
  env?: Record<string, string>;
  /** How long to wait for the server to answer (default 20 s). */
  startTimeoutMs?: number;
}

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  pid: number;
  /** Forget every resource (POST /moto-api/reset); call between tests. */
  reset(): Promise<void>;
  /** Kills the server by pid and resolves once it has exited. */
  stop(): Promise<void>;
}

export interface MotoClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}

/**
 * Starts `moto_server` (the AWS emulator, found on PATH) on a free port of 127.0.0.1 and waits
 * until it answers. Throws, never skips, when moto is missing or does not start.
 */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const binary = findOnPath('moto_server');
  if (binary === undefined) {
    throw new Error(`moto_server was not found on PATH. ${INSTALL_HINT}`);
  }
  // The port can be taken between freePort() and moto binding it; try a few ports.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(binary, await freePort(), options);
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /address already in use/i.test(err.message))) break;
    }
  }
  throw lastError;
}

async function launch(binary: string, port: number, options: MotoOptions): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in a terminal reaches the parent, which cancels what runs
    // (whose cleanup still needs this server) and then stops it by its pid.
    detached: true,
  });
  let log = '';
  const keep = (chunk: string) => (log = (log + chunk).slice(-4000));
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  killOnExit('moto-servers', child);

  try {
    await waitForHttp(`${endpoint}/moto-api/data.json`, {
      timeoutMs: options.startTimeoutMs ?? 20_000,
      abortReason: () => {
        if (spawnError) return spawnError.message;
        if (child.exitCode !== null || child.signalCode !== null) {
          return `moto_server exited (${child.exitCode ?? child.signalCode})`;
        }
        return undefined;
      },
    });
  } catch (err) {
    await stopProcess(child, 1_000);
    throw new Error(
      `moto_server did not start on ${endpoint}: ${(err as Error).message}\n${log.trim()}\n${INSTALL_HINT}`,
      { cause: err },
    );
  }
  if (child.pid === undefined) throw new Error('moto_server started without a pid');
  const pid = child.pid;
  // Drain output so a chatty server never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();

  return {
    endpoint,
    port,
    pid,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    async stop() {
      await stopProcess(child);
    },
  };
}

/** Options for an AWS SDK v3 client that talks to moto. */
export function motoClientConfig(endpoint: string): MotoClientConfig {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
}

/** Environment for a dist run whose AWS SDK clients should reach moto. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
