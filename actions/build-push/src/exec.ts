import * as actionsExec from '@actions/exec';

export interface ExecOptions {
  env?: Record<string, string>;
  /** Written to the command's stdin (a password: never on the command line). */
  input?: string;
  cwd?: string;
  /** Keep the command's output out of the log (it is still returned). */
  silent?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; a non-zero exit is returned, not thrown. */
export type Exec = (command: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

/** @actions/exec, streaming the output live into the step log unless silent. */
export const actionsExecRunner: Exec = async (command, args, options = {}) => {
  const result = await actionsExec.getExecOutput(command, args, {
    ignoreReturnCode: true,
    silent: options.silent ?? false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: Buffer.from(options.input) } : {}),
    env: { ...(process.env as Record<string, string>), ...(options.env ?? {}) },
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};
