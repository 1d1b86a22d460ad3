// What one run shares across its workflows, jobs and steps.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Value } from './expressions.js';
import type { Masker } from './masker.js';
import type {
  Approver,
  EnvironmentSettings,
  GithubContext,
  JobResult,
  JobRun,
  RunnerEvent,
  ThirdPartyAction,
} from './types.js';
import type { WorkflowFile } from './workflow-file.js';

export interface RunState {
  root: string;
  workDir: string;
  artifactsDir: string;
  otherRunArtifacts: Record<string, string>;
  toolCache: string;
  github: GithubContext;
  vars: Record<string, string>;
  environments: Record<string, EnvironmentSettings>;
  /** PATH and HOME of this process, then the caller's env: the start of every step's environment. */
  baseEnv: Record<string, string>;
  /** By lower-case `owner/repo[/path]`. */
  thirdParty: Map<string, ThirdPartyAction>;
  approve: Approver;
  emit: (event: RunnerEvent) => void;
  masker: Masker;
  jobs: Record<string, JobRun>;
  warnings: string[];
  strict: boolean;
  signal: AbortSignal | undefined;
  /** OWNER/REPO whose pinned references are this repository. */
  self: string;
  node: string;
  nextDirectory: (kind: string) => Promise<string>;
}

/** One workflow being run: the top one or one a job calls. */
export interface WorkflowScope {
  file: WorkflowFile;
  inputs: Record<string, Value>;
  /** Declared input names; undefined when the trigger declares none. */
  inputNames: string[] | undefined;
  /** Includes GITHUB_TOKEN. */
  secrets: Record<string, string>;
  /** The calling job, whose id and name prefix this workflow's jobs. */
  caller: { id: string; name: string } | undefined;
  depth: number;
}

/** A job as its dependants see it (needs.<id>, jobs.<id>): matrix combinations folded into one. */
export interface JobSummary {
  result: JobResult;
  outputs: Record<string, string>;
  declaredOutputs: string[];
}

export function warn(state: RunState, message: string): void {
  if (!state.warnings.includes(message)) state.warnings.push(message);
}

export function isCancelled(state: RunState): boolean {
  return state.signal?.aborted === true;
}

export function directoryMaker(workDir: string): (kind: string) => Promise<string> {
  let count = 0;
  return async (kind) => {
    count += 1;
    const directory = join(workDir, `${kind}-${count}`);
    await mkdir(directory, { recursive: true });
    return directory;
  };
}
