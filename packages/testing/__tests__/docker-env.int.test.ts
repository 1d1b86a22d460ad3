import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dockerAvailable, startDockerd } from '@ecs-ship/testing/docker-daemon';
import type { DockerDaemon } from '@ecs-ship/testing/docker-daemon';
import { isPidAlive } from '@ecs-ship/testing/process';
import { startRegistry } from '@ecs-ship/testing/registry-server';
import type { RegistryServer } from '@ecs-ship/testing/registry-server';

// The Docker environment build-push's e2e tests stand on, for real: a private dockerd (both
// engines), the local registry with htpasswd auth, examples/service's Dockerfile with its two
// targets, pushed with buildx and checked over the registry API.
// ECS_SHIP_DOCKER_FIGURES=<file> writes the measured times there as JSON.

const SERVICE = fileURLToPath(new URL('../../../examples/service', import.meta.url));
const USER = 'AWS';
const PASSWORD = 'docker-env-test-password';
const TORCH_INDEX_URL = 'https://download.pytorch.org/whl/cu121';
const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface Engine {
  name: 'classic' | 'containerd-store';
  daemon: DockerDaemon;
  dockerConfig: string;
  context: string;
}

interface Manifest {
  mediaType: string;
  config: { mediaType: string; digest: string };
  layers: Array<{ digest: string; size: number }>;
}

const figures: Record<string, number> = {};
let registry: RegistryServer | undefined;
const engines: Partial<Record<Engine['name'], Engine>> = {};
const scratch = mkdtempSync(path.join(tmpdir(), 'docker-env-'));

async function timed<T>(figure: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    figures[figure] = Math.round(performance.now() - started);
  }
}

function docker(
  engine: Engine,
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, {
      env: { ...process.env, ...engine.daemon.env(), DOCKER_CONFIG: engine.dockerConfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A copy of examples/service with busybox in bin/, as whoever builds the example must provide. */
function prepareContext(name: string): string {
  const context = path.join(scratch, `context-${name}`);
  cpSync(SERVICE, context, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|bin)$/.test(source),
  });
  mkdirSync(path.join(context, 'bin'));
  copyFileSync('/bin/busybox', path.join(context, 'bin', 'busybox'));
  return context;
}

async function startEngine(name: Engine['name']): Promise<Engine> {
  const daemon = await timed(`dockerd start ms (${name})`, () =>
    startDockerd({ containerdSnapshotter: name === 'containerd-store' }),
  );
  const dockerConfig = path.join(scratch, `docker-config-${name}`);
  mkdirSync(dockerConfig);
  const engine: Engine = { name, daemon, dockerConfig, context: prepareContext(name) };
  engines[name] = engine;
  // The password goes on stdin, never argv.
  const login = await docker(
    engine,
    ['login', '--username', USER, '--password-stdin', registryHost()],
    PASSWORD,
  );
  if (login.code !== 0) throw new Error(`docker login failed: ${login.stderr}`);
  return engine;
}

function registryHost(): string {
  if (registry === undefined) throw new Error('the registry did not start');
  return registry.host;
}

async function build(
  engine: Engine,
  target: 'cpu' | 'cuda',
  extra: string[] = [],
): Promise<{ digest: string; log: string; code: number | null }> {
  const metadataFile = path.join(scratch, `metadata-${engine.name}-${target}.json`);
  rmSync(metadataFile, { force: true });
  const result = await docker(engine, [
    'buildx',
    'build',
    '--progress=plain',
    '--provenance=false',
    '--target',
    target,
    ...(target === 'cuda' ? ['--build-arg', `TORCH_INDEX_URL=${TORCH_INDEX_URL}`] : []),
    '--tag',
    `${registryHost()}/service-${engine.name}:${target}`,
    '--metadata-file',
    metadataFile,
    ...extra,
    '--push',
    engine.context,
  ]);
  if (result.code !== 0) return { digest: '', log: result.stderr, code: result.code };
  const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
  return { digest: String(metadata['containerimage.digest']), log: result.stderr, code: result.code };
}

async function registryGet(pathname: string, accept = MANIFEST_ACCEPT): Promise<Response> {
  return fetch(`http://${registryHost()}/v2/${pathname}`, { headers: { authorization: AUTH, accept } });
}

async function manifest(repository: string, reference: string): Promise<{ digest: string; body: Manifest }> {
  const response = await registryGet(`${repository}/manifests/${reference}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(response.status).toBe(200);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  expect(response.headers.get('docker-content-digest')).toBe(digest);
  return { digest, body: JSON.parse(bytes.toString('utf8')) as Manifest };
}

beforeAll(async () => {
  const available = dockerAvailable({ containerdSnapshotter: true });
  if (!available.ok) throw new Error(`${available.missing} is missing. ${available.install}`);
  registry = await startRegistry({ username: USER, password: PASSWORD });
  await startEngine('classic');
  await startEngine('containerd-store');
}, 120_000);

afterAll(async () => {
  const stopping = [registry?.stop(), ...Object.values(engines).map((engine) => engine.daemon.stop())];
  await Promise.all(stopping);
  for (const engine of Object.values(engines)) expect(isPidAlive(engine.daemon.pid)).toBe(false);
  if (registry !== undefined) expect(isPidAlive(registry.pid)).toBe(false);
  rmSync(scratch, { recursive: true, force: true });
  const out = process.env.ECS_SHIP_DOCKER_FIGURES;
  if (out !== undefined && out !== '') writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
}, 60_000);

describe.each(['classic', 'containerd-store'] as const)('%s engine', (name) => {
  const engine = () => engines[name] as Engine;
  const repository = `service-${name}`;
  const built: Record<string, string> = {};

  it('builds and pushes cpu and cuda; the metadata digest is the manifest the registry serves', async () => {
    for (const target of ['cpu', 'cuda'] as const) {
      const result = await timed(`build+push ms (${name}, ${target}, first)`, () => build(engine(), target));
      expect(result).toEqual(expect.objectContaining({ code: 0 }));
      const pushed = await manifest(repository, target);
      expect(pushed.digest).toBe(result.digest);
      // --provenance=false: one image manifest, not an index with an attestation.
      expect(pushed.body.mediaType).toMatch(/manifest\.v2\+json|image\.manifest\.v1\+json/);
      built[target] = result.digest;
      figures[`image bytes (${name}, ${target})`] = pushed.body.layers.reduce(
        (sum, layer) => sum + layer.size,
        0,
      );
    }
    const cuda = await manifest(repository, 'cuda');
    const config = (await (
      await registryGet(`${repository}/blobs/${cuda.body.config.digest}`, '*/*')
    ).json()) as {
      config: { Labels?: Record<string, string> };
    };
    expect(config.config.Labels?.['ecs-ship.torch-index-url']).toBe(TORCH_INDEX_URL);
  }, 180_000);

  it('a change to a CPU-only path changes only the cpu image', async () => {
    const before = { cpu: await manifest(repository, 'cpu'), cuda: await manifest(repository, 'cuda') };
    writeFileSync(path.join(engine().context, 'app.js'), '\n// a CPU-only change\n', { flag: 'a' });
    const cpu = await timed(`build+push ms (${name}, cpu, after app.js change)`, () =>
      build(engine(), 'cpu'),
    );
    const cuda = await timed(`build+push ms (${name}, cuda, unchanged)`, () => build(engine(), 'cuda'));
    expect([cpu.code, cuda.code]).toEqual([0, 0]);
    const after = { cpu: await manifest(repository, 'cpu'), cuda: await manifest(repository, 'cuda') };
    expect(after.cpu.digest).not.toBe(before.cpu.digest);
    // The base layers (busybox, package.json) stay; only the cpu stage's layer changes.
    expect(after.cpu.body.layers.slice(0, -1)).toEqual(before.cpu.body.layers.slice(0, -1));
    expect(after.cpu.body.layers.at(-1)).not.toEqual(before.cpu.body.layers.at(-1));
    // The same daemon rebuilds unchanged content from its cache into the same digest.
    expect(after.cuda.digest).toBe(before.cuda.digest);
    expect(cuda.digest).toBe(built.cuda);
  }, 180_000);

  const cacheTo = (target: string) => [
    '--cache-to',
    `type=registry,ref=${registryHost()}/${repository}:buildcache-${target},mode=max,image-manifest=true,oci-mediatypes=true`,
  ];

  if (name === 'classic') {
    it('cannot export registry cache (docker driver without the containerd image store)', async () => {
      const result = await build(engine(), 'cpu', cacheTo('cpu'));
      expect(result.code).not.toBe(0);
      expect(result.log).toContain('Cache export is not supported for the docker driver');
      // --cache-from alone is accepted (a missing cache ref is only logged).
      const importing = await build(engine(), 'cpu', [
        '--cache-from',
        `type=registry,ref=${registryHost()}/${repository}:buildcache-cpu`,
      ]);
      expect(importing.code).toBe(0);
    }, 120_000);
  } else {
    it('exports registry cache with image-manifest=true,oci-mediatypes=true; a fresh daemon imports it', async () => {
      const exported = await timed(`build+push ms (${name}, cpu, with --cache-to)`, () =>
        build(engine(), 'cpu', cacheTo('cpu')),
      );
      expect(exported.code).toBe(0);
      const cache = await manifest(repository, 'buildcache-cpu');
      expect(cache.body.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(cache.body.config.mediaType).toBe('application/vnd.buildkit.cacheconfig.v0');

      // A new runner: an empty daemon, the same context, the cache from the registry.
      const fresh: Engine = {
        ...engine(),
        name,
        daemon: await startDockerd({ containerdSnapshotter: true }),
      };
      try {
        const imported = await timed(`build+push ms (${name}, cpu, fresh daemon with --cache-from)`, () =>
          build(fresh, 'cpu', [
            '--cache-from',
            `type=registry,ref=${registryHost()}/${repository}:buildcache-cpu`,
          ]),
        );
        expect(imported.code).toBe(0);
        expect(imported.log).toMatch(/importing cache manifest from .*buildcache-cpu/);
        // A cache hit shows as CACHED, or (when the image is unpacked for export, as BuildKit does on
        // some engines) as the step's layer blobs fetched from the cache instead of a COPY executed.
        expect(imported.log).toMatch(/COPY app\.js [^\n]*\n#\d+ (CACHED|sha256:[0-9a-f]{64} [^\n]* done)/);
      } finally {
        await fresh.daemon.stop();
      }
    }, 180_000);
  }
});
