import { describe, expect, it } from '@jest/globals';
import {
  buildxArguments,
  classicArguments,
  countSteps,
  detectBuilder,
  type BuildRequest,
} from '../src/builder.js';
import type { Exec, ExecResult } from '../src/exec.js';

// Argument mapping and builder detection. The Docker CLI's answers are scripted here (what each
// command prints on the setups REFERENCE.md section 5 measured); the real CLI runs in the e2e tier.
const request: BuildRequest = {
  name: 'cuda',
  contextDir: '/work/repo/examples/service',
  dockerfile: '/work/repo/examples/service/Dockerfile',
  target: 'cuda',
  buildArgs: { TORCH_INDEX_URL: 'https://download.pytorch.org/whl/cu121' },
  platforms: ['linux/amd64'],
  tags: ['127.0.0.1:5000/ml/api:abc-cuda', '127.0.0.1:5000/ml/api:content-1234'],
  push: true,
  provenance: false,
  cacheFrom: 'type=registry,ref=127.0.0.1:5000/ml/api:buildcache-cuda',
  secretFiles: { pip_token: '/tmp/private/secrets/pip_token' },
  metadataFile: '/tmp/private/metadata-cuda.json',
};

function scripted(answers: Record<string, Partial<ExecResult>>): Exec {
  return async (command, args) => {
    const line = [command, ...args].join(' ');
    const answer = Object.entries(answers).find(([prefix]) => line.startsWith(prefix))?.[1];
    return {
      exitCode: 0,
      stdout: '',
      stderr: '',
      ...(answer ?? { exitCode: 127, stderr: `${line}: not scripted` }),
    };
  };
}

describe('buildx arguments', () => {
  it.each([
    ['target', ['--target', 'cuda']],
    ['build args as name=value', ['--build-arg', 'TORCH_INDEX_URL=https://download.pytorch.org/whl/cu121']],
    ['platforms joined', ['--platform', 'linux/amd64']],
    ['every tag', ['--tag', '127.0.0.1:5000/ml/api:abc-cuda', '--tag', '127.0.0.1:5000/ml/api:content-1234']],
    ['secrets as files, never values', ['--secret', 'id=pip_token,src=/tmp/private/secrets/pip_token']],
    ['a stable digest without provenance', ['--provenance=false']],
    ['the cache read', ['--cache-from', 'type=registry,ref=127.0.0.1:5000/ml/api:buildcache-cuda']],
    ['the digest from metadata', ['--metadata-file', '/tmp/private/metadata-cuda.json']],
    ['push', ['--push']],
  ])('maps %s', (_name, expected) => {
    const args = buildxArguments(request);
    const at = args.indexOf(expected[0] as string);
    expect(at).toBeGreaterThan(-1);
    expect(args.slice(at, at + expected.length)).toEqual(expected);
  });

  it('ends with the context, and loads instead of pushing with push false on one platform', () => {
    expect(buildxArguments(request).at(-1)).toBe('/work/repo/examples/service');
    const local = buildxArguments({ ...request, push: false });
    expect(local).toContain('--load');
    expect(local).not.toContain('--push');
    expect(
      buildxArguments({ ...request, push: false, platforms: ['linux/amd64', 'linux/arm64'] }),
    ).not.toContain('--load');
    expect(buildxArguments({ ...request, cacheTo: 'type=registry,ref=x,mode=max' })).toContain('--cache-to');
  });

  it('the classic builder takes no cache or metadata flags', () => {
    const args = classicArguments(request);
    expect(args[0]).toBe('build');
    expect(args).not.toContain('--cache-from');
    expect(args).not.toContain('--metadata-file');
    expect(args).toContain('--secret');
  });
});

describe('countSteps', () => {
  it('counts BuildKit steps and the cached ones in plain progress', () => {
    const log = [
      '#1 [internal] load build definition',
      '#1 DONE 0.0s',
      '#5 [2/3] COPY app.js /app/',
      '#5 CACHED',
      '#6 [3/3] COPY lib /app/lib',
      '#6 DONE 0.1s',
    ].join('\n');
    expect(countSteps(log)).toEqual({ steps: 3, cachedSteps: 1 });
  });
});

describe('detectBuilder', () => {
  it('uses buildx with the docker driver and says why the cache cannot be exported without the containerd store', async () => {
    const builder = await detectBuilder(
      scripted({
        'docker buildx version': { stdout: 'github.com/docker/buildx 0.13.1+ds1 0.13.1\n' },
        'docker buildx inspect': { stdout: 'Name:   default\nDriver: docker\n' },
        'docker info': { stdout: '[["Backing Filesystem","extfs"]]' },
      }),
      {},
    );
    expect(builder).toMatchObject({ kind: 'buildx', cacheExport: false });
    expect(builder.cacheExportWhyNot).toMatch(/containerd image store.*containerd-snapshotter/);
  });

  it('exports the cache with the containerd image store or a docker-container builder', async () => {
    const containerd = await detectBuilder(
      scripted({
        'docker buildx version': { stdout: 'github.com/docker/buildx 0.13.1 x\n' },
        'docker buildx inspect': { stdout: 'Driver: docker\n' },
        'docker info': { stdout: '[["driver-type","io.containerd.snapshotter.v1"]]' },
      }),
      {},
    );
    expect(containerd.cacheExport).toBe(true);
    const container = await detectBuilder(
      scripted({
        'docker buildx version': { stdout: 'github.com/docker/buildx 0.19.0 x\n' },
        'docker buildx inspect': { stdout: 'Driver: docker-container\n' },
      }),
      {},
    );
    expect(container.cacheExport).toBe(true);
  });

  it('falls back to the classic builder, naming it, and fails with the reason when no engine answers', async () => {
    const classic = await detectBuilder(
      scripted({
        'docker buildx version': { exitCode: 1, stderr: "docker: 'buildx' is not a docker command." },
        'docker version': { stdout: '20.10.24\n' },
      }),
      {},
    );
    expect(classic).toMatchObject({ kind: 'classic', cacheExport: false });
    expect(classic.description).toMatch(/classic builder/);
    await expect(
      detectBuilder(
        scripted({
          'docker buildx version': { exitCode: 1 },
          'docker version': {
            exitCode: 1,
            stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.',
          },
        }),
        {},
      ),
    ).rejects.toThrow('No Docker engine answers (docker version: Cannot connect to the Docker daemon');
  });
});
