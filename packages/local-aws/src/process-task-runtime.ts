// Tasks as local processes: what the rehearsal runs without Docker. The image is not run; its
// source directory is (examples/service holds what both images copy). `node` is this Node.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { lineSplitter, type RunningTask, type TaskLaunch, type TaskRuntime } from './task-runtime.js';

export interface ProcessTaskRuntimeOptions {
  /** The directory a task of `image` runs in (its WORKDIR's contents). */
  directories: (image: string) => string;
}

export class ProcessTaskRuntime implements TaskRuntime {
  readonly kind = 'process' as const;
  private readonly running = new Set<RunningTask>();

  constructor(private readonly options: ProcessTaskRuntimeOptions) {}

  async launch(task: TaskLaunch): Promise<RunningTask> {
    const argv = [...(task.entryPoint ?? []), ...(task.command ?? [])];
    const [program, ...args] = argv;
    if (program === undefined)
      throw new Error(`${task.name}: the task definition gives no entryPoint or command to run`);
    const child = spawn(program === 'node' ? process.execPath : program, args, {
      cwd: this.options.directories(task.image),
      // Only what the task definition gives, as in a container (PATH so `node` scripts find tools).
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...task.environment },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as a task is its own machine: a Ctrl-C in the terminal reaches the
      // rehearsal, which stops the tasks in order.
      detached: true,
    });
    const output = lineSplitter((line) => task.onOutput?.(line));
    child.stdout.on('data', (chunk: Buffer) => output.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.write(chunk));
    const exited = new Promise<number>((resolve) => {
      child.once('error', (err) => {
        task.onOutput?.(`${task.name}: cannot start ${program}: ${err.message}`);
        resolve(127);
      });
      child.once('close', (code, signal) => {
        output.end();
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 9));
      });
    });
    const handle: RunningTask = {
      ...(child.pid !== undefined ? { pid: child.pid } : {}),
      exited,
      async stop(graceMs = 5_000) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(timer);
          return code;
        }
        return exited;
      },
    };
    this.running.add(handle);
    void exited.then(() => this.running.delete(handle));
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((task) => task.stop(2_000)));
  }
}
