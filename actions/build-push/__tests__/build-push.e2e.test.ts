import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ECRClient, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { dockerAvailable, startDockerd, type DockerDaemon } from '@ecs-ship/testing/docker-daemon';
import { runDist, type DistRun } from '@ecs-ship/testing/dist-runner';
import {
  createExampleRepository,
  EXAMPLE_VARIANTS,
  type ExampleRepository,
} from '@ecs-ship/testing/example-service-repository';
import { motoClientConfig, motoEnv, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startRegistry, type RegistryServer } from '@ecs-ship/testing/registry-server';
import { MANIFEST_ACCEPT } from '../src/registry-client.js';

// build-push from its dist, for real: a private dockerd with buildx, Debian's docker-registry with
// htpasswd auth on 127.0.0.1, and moto's ECR control plane, whose fixed token is the registry's
// login (the real GetAuthorizationToken → docker login flow). The repository is a temporary git
// repository holding examples/service; each commit changes what the issue names.
const here = path.dirname(fileURLToPath(import.meta.url));
const actionDir = path.resolve(here, '..');
// moto's ECR answers GetAuthorizationToken with this fixed pair.
const ECR_USER = 'AWS';
const ECR_PASSWORD = '123456789012-auth-token';

const VARIANTS = EXAMPLE_VARIANTS;

let docker: DockerDaemon;
let registry: RegistryServer;
let moto: MotoServer;
let repo: string;
let example: ExampleRepository;

const git = (...args: string[]) => example.git(...args);
const commit = (message: string, change: () => void) => example.commit(message, change);

async function buildPush(
  inputs: Record<string, string> = {},
  event: unknown = {},
  engine: DockerDaemon = docker,
): Promise<DistRun> {
  return runDist(actionDir, {
    workspace: repo,
    inputs: {
      repository: 'ml/api',
      context: 'examples/service',
      variants: VARIANTS,
      registry: registry.host,
      'create-repository': 'true',
      ...inputs,
    },
    env: { ...motoEnv(moto.endpoint), ...engine.env(), GITHUB_REF_NAME: 'main' },
    event,
    timeoutMs: 180_000,
  });
}

/** Exit 0 with no error annotation; on failure the assertion shows the action's own errors. */
function expectSuccess(run: DistRun): void {
  expect({ exit: run.exitCode, errors: run.commands.filter((line) => line.startsWith('::error')) }).toEqual({
    exit: 0,
    errors: [],
  });
}

type Images = Record<
  string,
  { uri: string; digest: string; tags: string[]; built: boolean; reason: string; 'content-key': string }
>;
const images = (run: DistRun) => JSON.parse(run.outputs.images ?? '{}') as Images;

/** The digest the registry itself serves for a tag, over its API. */
async function registryDigest(tag: string, repository = 'ml/api'): Promise<string | undefined> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept: MANIFEST_ACCEPT,
      Authorization: `Basic ${Buffer.from(`${ECR_USER}:${ECR_PASSWORD}`).toString('base64')}`,
    },
  });
  return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

beforeAll(async () => {
  const available = dockerAvailable();
  if (!available.ok) throw new Error(`${available.missing} is missing. ${available.install}`);
  [docker, registry, moto] = await Promise.all([
    startDockerd(),
    startRegistry({ username: ECR_USER, password: ECR_PASSWORD }),
    startMoto(),
  ]);
  example = createExampleRepository();
  repo = example.dir;
}, 120_000);

afterAll(async () => {
  await Promise.all([docker?.stop(), registry?.stop(), moto?.stop()]);
  example?.remove();
});

describe('build-push dist with a real dockerd and registry', () => {
  const digests: Record<string, string> = {};

  it('refuses bad input before any change: an unknown target, naming the variant and field', async () => {
    const run = await buildPush({ variants: VARIANTS.replace('target: cuda', 'target: gpu') });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::variants[1] (cuda).target must be a stage of examples/service/Dockerfile (base, cpu, cuda); got "gpu".',
    );
    // Nothing was created: no repository in ECR, nothing in the registry.
    const ecr = new ECRClient(motoClientConfig(moto.endpoint));
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['ml/api'] })),
    ).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
    expect(await registry.storedBytes()).toBe(0);
  });

  it('first commit: builds both variants and pushes them under the commit SHA and the content key', async () => {
    const sha = git('rev-parse', 'HEAD');
    const run = await buildPush({ tags: '{branch}' });
    expectSuccess(run);
    expect(run.outputs['built-variants']).toBe('cpu,cuda');
    expect(run.outputs['skipped-variants']).toBe('');
    const result = images(run);
    for (const [name, suffix] of [
      ['cpu', ''],
      ['cuda', '-cuda'],
    ] as const) {
      const image = result[name];
      expect(image?.built).toBe(true);
      expect(image?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(image?.tags).toEqual([
        `${sha}${suffix}`,
        `main${suffix}`,
        expect.stringMatching(/^content-[0-9a-f]{40}$/),
      ]);
      // The registry, asked over its API, serves the same digest under every tag.
      for (const tag of image?.tags ?? []) expect(await registryDigest(tag)).toBe(image?.digest);
      digests[name] = image?.digest ?? '';
    }
    expect(run.outputs['image-uri']).toBe(`${registry.host}/ml/api@${digests.cpu}`);
    expect(run.summary).toContain('Build and push: 2 built, 0 skipped');
    // The registry password was masked, never printed.
    expect(run.commands).toContain(`::add-mask::${ECR_PASSWORD}`);
    expect(run.stdout.replaceAll(`::add-mask::${ECR_PASSWORD}`, '')).not.toContain(ECR_PASSWORD);
  }, 180_000);

  it('a commit touching only CPU paths builds cpu and retags cuda without building it', async () => {
    const before = git('rev-parse', 'HEAD');
    const sha = commit('cpu only', () =>
      appendFileSync(path.join(repo, 'examples/service/app.js'), '\n// cpu change\n'),
    );
    const run = await buildPush({}, { before });
    expectSuccess(run);
    expect(run.outputs['built-variants']).toBe('cpu');
    expect(run.outputs['skipped-variants']).toBe('cuda');
    const result = images(run);
    expect(result.cpu?.digest).not.toBe(digests.cpu);
    expect(result.cuda?.digest).toBe(digests.cuda);
    expect(result.cuda?.reason).toMatch(/^Same content as content-[0-9a-f]{40} .*retagged, not built\.$/);
    expect(result.cpu?.reason).toContain('examples/service/app.js');
    expect(await registryDigest(`${sha}-cuda`)).toBe(digests.cuda);
    expect(await registryDigest(sha)).toBe(result.cpu?.digest);
    digests.cpu = result.cpu?.digest ?? '';
  }, 180_000);

  it('a commit touching neither builds nothing; a re-run builds nothing and changes no tag', async () => {
    const sha = commit('docs', () => appendFileSync(path.join(repo, 'README.md'), 'more words\n'));
    const stored = await registry.storedBytes();
    const run = await buildPush();
    expectSuccess(run);
    expect(run.outputs['built-variants']).toBe('');
    expect(run.outputs['skipped-variants']).toBe('cpu,cuda');
    expect(await registryDigest(sha)).toBe(digests.cpu);
    expect(await registryDigest(`${sha}-cuda`)).toBe(digests.cuda);
    const rerun = await buildPush();
    expectSuccess(rerun);
    expect(rerun.outputs['built-variants']).toBe('');
    expect(rerun.stdout).toMatch(/0 new, 1 already there/);
    // Retags PUT manifests only: no layer was uploaded (manifest links are a few hundred bytes).
    expect((await registry.storedBytes()) - stored).toBeLessThan(4096);
  }, 180_000);
});

describe('build-push with a builder that can export a cache (containerd image store)', () => {
  it('says nothing about the cache, writes buildcache-<variant>, and a fresh engine reads it', async () => {
    const cached = { repository: 'ml/cached' };
    const first = await startDockerd({ containerdSnapshotter: true });
    let run: DistRun;
    try {
      run = await buildPush(cached, {}, first);
    } finally {
      await first.stop();
    }
    expectSuccess(run);
    expect(run.stdout).toMatch(/Builder: docker buildx .*containerd image store/);
    expect(run.stdout).not.toMatch(/cache is read but not written/);
    expect(await registryDigest('buildcache-cpu', 'ml/cached')).toMatch(/^sha256:/);
    expect(await registryDigest('buildcache-cuda', 'ml/cached')).toMatch(/^sha256:/);
    // The default engine cannot export: said once, and the build still succeeds.
    const uncached = await buildPush({ repository: 'ml/uncached' });
    expectSuccess(uncached);
    expect(uncached.commands.filter((line) => line.includes('cache is read but not written'))).toHaveLength(
      1,
    );
  }, 240_000);
});
