import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface DistRunOptions {
  /** Action inputs by their action.yml names; become INPUT_<NAME> as the runner spells them. */
  inputs?: Record<string, string>;
  /** Extra environment, applied last (it can override every default below). */
  env?: Record<string, string>;
  /** Kill the process after this long (default 60 s); the run then rejects with DistRunTimeoutError. */
  timeoutMs?: number;
  /** Script to run, relative to actionDir (default dist/index.js; e.g. dist/post.js for a post step). */
  entry?: string;
  /** State saved by an earlier step (e.g. a main run's `state`); becomes STATE_<name>. */
  state?: Record<string, string>;
  /** GITHUB_WORKSPACE and the working directory (default: the repository root above actionDir). */
  workspace?: string;
  /** Webhook payload written to GITHUB_EVENT_PATH (default {}). */
  event?: unknown;
  /** Node binary (default: the one running the tests). */
  node?: string;
  /**
   * Sends `signal` (default SIGINT, as the runner does on cancel) once stdout matches `when`: a
   * cancellation at a known moment of the run.
   */
  interrupt?: { when: RegExp; signal?: NodeJS.Signals };
}

export interface DistRun {
  /** The process's exit code (null only if a signal ended it). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Parsed from GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** Parsed from GITHUB_STATE; pass it as `state` to run the post step. */
  state: Record<string, string>;
  /** Parsed from GITHUB_ENV (core.exportVariable). */
  exportedEnv: Record<string, string>;
  /** Lines of GITHUB_PATH (core.addPath). */
  addedPath: string[];
  /** Contents of GITHUB_STEP_SUMMARY. */
  summary: string;
  durationMs: number;
  /** Workflow commands seen on stdout, whole lines, e.g. "::error::boom", "::add-mask::secret". */
  commands: string[];
  /** The complete environment the process was given. */
  env: Record<string, string>;
}

/** A run exceeded its timeoutMs and was killed; `run` holds what it produced until then. */
export class DistRunTimeoutError extends Error {
  constructor(
    message: string,
    readonly run: DistRun,
  ) {
    super(message);
    this.name = 'DistRunTimeoutError';
  }
}

/**
 * Runs `node <actionDir>/<entry>` the way the GitHub runner runs a JavaScript action: inputs as
 * INPUT_* variables, fresh file-command files, runner variables, cwd = GITHUB_WORKSPACE. The
 * environment starts from PATH and HOME only, so the developer's AWS_* and GITHUB_* variables
 * cannot leak into a test.
 */
export async function runDist(actionDir: string, options: DistRunOptions = {}): Promise<DistRun> {
  const dir = resolve(actionDir);
  const script = join(dir, options.entry ?? 'dist/index.js');
  if (!existsSync(script)) {
    throw new Error(`runDist: ${script} does not exist; build the action first (npm run build)`);
  }
  const workspace = resolve(options.workspace ?? findRepoRoot(dir));
  const timeoutMs = options.timeoutMs ?? 60_000;

  const temp = await mkdtemp(join(tmpdir(), 'dist-run-'));
  try {
    const files = {
      GITHUB_OUTPUT: join(temp, 'output'),
      GITHUB_STATE: join(temp, 'state'),
      GITHUB_ENV: join(temp, 'env'),
      GITHUB_PATH: join(temp, 'path'),
      GITHUB_STEP_SUMMARY: join(temp, 'step_summary'),
      GITHUB_EVENT_PATH: join(temp, 'event.json'),
    };
    const runnerTemp = join(temp, 'runner_temp');
    await mkdir(runnerTemp);
    await Promise.all(
      Object.entries(files).map(([key, file]) =>
        writeFile(file, key === 'GITHUB_EVENT_PATH' ? JSON.stringify(options.event ?? {}) : ''),
      ),
    );

    const env: Record<string, string> = {
      ...pick(process.env, ['PATH', 'HOME']),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_RUN_ID: '1000000001',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_WORKFLOW: 'test',
      GITHUB_JOB: 'test',
      GITHUB_ACTOR: 'octocat',
      GITHUB_ACTION: 'run-dist',
      GITHUB_WORKSPACE: workspace,
      ...files,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'dist-runner',
      // Without credentials the AWS SDK would otherwise probe the EC2 metadata endpoint and stall.
      AWS_EC2_METADATA_DISABLED: 'true',
      ...prefixed('INPUT_', options.inputs, inputEnvName),
      ...prefixed('STATE_', options.state, (name) => name),
      ...options.env,
    };

    const started = Date.now();
    const child = spawn(options.node ?? process.execPath, [script], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.interrupt && !interrupted && options.interrupt.when.test(stdout)) {
        interrupted = true;
        child.kill(options.interrupt.signal ?? 'SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const exitCode = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      // 'close' (not 'exit') so that stdout and stderr are complete.
      child.once('close', (code) => done(code));
    }).finally(() => clearTimeout(timer));

    const [output, state, exported, path, summary] = await Promise.all([
      readFile(files.GITHUB_OUTPUT, 'utf8'),
      readFile(files.GITHUB_STATE, 'utf8'),
      readFile(files.GITHUB_ENV, 'utf8'),
      readFile(files.GITHUB_PATH, 'utf8'),
      readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    ]);
    const run: DistRun = {
      exitCode,
      stdout,
      stderr,
      outputs: parseFileCommand(output),
      state: parseFileCommand(state),
      exportedEnv: parseFileCommand(exported),
      addedPath: splitLines(path).filter((line) => line !== ''),
      summary,
      durationMs: Date.now() - started,
      commands: splitLines(stdout).filter((line) => /^::[A-Za-z][\w-]*( [^:]*)?::/.test(line)),
      env,
    };
    if (timedOut) {
      throw new DistRunTimeoutError(
        `runDist: ${script} was killed after exceeding timeoutMs=${timeoutMs}\n` +
          `--- stdout (tail) ---\n${stdout.slice(-2000)}\n--- stderr (tail) ---\n${stderr.slice(-2000)}`,
        run,
      );
    }
    return run;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * The variable the runner sets for an input: upper case, spaces to underscores, hyphens kept
 * (`base-url` -> INPUT_BASE-URL), which is also the name @actions/core's getInput reads.
 */
export function inputEnvName(name: string): string {
  return name.replace(/ /g, '_').toUpperCase();
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file. @actions/core 3 writes
 * `name<<ghadelimiter_<uuid>` EOL value lines EOL `ghadelimiter_<uuid>`; the runner also
 * accepts the one-line `name=value` form. Later entries win, as on the runner.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = line.indexOf('<<');
    const equals = line.indexOf('=');
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i] ?? '');
      }
      if (!closed) throw new Error(`Invalid file command: ${name} is missing its delimiter ${delimiter}`);
      result[name] = value.join('\n');
    } else if (equals > 0) {
      result[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(`Invalid file command line: ${JSON.stringify(line)}`);
    }
  }
  return result;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function pick(source: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function prefixed(
  prefix: string,
  values: Record<string, string> | undefined,
  rename: (name: string) => string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values ?? {})) result[prefix + rename(name)] = value;
  return result;
}

/** The nearest directory at or above `start` whose package.json declares workspaces. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // An unreadable package.json is not the root; keep looking.
      }
    }
    if (dirname(dir) === dir) return start;
  }
}
