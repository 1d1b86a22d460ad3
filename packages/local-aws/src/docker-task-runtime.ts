// Tasks as containers of the pushed image, on the rehearsal's private dockerd. The example images
// are FROM scratch with busybox (nothing to pull from the internet), so this machine's Node and the
// libraries it links are mounted read-only: the image's own files (the release's code) are what run.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningTask, TaskLaunch, TaskRuntime } from './task-runtime.js';

const run = promisify(execFile);

export interface DockerTaskRuntimeOptions {
  /** DOCKER_HOST (and PATH) of the engine: DockerDaemon.env(). */
  env: Record<string, string>;
  /** The registry the images are pulled from, and its login (kept in a private DOCKER_CONFIG). */
  login?: { registry: string; username: string; password: string };
}

export class DockerTaskRuntime implements TaskRuntime {
  readonly kind = 'docker' as const;
  private readonly config = mkdtempSync(path.join(tmpdir(), 'ecs-ship-task-docker-'));
  private readonly env: NodeJS.ProcessEnv;
  private readonly containers = new Set<string>();
  private loggedIn: Promise<void> | undefined;
  private readonly mounts = hostNodeMounts();

  constructor(private readonly options: DockerTaskRuntimeOptions) {
    this.env = { ...process.env, ...options.env, DOCKER_CONFIG: this.config };
  }

  private docker(args: string[], timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
    return run('docker', args, { env: this.env, timeout, maxBuffer: 16 * 1024 * 1024 });
  }

  private login(): Promise<void> {
    const login = this.options.login;
    if (login === undefined) return Promise.resolve();
    this.loggedIn ??= new Promise<void>((resolve, reject) => {
      const child = spawn(
        'docker',
        ['login', login.registry, '--username', login.username, '--password-stdin'],
        {
          env: this.env,
          stdio: ['pipe', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`docker login ${login.registry} failed: ${stderr.trim()}`)),
      );
      child.stdin.end(login.password);
    });
    return this.loggedIn;
  }

  async launch(task: TaskLaunch): Promise<RunningTask> {
    await this.login();
    const [entry, ...entryArgs] = task.entryPoint ?? [];
    const name = `ecs-ship-task-${task.name.replace(/[^a-zA-Z0-9_.-]+/g, '-').slice(0, 60)}-${randomBytes(3).toString('hex')}`;
    const args = [
      'run',
      '--detach',
      '--name',
      name,
      '--label',
      'ecs-ship.rehearsal=task',
      // awsvpc gives each task its own address; here each task gets its own port on 127.0.0.1.
      '--network',
      'host',
      ...this.mounts.flatMap((file) => ['--volume', `${file}:${file}:ro`]),
      ...(task.workingDirectory ? ['--workdir', task.workingDirectory] : []),
      ...Object.entries(task.environment).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
      ...(entry !== undefined ? ['--entrypoint', entry] : []),
      task.image,
      ...entryArgs,
      ...(task.command ?? []),
    ];
    let id: string;
    try {
      id = (await this.docker(args)).stdout.trim();
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`${task.name}: docker run ${task.image} failed: ${stderr || (err as Error).message}`, {
        cause: err,
      });
    }
    this.containers.add(id);
    const exited = this.docker(['wait', id], 24 * 3_600_000).then(
      async ({ stdout }) => {
        const code = Number(stdout.trim());
        if (task.onOutput) {
          const logs = await this.docker(['logs', id]).catch(() => ({ stdout: '', stderr: '' }));
          for (const line of `${logs.stdout}${logs.stderr}`.split('\n')) if (line !== '') task.onOutput(line);
        }
        return Number.isInteger(code) ? code : 1;
      },
      () => 1,
    );
    return {
      containerId: id,
      exited,
      stop: async (graceMs = 5_000) => {
        await this.docker(['stop', '--time', String(Math.max(1, Math.ceil(graceMs / 1000))), id]).catch(
          () => undefined,
        );
        return exited;
      },
    };
  }

  async close(): Promise<void> {
    const ids = [...this.containers];
    if (ids.length > 0) await this.docker(['rm', '--force', ...ids]).catch(() => undefined);
    this.containers.clear();
    rmSync(this.config, { recursive: true, force: true });
  }
}

/** This machine's node and the shared libraries it loads (ldd), to mount into a FROM-scratch image. */
function hostNodeMounts(): string[] {
  const files = new Set<string>([process.execPath]);
  try {
    const listing = execFileSync('ldd', [process.execPath], { encoding: 'utf8' });
    for (const match of listing.matchAll(/(\/[^\s)]+)/g)) if (match[1]) files.add(match[1]);
  } catch {
    // Statically linked, or no ldd: the binary alone.
  }
  return [...files];
}
