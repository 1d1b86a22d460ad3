/**
 * build-push benchmark: the action (from its dist) against "build both every time" (what the seeds
 * do: `docker build` CPU and CUDA and push both on every push), over the same commits of
 * examples/service, each step on a fresh clone and an engine with no build cache, as on a new
 * runner. Per step: wall time, builds, bytes the registry stored (its own storage), and how many
 * variants got a new digest (each one makes ECS roll the service).
 *   npm run bench:build-push   (root; needs scripts/install-docker.sh and moto_server)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerAvailable, startDockerd, type DockerDaemon } from '@ecs-ship/testing/docker-daemon';
import { runDist } from '@ecs-ship/testing/dist-runner';
import { createExampleRepository, EXAMPLE_VARIANTS } from '@ecs-ship/testing/example-service-repository';
import { motoEnv, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { startRegistry, type RegistryServer } from '@ecs-ship/testing/registry-server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined;
const USER = 'AWS';
const PASSWORD = '123456789012-auth-token'; // moto's fixed ECR token: the registry's login
const VARIANTS = EXAMPLE_VARIANTS;

interface StepResult {
  ms: number;
  builds: number;
  storedBytes: number;
  newDigests: number;
}
type Strategy = (
  clone: string,
  sha: string,
  env: Record<string, string>,
  registry: RegistryServer,
) => Promise<{ builds: number; digests: Record<string, string> }>;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** The source repository and the scenario's commits. */
function makeRepository(): { repo: string; steps: Array<{ name: string; sha: string }>; remove(): void } {
  // The CUDA image carries what makes it heavy (here 32 MiB of incompressible "weights").
  const example = createExampleRepository({ 'features/weights.bin': randomBytes(32 * 1024 * 1024) });
  const first = example.git('rev-parse', 'HEAD');
  const cpu = example.commit('cpu only', () =>
    appendFileSync(path.join(example.dir, 'examples/service/app.js'), '\n// a CPU-only change\n'),
  );
  const docs = example.commit('neither', () => appendFileSync(path.join(example.dir, 'README.md'), 'docs\n'));
  return {
    repo: example.dir,
    remove: example.remove,
    steps: [
      { name: 'first build', sha: first },
      { name: 'CPU-only change', sha: cpu },
      { name: 'change to neither', sha: docs },
      { name: 're-run', sha: docs },
    ],
  };
}

const ours: Strategy = async (clone, _sha, env) => {
  const run = await runDist(path.join(root, 'actions/build-push'), {
    workspace: clone,
    inputs: {
      repository: 'ml/api',
      context: 'examples/service',
      variants: VARIANTS,
      registry: env.REGISTRY_HOST as string,
      'create-repository': 'true',
    },
    env,
    timeoutMs: 600_000,
  });
  if (run.exitCode !== 0) throw new Error(`build-push failed:\n${run.stdout.slice(-3000)}`);
  const images = JSON.parse(run.outputs.images ?? '{}') as Record<string, { digest: string; built: boolean }>;
  return {
    builds: Object.values(images).filter((image) => image.built).length,
    digests: Object.fromEntries(Object.entries(images).map(([name, image]) => [name, image.digest])),
  };
};

/** What the seeds' YAML does: log in, build both, push both, every time. */
const buildBoth: Strategy = async (clone, sha, env, registry) => {
  const docker = (args: string[], input?: string) => {
    const result = spawnSync('docker', args, {
      cwd: clone,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      input,
    });
    if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr.slice(-1500)}`);
    return result;
  };
  docker(['login', '--username', USER, '--password-stdin', registry.host], PASSWORD);
  const digests: Record<string, string> = {};
  for (const [name, extra, suffix] of [
    ['cpu', [], ''],
    ['cuda', ['--build-arg', 'TORCH_INDEX_URL=https://download.pytorch.org/whl/cu121'], '-cuda'],
  ] as const) {
    const metadata = path.join(clone, `.meta-${name}.json`);
    docker([
      'buildx',
      'build',
      '--target',
      name,
      ...extra,
      '--provenance=false',
      '--metadata-file',
      metadata,
      '--tag',
      `${registry.host}/ml/api:${sha}${suffix}`,
      '--push',
      'examples/service',
    ]);
    digests[name] =
      (JSON.parse(execFileSync('cat', [metadata], { encoding: 'utf8' })) as Record<string, string>)[
        'containerimage.digest'
      ] ?? '';
  }
  return { builds: 2, digests };
};

async function measure(
  strategy: Strategy,
  repo: string,
  steps: Array<{ name: string; sha: string }>,
): Promise<StepResult[]> {
  let docker: DockerDaemon | undefined;
  let registry: RegistryServer | undefined;
  let moto: MotoServer | undefined;
  const results: StepResult[] = [];
  try {
    [docker, registry, moto] = await Promise.all([
      startDockerd(),
      startRegistry({ username: USER, password: PASSWORD }),
      startMoto(),
    ]);
    const dockerConfig = mkdtempSync(path.join(tmpdir(), 'bench-docker-config-'));
    const env = {
      ...motoEnv(moto.endpoint),
      ...docker.env(),
      DOCKER_CONFIG: dockerConfig,
      GITHUB_REF_NAME: 'main',
      REGISTRY_HOST: registry.host,
    };
    let previous: Record<string, string> = {};
    for (const step of steps) {
      // A new runner: a fresh clone (new file times) and no build cache in the engine.
      spawnSync('docker', ['builder', 'prune', '-af'], { env: { ...process.env, ...env } });
      spawnSync('docker', ['image', 'prune', '-af'], { env: { ...process.env, ...env } });
      const clone = mkdtempSync(path.join(tmpdir(), 'bench-clone-'));
      git(clone, 'clone', '-q', repo, '.');
      git(clone, 'checkout', '-q', step.sha);
      const storedBefore = await registry.storedBytes();
      const started = Date.now();
      const result = await strategy(clone, step.sha, env, registry);
      const ms = Date.now() - started;
      const newDigests = Object.entries(result.digests).filter(
        ([name, digest]) => previous[name] !== digest,
      ).length;
      previous = result.digests;
      results.push({
        ms,
        builds: result.builds,
        storedBytes: (await registry.storedBytes()) - storedBefore,
        newDigests,
      });
      rmSync(clone, { recursive: true, force: true });
    }
    rmSync(dockerConfig, { recursive: true, force: true });
  } finally {
    await Promise.all([docker?.stop(), registry?.stop(), moto?.stop()]);
  }
  return results;
}

const available = dockerAvailable();
if (!available.ok) throw new Error(`${available.missing}. ${available.install}`);
const { repo, steps, remove } = makeRepository();
const action = await measure(ours, repo, steps);
const reference = await measure(buildBoth, repo, steps);
remove();

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1' : '∞') : (a / b).toFixed(2));
const lines = [
  '# build-push vs "build both every time"',
  '',
  'Same commits of examples/service (cpu and cuda targets; cuda carries 32 MiB of weights), each step on a fresh clone and an engine',
  'without build cache. Bytes: what the registry stored in that step (its own storage). New digests:',
  'variants whose digest changed (each makes ECS start a deployment).',
  '',
  '| Step | build-push: time, builds, bytes, new digests | build both: time, builds, bytes, new digests | time ratio | bytes ratio |',
  '| --- | --- | --- | --- | --- |',
  ...steps.map((step, index) => {
    const a = action[index] as StepResult;
    const b = reference[index] as StepResult;
    return `| ${step.name} | ${(a.ms / 1000).toFixed(2)} s, ${a.builds}, ${kb(a.storedBytes)}, ${a.newDigests} | ${(b.ms / 1000).toFixed(2)} s, ${b.builds}, ${kb(b.storedBytes)}, ${b.newDigests} | ${ratio(a.ms, b.ms)} | ${ratio(a.storedBytes, b.storedBytes)} |`;
  }),
  '',
  `Totals: build-push ${(action.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(2)} s, ${action.reduce((t, r) => t + r.builds, 0)} builds, ${kb(action.reduce((t, r) => t + r.storedBytes, 0))}; build both ${(reference.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(2)} s, ${reference.reduce((t, r) => t + r.builds, 0)} builds, ${kb(reference.reduce((t, r) => t + r.storedBytes, 0))}.`,
  '',
];
console.log(lines.join('\n'));
if (out) writeFileSync(path.resolve(root, out), lines.join('\n'));
