import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DOCKER_INSTALL_COMMAND } from './docker-daemon.js';
import { freePort } from './free-port.js';
import { killOnExit, stopProcess } from './process.js';
import { waitForHttp } from './wait-for-http.js';

const run = promisify(execFile);
const REGISTRY = '/usr/bin/docker-registry';
const HTPASSWD = '/usr/bin/htpasswd';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`: plain HTTP on loopback needs no --insecure-registry. */
  host: string;
  storageDir: string;
  pid: number;
  /** Bytes under storageDir (blobs and manifests): what pushes stored, from the registry's own storage. */
  storedBytes(): Promise<number>;
  /** The registry's log so far (one access-log line per request, with method and path). */
  log(): string;
  /** Stops the registry by its pid and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1 and a free port, with its own
 * configuration (the packaged one listens on every interface), filesystem storage in a new
 * temporary directory and bcrypt htpasswd auth for one user. Resolves once /v2/ answers 401.
 */
export async function startRegistry(credentials: RegistryCredentials): Promise<RegistryServer> {
  let lastError: unknown;
  // The port can be taken between freePort() and the registry binding it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(credentials, await freePort());
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && /address already in use/i.test(error.message))) break;
    }
  }
  throw lastError;
}

async function launch(credentials: RegistryCredentials, port: number): Promise<RegistryServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'registry-'));
  const storageDir = path.join(root, 'storage');
  const htpasswdFile = path.join(root, 'htpasswd');
  try {
    // -B: bcrypt, the only hash distribution's htpasswd auth accepts. The password is an argument
    // here: test credentials only.
    const { stdout } = await run(HTPASSWD, ['-Bbn', credentials.username, credentials.password]);
    await writeFile(htpasswdFile, stdout, { mode: 0o600 });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw new Error(`htpasswd failed (${(error as Error).message}). Install it: ${DOCKER_INSTALL_COMMAND}`, {
      cause: error,
    });
  }
  const host = `127.0.0.1:${port}`;
  const configFile = path.join(root, 'config.yml');
  await writeFile(configFile, registryConfig({ host, storageDir, htpasswdFile }));

  // The log goes to a file, not a pipe: a test that blocks its event loop (spawnSync of a docker
  // build) would stop draining a pipe, and the registry, one access-log line per request, would
  // block writing to it mid-push. Measured: pushes hung at "pushing layers" after ~64 KB of log.
  const logFile = path.join(root, 'registry.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(REGISTRY, ['serve', configFile], {
    stdio: ['ignore', logFd, logFd],
    // Its own process group: a Ctrl-C in a terminal reaches the parent, which cancels what runs
    // (whose cleanup still needs this server) and then stops it by its pid.
    detached: true,
  });
  closeSync(logFd);
  let finalLog: string | undefined;
  const log = () => finalLog ?? readLog(logFile);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  killOnExit('registry-servers', child);
  const stop = async () => {
    await stopProcess(child, 5_000);
    finalLog ??= readLog(logFile);
    await rm(root, { recursive: true, force: true });
  };

  try {
    await waitForHttp(`http://${host}/v2/`, {
      timeoutMs: 15_000,
      abortReason: () => {
        if (spawnError) return `${spawnError.message}. Install it: ${DOCKER_INSTALL_COMMAND}`;
        if (child.exitCode !== null)
          return `docker-registry exited (${child.exitCode}): ${log().slice(-800)}`;
        return undefined;
      },
    });
    const probe = await fetch(`http://${host}/v2/`);
    await probe.arrayBuffer();
    if (probe.status !== 401) throw new Error(`/v2/ answered ${probe.status} without credentials, not 401`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host,
    storageDir,
    pid: child.pid as number,
    storedBytes: () => directoryBytes(storageDir),
    log,
    stop,
  };
}

function registryConfig(options: { host: string; storageDir: string; htpasswdFile: string }): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${options.storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${options.host}`,
    'auth:',
    '  htpasswd:',
    '    realm: ecs-ship-test',
    `    path: ${options.htpasswdFile}`,
    '',
  ].join('\n');
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function directoryBytes(directory: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return 0; // nothing pushed yet: the registry creates its storage on the first upload
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}
