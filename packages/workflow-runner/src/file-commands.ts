// The files a step writes its outputs, environment, PATH entries, state and summary to.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFileCommand } from '@ecs-ship/testing/dist-runner';

export interface StepFiles {
  GITHUB_OUTPUT: string;
  GITHUB_ENV: string;
  GITHUB_PATH: string;
  GITHUB_STATE: string;
  GITHUB_STEP_SUMMARY: string;
}

export interface FileCommands {
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  state: Record<string, string>;
  summary: string;
}

/** Fresh, empty files in `directory`, one set per step as on the runner. */
export async function createStepFiles(directory: string): Promise<StepFiles> {
  await mkdir(directory, { recursive: true });
  const files: StepFiles = {
    GITHUB_OUTPUT: join(directory, 'output'),
    GITHUB_ENV: join(directory, 'env'),
    GITHUB_PATH: join(directory, 'path'),
    GITHUB_STATE: join(directory, 'state'),
    GITHUB_STEP_SUMMARY: join(directory, 'step_summary'),
  };
  await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
  return files;
}

/** What the step wrote; a malformed file throws (the runner fails the step). */
export async function readStepFiles(files: StepFiles): Promise<FileCommands> {
  const [output, env, path, state, summary] = await Promise.all(
    [
      files.GITHUB_OUTPUT,
      files.GITHUB_ENV,
      files.GITHUB_PATH,
      files.GITHUB_STATE,
      files.GITHUB_STEP_SUMMARY,
    ].map((file) => readFile(file, 'utf8')),
  );
  return {
    outputs: parseFileCommand(output ?? ''),
    env: parseFileCommand(env ?? ''),
    path: (path ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    state: parseFileCommand(state ?? ''),
    summary: summary ?? '',
  };
}
