// One step's process: output kept and streamed line by line, masked, workflow commands read from stdout.
import { spawn } from 'node:child_process';
import type { Masker } from './masker.js';
import type { Annotation } from './types.js';

export interface ChildRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  /** The run's signal ended it. */
  cancelled: boolean;
}

export interface ChildOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  masker: Masker;
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  signal: AbortSignal | undefined;
}

// The runner's grace period between SIGINT and SIGTERM on cancel.
const CANCEL_GRACE_MS = 7_500;

export async function runChild(options: ChildOptions): Promise<ChildRun> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const annotations: Annotation[] = [];
  const streams = { stdout: '', stderr: '' };
  const pending = { stdout: '', stderr: '' };

  const line = (stream: 'stdout' | 'stderr', text: string): void => {
    if (stream === 'stdout') {
      const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(text);
      if (command?.[1] === 'add-mask') options.masker.add(command[2] ?? '');
      else if (command && (command[1] === 'error' || command[1] === 'warning' || command[1] === 'notice')) {
        annotations.push({ level: command[1], message: options.masker.mask(command[2] ?? '') });
      }
    }
    options.onLine(stream, options.masker.mask(text));
  };
  const feed = (stream: 'stdout' | 'stderr') => (chunk: string) => {
    streams[stream] += chunk;
    const lines = (pending[stream] + chunk).split(/\r?\n/);
    pending[stream] = lines.pop() ?? '';
    for (const text of lines) line(stream, text);
  };
  child.stdout.setEncoding('utf8').on('data', feed('stdout'));
  child.stderr.setEncoding('utf8').on('data', feed('stderr'));

  let cancelled = false;
  let escalation: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    cancelled = true;
    child.kill('SIGINT');
    escalation = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
    escalation.unref();
  };
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', cancel, { once: true });

  try {
    const exitCode = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      // 'close', not 'exit': stdout and stderr are complete only then.
      child.once('close', (code) => done(code));
    });
    for (const stream of ['stdout', 'stderr'] as const)
      if (pending[stream] !== '') line(stream, pending[stream]);
    return {
      exitCode,
      stdout: options.masker.mask(streams.stdout),
      stderr: options.masker.mask(streams.stderr),
      annotations,
      cancelled,
    };
  } finally {
    clearTimeout(escalation);
    options.signal?.removeEventListener('abort', cancel);
  }
}
