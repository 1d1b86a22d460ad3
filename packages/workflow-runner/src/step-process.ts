// A step's process, started the way the runner starts it: base env, job env, step env, then the runner's
// own variables and fresh file-command files; its output streamed as log events.
import { delimiter } from 'node:path';
import { runChild } from './child-process.js';
import { createStepFiles, readStepFiles } from './file-commands.js';
import { runnerVariables } from './github-context.js';
import type { Execution, JobContext } from './job-context.js';
import type { GithubContext } from './types.js';

export interface StepProcess {
  stepName: string;
  command: string;
  args: string[];
  cwd: string;
  stepEnv: Record<string, string>;
  /** INPUT_* and STATE_* variables of an action. */
  extraEnv: Record<string, string>;
  github: GithubContext;
}

/** The environment a process of this step gets (also what a third-party handler sees). */
export function stepEnvironment(
  job: JobContext,
  stepEnv: Record<string, string>,
  github: GithubContext,
): Record<string, string> {
  const basePath = job.state.baseEnv.PATH ?? '';
  return {
    ...job.state.baseEnv,
    ...job.env,
    ...stepEnv,
    PATH: [...job.path, ...(basePath ? [basePath] : [])].join(delimiter),
    ...runnerVariables(github, job.runner),
  };
}

export async function runStepProcess(job: JobContext, spec: StepProcess): Promise<Execution> {
  const files = await createStepFiles(await job.state.nextDirectory('step'));
  const env = { ...stepEnvironment(job, spec.stepEnv, spec.github), ...files, ...spec.extraEnv };
  let child;
  try {
    child = await runChild({
      command: spec.command,
      args: spec.args,
      cwd: spec.cwd,
      env,
      masker: job.state.masker,
      // A step that starts after the cancel (always(), cancelled()) runs to its end, as on GitHub.
      signal: job.state.signal?.aborted ? undefined : job.state.signal,
      onLine: (stream, line) =>
        job.state.emit({ type: 'log', job: job.run.id, step: spec.stepName, stream, line }),
    });
  } catch (error) {
    const message = `could not start ${spec.command}: ${error instanceof Error ? error.message : String(error)}`;
    return {
      outcome: 'failure',
      stdout: '',
      stderr: '',
      annotations: [],
      commands: undefined,
      error: message,
    };
  }
  const execution: Execution = {
    outcome: child.cancelled ? 'cancelled' : child.exitCode === 0 ? 'success' : 'failure',
    exitCode: child.exitCode,
    stdout: child.stdout,
    stderr: child.stderr,
    annotations: child.annotations,
    commands: undefined,
  };
  try {
    execution.commands = await readStepFiles(files);
  } catch (error) {
    execution.outcome = 'failure';
    execution.error = error instanceof Error ? error.message : String(error);
  }
  if (execution.outcome === 'failure' && !execution.error && child.exitCode !== 0) {
    execution.error = `Process completed with exit code ${String(child.exitCode)}.`;
  }
  return execution;
}
