// What runs a task for real in the rehearsal: a container of the task's image (DockerTaskRuntime) or
// a local process of the service's source (ProcessTaskRuntime). The emulator decides when a task
// runs; a runtime only starts and stops it and reports how it ended.

/** One container of a task, as its task definition (and RunTask's overrides) say it. */
export interface TaskLaunch {
  /** For logs and container names: what the task is (e.g. `ml-dev/api/1a2b3c`). */
  name: string;
  image: string;
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
  environment: Record<string, string>;
  /** Each line the task writes (stdout and stderr), as it comes or when it ends. */
  onOutput?: (line: string) => void;
}

export interface RunningTask {
  /** The process's pid (process runtime; undefined for containers). */
  pid?: number;
  /** The container's id (Docker runtime). */
  containerId?: string;
  /** Resolves with the exit code once the task has ended by itself or by stop(). */
  exited: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves with the exit code. */
  stop(graceMs?: number): Promise<number>;
}

export interface TaskRuntime {
  kind: 'docker' | 'process';
  launch(task: TaskLaunch): Promise<RunningTask>;
  /** Stops every task it started that still runs and frees what it holds. */
  close(): Promise<void>;
}

/** `a=b` pairs of a task definition's environment list. */
export function environmentOf(
  list: Array<{ name?: string; value?: string }> | undefined,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const entry of list ?? []) if (entry.name !== undefined) environment[entry.name] = entry.value ?? '';
  return environment;
}

/** Splits output into lines for onOutput, keeping a partial last line until more comes. */
export function lineSplitter(onLine: (line: string) => void): {
  write(chunk: Buffer | string): void;
  end(): void;
} {
  let pending = '';
  return {
    write(chunk) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    end() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
