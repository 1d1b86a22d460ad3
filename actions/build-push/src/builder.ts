import { readFile } from 'node:fs/promises';
import { OutcomeError } from '@ecs-ship/shared/errors';
import type { Exec } from './exec.js';

/** What the Docker CLI on this runner can do, found out once per run. */
export interface BuilderInfo {
  /** buildx: `docker buildx build`; classic: `DOCKER_BUILDKIT=1 docker build` then `docker push`. */
  kind: 'buildx' | 'classic';
  description: string;
  /** Whether `--cache-to` can export a cache; when not, why and how to enable it. */
  cacheExport: boolean;
  cacheExportWhyNot?: string;
}

const CONTAINERD_STORE = /io\.containerd\.snapshotter/;

/**
 * buildx when the plugin answers, else the classic builder with BuildKit. Cache export needs a
 * builder that can write one: buildx's docker-container (or remote, kubernetes) driver, or its
 * docker driver on an engine with the containerd image store; the classic builder never can.
 */
export async function detectBuilder(exec: Exec, env: Record<string, string>): Promise<BuilderInfo> {
  const version = await exec('docker', ['buildx', 'version'], { env, silent: true });
  if (version.exitCode !== 0) {
    const engine = await exec('docker', ['version', '--format', '{{.Server.Version}}'], {
      env,
      silent: true,
    });
    if (engine.exitCode !== 0) {
      throw new OutcomeError(
        `No Docker engine answers (docker version: ${lastLine(engine.stderr) || `exit ${engine.exitCode}`}). Run on a runner with Docker, or start dockerd first.`,
      );
    }
    return {
      kind: 'classic',
      description: `docker build with BuildKit (engine ${engine.stdout.trim()}; docker buildx is not installed, so the classic builder is used)`,
      cacheExport: false,
      cacheExportWhyNot:
        'docker buildx is not installed, and the classic builder cannot export a cache: install the buildx plugin (docker/setup-buildx-action on GitHub runners)',
    };
  }
  const inspect = await exec('docker', ['buildx', 'inspect'], { env, silent: true });
  const driver = /^Driver:\s*(\S+)/m.exec(inspect.stdout)?.[1] ?? 'unknown';
  const base = `docker buildx (${version.stdout.trim().split(/\s+/).slice(0, 2).join(' ')}, driver ${driver})`;
  if (driver !== 'docker') return { kind: 'buildx', description: base, cacheExport: true };
  const info = await exec('docker', ['info', '--format', '{{json .DriverStatus}}'], { env, silent: true });
  if (CONTAINERD_STORE.test(info.stdout)) {
    return { kind: 'buildx', description: `${base}, containerd image store`, cacheExport: true };
  }
  return {
    kind: 'buildx',
    description: base,
    cacheExport: false,
    cacheExportWhyNot:
      'the buildx builder uses the docker driver on an engine without the containerd image store, which cannot export a cache: enable the store ({"features":{"containerd-snapshotter":true}} in daemon.json) or create a docker-container builder (docker/setup-buildx-action)',
  };
}

export interface BuildRequest {
  /** For the log: the variant's name. */
  name: string;
  contextDir: string;
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  platforms: string[];
  /** Full references, `host/repository:tag`. */
  tags: string[];
  push: boolean;
  provenance: boolean;
  cacheFrom?: string;
  cacheTo?: string;
  /** BuildKit secrets as files (id → path of a 0600 file in a private directory). */
  secretFiles: Record<string, string>;
  metadataFile: string;
}

export interface BuildResult {
  /** The pushed manifest's digest (sha256:...), from the builder's metadata; absent without push. */
  digest?: string;
  /** Build steps BuildKit took from its cache. */
  cachedSteps: number;
  steps: number;
}

export function buildxArguments(request: BuildRequest): string[] {
  const args = ['buildx', 'build', '--progress=plain', '--file', request.dockerfile];
  if (request.target) args.push('--target', request.target);
  for (const [name, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  if (request.platforms.length > 0) args.push('--platform', request.platforms.join(','));
  for (const tag of request.tags) args.push('--tag', tag);
  for (const [id, file] of Object.entries(request.secretFiles)) args.push('--secret', `id=${id},src=${file}`);
  args.push(`--provenance=${request.provenance}`);
  if (request.cacheFrom) args.push('--cache-from', request.cacheFrom);
  if (request.cacheTo) args.push('--cache-to', request.cacheTo);
  args.push('--metadata-file', request.metadataFile);
  // Without push a single-platform image is loaded so it can be inspected; several platforms stay in
  // the build cache (the docker driver cannot load a multi-platform image).
  if (request.push) args.push('--push');
  else if (request.platforms.length <= 1) args.push('--load');
  args.push(request.contextDir);
  return args;
}

export function classicArguments(request: BuildRequest): string[] {
  const args = ['build', '--progress=plain', '--file', request.dockerfile];
  if (request.target) args.push('--target', request.target);
  for (const [name, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  if (request.platforms.length === 1) args.push('--platform', request.platforms[0] as string);
  for (const tag of request.tags) args.push('--tag', tag);
  for (const [id, file] of Object.entries(request.secretFiles)) args.push('--secret', `id=${id},src=${file}`);
  args.push(request.contextDir);
  return args;
}

/** Counts BuildKit's plain-progress steps and the ones it answered from cache ("#7 CACHED"). */
export function countSteps(log: string): { steps: number; cachedSteps: number } {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of log.split('\n')) {
    const match = /^#(\d+) (.*)$/.exec(line.trim());
    if (!match) continue;
    steps.add(match[1] as string);
    if (match[2] === 'CACHED') cached.add(match[1] as string);
  }
  return { steps: steps.size, cachedSteps: cached.size };
}

/**
 * Builds one variant (and pushes it with `push`). The digest is read from what the builder itself
 * records (buildx's metadata file, or the engine's RepoDigests after a classic push), never from the
 * log.
 */
export async function build(
  exec: Exec,
  builder: BuilderInfo,
  request: BuildRequest,
  env: Record<string, string>,
): Promise<BuildResult> {
  if (builder.kind === 'buildx') {
    const result = await exec('docker', buildxArguments(request), { env });
    if (result.exitCode !== 0) throw buildFailed(request, result.stderr, result.exitCode);
    const counts = countSteps(`${result.stdout}\n${result.stderr}`);
    if (!request.push) return counts;
    const metadata = JSON.parse(await readFile(request.metadataFile, 'utf8')) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    if (typeof digest !== 'string' || !digest.startsWith('sha256:')) {
      throw new OutcomeError(
        `Variant "${request.name}": the builder's metadata (${request.metadataFile}) names no pushed digest.`,
      );
    }
    return { ...counts, digest };
  }
  const result = await exec('docker', classicArguments(request), { env: { ...env, DOCKER_BUILDKIT: '1' } });
  if (result.exitCode !== 0) throw buildFailed(request, result.stderr, result.exitCode);
  const counts = countSteps(`${result.stdout}\n${result.stderr}`);
  if (!request.push) return counts;
  for (const tag of request.tags) {
    const pushed = await exec('docker', ['push', tag], { env });
    if (pushed.exitCode !== 0) {
      throw new OutcomeError(
        `Variant "${request.name}": docker push ${tag} failed (exit ${pushed.exitCode}): ${lastLine(pushed.stderr)}`,
      );
    }
  }
  const first = request.tags[0] as string;
  const inspect = await exec('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', first], {
    env,
    silent: true,
  });
  const repository = first.slice(0, first.lastIndexOf(':'));
  const repoDigests = JSON.parse(inspect.stdout || '[]') as string[];
  const digest = repoDigests.find((entry) => entry.startsWith(`${repository}@`))?.split('@')[1];
  if (!digest) {
    throw new OutcomeError(`Variant "${request.name}": the engine records no pushed digest for ${first}.`);
  }
  return { ...counts, digest };
}

function buildFailed(request: BuildRequest, stderr: string, exitCode: number): OutcomeError {
  const error = /^(?:ERROR|error):.*$/m.exec(stderr)?.[0] ?? lastLine(stderr);
  return new OutcomeError(`Variant "${request.name}": the build failed (exit ${exitCode}): ${error}`);
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((line) => line.trim())
      .at(-1) ?? ''
  );
}
