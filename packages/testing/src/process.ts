import type { ChildProcess } from 'node:child_process';

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves once the child has exited (at once if it already has). */
export function waitForExit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Stops a child by its pid: SIGTERM, then SIGKILL if it has not exited after `graceMs`.
 * Resolves when the process is gone, with how it ended.
 */
export async function stopProcess(
  child: ChildProcess,
  graceMs = 5_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exited = waitForExit(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  const pid = child.pid;
  signal(pid, 'SIGTERM');
  const timer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Children a crashed or forgetful test left running die with the test process: each kind keeps
 * one set per process (on globalThis, since jest loads a module once per test file in the same
 * worker), SIGKILLed at exit. A child leaves the set when it exits.
 */
export function killOnExit(kind: string, child: ChildProcess): void {
  const key = Symbol.for(`@ecs-ship/testing/${kind}`);
  const registry = globalThis as typeof globalThis & { [key: symbol]: Set<ChildProcess> | undefined };
  let live = registry[key];
  if (!live) {
    const set = new Set<ChildProcess>();
    process.once('exit', () => {
      for (const entry of set) entry.kill('SIGKILL');
    });
    live = registry[key] = set;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}
