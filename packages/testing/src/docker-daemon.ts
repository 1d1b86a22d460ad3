import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isPidAlive, killOnExit, stopProcess } from './process.js';

const run = promisify(execFile);

/** The command that installs everything below; .ci/run runs it. */
export const DOCKER_INSTALL_COMMAND = 'bash scripts/install-docker.sh';

/**
 * Where scripts/install-docker.sh puts Debian 13's dockerd 26 + containerd 1.7: the engine with
 * the containerd image store, which buildx's `docker` driver needs to export registry cache.
 */
export const CONTAINERD_STORE_PREFIX = '/opt/ecs-ship-docker';

/** Debian 12's engine and client (docker.io 20.10): no registry cache export. */
const CLASSIC = { dockerd: '/usr/sbin/dockerd', docker: '/usr/bin/docker' };
const STORE = {
  dockerd: `${CONTAINERD_STORE_PREFIX}/bin/dockerd`,
  docker: `${CONTAINERD_STORE_PREFIX}/bin/docker`,
  containerd: `${CONTAINERD_STORE_PREFIX}/bin/containerd`,
  shim: `${CONTAINERD_STORE_PREFIX}/bin/containerd-shim-runc-v2`,
};
/** Every docker client finds it (the 28.x client in /usr/local/bin has no buildx without it). */
const BUILDX_PLUGIN = '/usr/libexec/docker/cli-plugins/docker-buildx';

export interface DockerdOptions {
  /**
   * Run Debian 13's dockerd 26 on its own containerd 1.7 with the containerd image store
   * (`features.containerd-snapshotter`), so `--cache-to type=registry` works with buildx's
   * `docker` driver. Default false: Debian 12's dockerd 20.10, where cache export fails.
   */
  containerdSnapshotter?: boolean;
  /** How long to wait for `docker version` to answer (default 30 s). */
  startTimeoutMs?: number;
}

export interface AvailabilityOptions {
  containerdSnapshotter?: boolean;
  /** For tests of this check: how a file is looked for, and whose uid the process has. */
  fileExists?: (file: string) => boolean;
  uid?: number;
}

export type DockerAvailability = { ok: true } | { ok: false; missing: string; install: string };

/**
 * Whether this machine can run the Docker tier: root, dockerd, a client, the buildx plugin, the
 * registry, htpasswd and busybox (and the containerd-store engine when asked for). Tests fail with
 * `install` when it is not; they never skip.
 */
export function dockerAvailable(options: AvailabilityOptions = {}): DockerAvailability {
  const { fileExists = existsSync, uid = process.getuid?.() } = options;
  const install = `Install it (as root): ${DOCKER_INSTALL_COMMAND}, as .ci/run does.`;
  if (uid !== 0) {
    return { ok: false, missing: 'root: dockerd runs rootful here (the tests start their own)', install };
  }
  const needed: Array<[string, string]> = [
    [CLASSIC.dockerd, 'dockerd (Debian docker.io)'],
    [CLASSIC.docker, 'the docker client (Debian docker.io)'],
    [BUILDX_PLUGIN, 'the buildx plugin (Debian 13 docker-buildx)'],
    ['/usr/bin/docker-registry', 'docker-registry (Debian docker-registry)'],
    ['/usr/bin/htpasswd', 'htpasswd (Debian apache2-utils)'],
    ['/bin/busybox', 'busybox (Debian busybox-static)'],
  ];
  if (options.containerdSnapshotter === true) {
    needed.push(
      [STORE.dockerd, 'dockerd 26 with the containerd image store (Debian 13 docker.io, extracted)'],
      [STORE.docker, 'the docker 26 client (Debian 13 docker-cli, extracted)'],
      [STORE.containerd, 'containerd 1.7 (Debian 13 containerd, extracted)'],
      [STORE.shim, 'containerd-shim-runc-v2 (Debian 13 containerd, extracted)'],
      ['/usr/bin/runc', 'runc (Debian runc, a docker.io dependency)'],
    );
  }
  for (const [file, what] of needed) {
    if (!fileExists(file)) return { ok: false, missing: `${what}: ${file}`, install };
  }
  return { ok: true };
}

export interface DockerDaemon {
  /** The daemon's unix socket. */
  socket: string;
  /** `unix://<socket>`, for DOCKER_HOST. */
  host: string;
  /** dockerd's pid. */
  pid: number;
  /** The docker client to run against it; every client here finds the buildx plugin. */
  dockerBinary: string;
  containerdSnapshotter: boolean;
  /** DOCKER_HOST, and a PATH whose first `docker` is `dockerBinary`. */
  env(): Record<string, string>;
  /** The tail of dockerd's (and containerd's) log. */
  log(): string;
  /** Stops dockerd by its pid, then its containerd, then removes the temporary directory. */
  stop(): Promise<void>;
}

/**
 * Starts a private dockerd as REFERENCE.md section 5 says (no iptables, no bridge, its own config
 * file, data and exec roots, pid file and socket under a new temporary directory) and resolves
 * once `docker version` answers on its socket. The machine's own Docker is never touched.
 */
export async function startDockerd(options: DockerdOptions = {}): Promise<DockerDaemon> {
  const containerdSnapshotter = options.containerdSnapshotter === true;
  const available = dockerAvailable({ containerdSnapshotter });
  if (!available.ok) throw new Error(`Docker tier: ${available.missing} is missing. ${available.install}`);
  const engine = containerdSnapshotter ? STORE : CLASSIC;

  // Short paths: unix socket paths are limited to 108 bytes.
  const root = await mkdtemp(path.join(tmpdir(), 'dockerd-'));
  const socket = path.join(root, 'docker.sock');
  const host = `unix://${socket}`;
  const execRoot = path.join(root, 'exec');
  // Logs go to a file, not a pipe, so a test that blocks its event loop never stalls the daemons.
  const logFile = path.join(root, 'daemon.log');
  let finalLog: string | undefined;
  const log = () => finalLog ?? readTail(logFile);
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    // dockerd first: it still talks to containerd while shutting down.
    for (const child of [...children].reverse()) await stopProcess(child, 10_000);
    // Debian 12's dockerd runs a containerd of its own; it goes with dockerd, unless dockerd was killed.
    stopManagedContainerd(execRoot);
    finalLog ??= readTail(logFile);
    // A dockerd that ran containers with --network host leaves its netns bind mount behind
    // (exec/netns/default); the directory cannot go while it is mounted.
    unmountUnder(root);
    await rm(root, { recursive: true, force: true });
  };

  try {
    const daemonArgs: string[] = [];
    if (containerdSnapshotter) {
      const containerdSocket = path.join(root, 'containerd.sock');
      await writeFile(path.join(root, 'containerd.toml'), containerdConfig(root, containerdSocket));
      children.push(launch(STORE.containerd, ['--config', path.join(root, 'containerd.toml')], logFile));
      daemonArgs.push('--containerd', containerdSocket);
      await waitFor(() => existsSync(containerdSocket), children, 10_000, 'containerd socket');
    }
    await writeFile(
      path.join(root, 'daemon.json'),
      JSON.stringify(containerdSnapshotter ? { features: { 'containerd-snapshotter': true } } : {}),
    );
    const dockerd = launch(
      engine.dockerd,
      [
        '--config-file',
        path.join(root, 'daemon.json'),
        ...daemonArgs,
        '--iptables=false',
        '--ip6tables=false',
        '--bridge=none',
        '--data-root',
        path.join(root, 'data'),
        '--exec-root',
        execRoot,
        '--pidfile',
        path.join(root, 'docker.pid'),
        '-H',
        host,
      ],
      logFile,
    );
    children.push(dockerd);
    await waitForDockerVersion(engine.docker, host, children, options.startTimeoutMs ?? 30_000);

    // A PATH entry whose `docker` is this engine's client, ahead of any other docker.
    const binDir = path.join(root, 'bin');
    await mkdir(binDir);
    await symlink(engine.docker, path.join(binDir, 'docker'));
    const pid = dockerd.pid as number;
    return {
      socket,
      host,
      pid,
      dockerBinary: engine.docker,
      containerdSnapshotter,
      env: () => ({ DOCKER_HOST: host, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` }),
      log,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw new Error(
      `dockerd (${engine.dockerd}) did not start: ${(error as Error).message}\n${log().trim().split('\n').slice(-8).join('\n')}`,
      { cause: error },
    );
  }
}

function containerdConfig(root: string, socket: string): string {
  // Everything containerd writes stays under root; the CRI plugin (Kubernetes) is not needed.
  // containerd 1.7 still puts the sockets of running shims under /run/containerd/s: builds with
  // no RUN step (the example images) run no container.
  return [
    'version = 2',
    `root = ${JSON.stringify(path.join(root, 'containerd', 'root'))}`,
    `state = ${JSON.stringify(path.join(root, 'containerd', 'state'))}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${JSON.stringify(socket)}`,
    '[ttrpc]',
    `  address = ${JSON.stringify(`${socket}.ttrpc`)}`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${JSON.stringify(path.join(root, 'containerd', 'opt'))}`,
    '',
  ].join('\n');
}

function launch(binary: string, args: string[], logFile: string): ChildProcess {
  const logFd = openSync(logFile, 'a');
  const child = spawn(binary, args, {
    stdio: ['ignore', logFd, logFd],
    // containerd finds containerd-shim-runc-v2 beside it and Debian 12's runc on PATH.
    env: { ...process.env, PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH ?? ''}` },
    // Its own process group: a Ctrl-C in a terminal reaches the parent, which cancels what runs
    // (whose cleanup still needs this server) and then stops it by its pid.
    detached: true,
  });
  closeSync(logFd);
  child.once('error', (err) => appendFileSync(logFile, `\n${binary}: ${err.message}\n`));
  killOnExit('docker-daemons', child);
  return child;
}

async function waitForDockerVersion(
  docker: string,
  host: string,
  children: ChildProcess[],
  timeoutMs: number,
): Promise<void> {
  let last = '';
  const answers = async () => {
    try {
      await run(docker, ['version', '--format', '{{.Server.Version}}'], {
        env: { ...process.env, DOCKER_HOST: host },
        timeout: 5_000,
      });
      return true;
    } catch (error) {
      last = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
      return false;
    }
  };
  await waitFor(answers, children, timeoutMs, () => `docker version (last: ${last})`);
}

async function waitFor(
  ready: () => boolean | Promise<boolean>,
  children: ChildProcess[],
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    const exited = children.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (exited !== undefined) {
      throw new Error(`${exited.spawnfile} exited (${exited.exitCode ?? exited.signalCode})`);
    }
    if (Date.now() > deadline) {
      throw new Error(`no ${typeof what === 'string' ? what : what()} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readTail(file: string, bytes = 8_000): string {
  try {
    return readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

function stopManagedContainerd(execRoot: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isPidAlive(pid)) return;
  // Only the containerd of this exec root: a pid from a stale file may belong to someone else now.
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (commandLine.includes(execRoot)) process.kill(pid, 'SIGKILL');
}

/** Lazily unmounts whatever is still mounted below `root` (deepest first). */
function unmountUnder(root: string): void {
  let mounts: string[];
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((point) => point.startsWith(`${root}/`));
  } catch {
    return;
  }
  for (const point of mounts.sort((a, b) => b.length - a.length))
    spawnSync('umount', ['-l', point], { stdio: 'ignore' });
}
