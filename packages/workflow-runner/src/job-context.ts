// One running job: its contexts, its environment as steps change it, and what its steps leave behind.
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Place, Scope } from './expressions.js';
import type { RunnerContext } from './github-context.js';
import { referenceProblems, type Declarations } from './references.js';
import { warn, type RunState, type WorkflowScope } from './run-state.js';
import type { Annotation, GithubContext, JobRun, StepConclusion } from './types.js';
import type { FileCommands } from './file-commands.js';
import type { JobDefinition } from './workflow-file.js';

export type JobStatus = 'success' | 'failure' | 'cancelled';

export interface StepContext {
  outputs: Record<string, string>;
  outcome: StepConclusion;
  conclusion: StepConclusion;
}

/** An action's post step, run at job end with the state its main step saved. */
export interface PostStep {
  name: string;
  id: string | undefined;
  uses: string;
  directory: string;
  entry: string;
  condition: string;
  inputs: Record<string, string>;
  /** The step's own `env:`, evaluated when the main step ran. */
  stepEnv: Record<string, string>;
  state: Record<string, string>;
}

/** What running a step produced, however it ran. */
export interface Execution {
  outcome: 'success' | 'failure' | 'cancelled';
  exitCode?: number | null;
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  commands: FileCommands | undefined;
  error?: string;
  emulation?: { action: string; recorded: Record<string, unknown> };
}

export interface JobContext {
  state: RunState;
  workflow: WorkflowScope;
  def: JobDefinition;
  run: JobRun;
  github: GithubContext;
  runner: RunnerContext;
  needs: Record<string, { result: string; outputs: Record<string, string> }>;
  strategy: Record<string, unknown>;
  matrix: Record<string, unknown> | null;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  steps: Record<string, StepContext>;
  /** Workflow and job `env:`, then what steps wrote to GITHUB_ENV: the `env` context between steps. */
  env: Record<string, string>;
  /** GITHUB_PATH entries, the latest first. */
  path: string[];
  status: JobStatus;
  /** The run was cancelled while this job ran (a job started after the cancel, under always(), is not). */
  cancelled: () => boolean;
  declarations: Declarations;
  posts: PostStep[];
  directory: string;
}

/** The contexts a place of this job sees, with strict checking of what its expressions read. */
export function jobScope(job: JobContext, place: Place, stepEnv: Record<string, string> = {}): Scope {
  return {
    contexts: {
      github: job.github,
      needs: job.needs,
      strategy: job.strategy,
      matrix: job.matrix,
      inputs: job.workflow.inputs,
      vars: job.vars,
      secrets: job.secrets,
      runner: job.runner,
      job: { status: job.status, container: {}, services: {} },
      steps: job.steps,
      env: { ...job.env, ...stepEnv },
    },
    check: strictCheck(job.state, job.declarations, `${job.run.id} (${place})`),
    workspace: job.state.root,
  };
}

/** Strict mode refuses an expression that reads something undeclared; otherwise it is a warning. */
export function strictCheck(
  state: RunState,
  declarations: Declarations,
  where: string,
): (expression: string) => void {
  return (expression) => {
    const problems = referenceProblems(expression, declarations);
    for (const problem of problems) warn(state, `${where}: ${problem}`);
    if (state.strict && problems[0]) throw new ConfigurationError(problems[0]);
  };
}
