// The public shapes of a run: what runWorkflow is given and what it returns.
import type { Value } from './expressions.js';

export type RunResult = 'success' | 'failure' | 'cancelled';
export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled';
export type StepConclusion = 'success' | 'failure' | 'skipped' | 'cancelled';

/** The `github` context. Every field can be given; the rest is derived from the event or defaulted. */
export interface GithubContext {
  repository: string;
  repository_owner: string;
  sha: string;
  ref: string;
  ref_name: string;
  ref_type: string;
  head_ref: string;
  base_ref: string;
  actor: string;
  triggering_actor: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  server_url: string;
  api_url: string;
  graphql_url: string;
  token: string;
  event_name: string;
  event: Record<string, unknown>;
  event_path: string;
  workflow: string;
  workflow_ref: string;
  workflow_sha: string;
  workspace: string;
  retention_days: string;
  /** Set per job and per step. */
  job: string;
  action: string;
  action_path: string;
}

export interface WorkflowEvent {
  /** `push`, `workflow_dispatch`, `pull_request`, `workflow_run`, `workflow_call`, ... */
  name: string;
  /** The webhook payload: `github.event` and GITHUB_EVENT_PATH. */
  payload?: Record<string, unknown>;
}

/** Environment-scoped configuration: released to a job that names the environment, after approval. */
export interface EnvironmentSettings {
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

export type Approver = (environment: string, job: string) => Promise<Approval> | Approval;

export interface Approval {
  approved: boolean;
  by?: string;
}

export interface RunWorkflowOptions {
  /** Repository root: GITHUB_WORKSPACE and where `./` paths point. */
  root: string;
  /** Workflow path relative to root, e.g. `.github/workflows/promote.yml`. */
  workflow: string;
  event: WorkflowEvent;
  /** workflow_dispatch or workflow_call inputs, checked against the workflow's declarations. */
  inputs?: Record<string, string | boolean | number>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  environments?: Record<string, EnvironmentSettings>;
  github?: Partial<GithubContext>;
  /** Base process environment of every step (AWS endpoint, clock switch, GITHUB_API_URL...). */
  env?: Record<string, string>;
  /** Third-party actions by `owner/repo` or `owner/repo/path`; they take precedence over the emulations. */
  thirdParty?: Record<string, ThirdPartyAction>;
  /** Asked before a job with `environment:` starts; by default every environment is approved by the runner. */
  approve?: Approver;
  onEvent?: (event: RunnerEvent) => void;
  /** Where step files, RUNNER_TEMP and artifacts live; kept when given, removed after the run otherwise. */
  workDir?: string;
  /** OWNER/REPO whose pinned `OWNER/REPO/path@ref` references resolve to root (default github.repository). */
  self?: string;
  /**
   * Default true: what GitHub only warns about or silently reads as '' fails the step or job instead:
   * an input an action does not declare, a read of an output, input, matrix key or job that is not
   * declared. Without it these are recorded in `warnings`.
   */
  strict?: boolean;
  /** Cancels the run: the running step gets SIGINT, later work runs only under always()/cancelled(). */
  signal?: AbortSignal;
  /** Node binary for JavaScript actions (default: the one running this process). */
  node?: string;
  /**
   * Artifact directories of earlier runs by run id (their WorkflowRun.artifactsDir), for
   * download-artifact's `run-id` (a workflow_run workflow reading what the triggering run uploaded).
   */
  otherRunArtifacts?: Record<string, string>;
}

export interface WorkflowRun {
  /** The workflow's `name:` (or its path). */
  name: string;
  result: RunResult;
  /** In the order the jobs ran: matrix combinations as `job (a, b)`, called workflows' jobs as `caller / job`. */
  jobs: Record<string, JobRun>;
  /** `on.workflow_call.outputs` of the workflow, when it declares them. */
  outputs: Record<string, string>;
  concurrency?: Concurrency;
  /** What GitHub would only warn about (and, when not strict, what strict mode would have failed). */
  warnings: string[];
  /** This run's artifacts, one directory per name; only when `workDir` was given (it is kept). */
  artifactsDir?: string;
}

export interface Concurrency {
  group: string;
  cancelInProgress: boolean;
}

export interface JobRun {
  /** Key in WorkflowRun.jobs. */
  id: string;
  /** The job's key in its workflow file. */
  job: string;
  name: string;
  matrix?: Record<string, Value>;
  /**
   * What happened. A failed job with `continue-on-error` stays `failure` here while its dependants
   * (needs.<id>.result) and the run see success, as on GitHub.
   */
  result: JobResult;
  outputs: Record<string, string>;
  environment?: { name: string; url?: string };
  approval?: { approved: boolean; by: string };
  concurrency?: Concurrency;
  continueOnError?: boolean;
  timeoutMinutes?: number;
  /** For a job that calls a reusable workflow: the workflow, its inputs and which secrets it got. */
  uses?: string;
  with?: Record<string, Value>;
  secrets?: string[] | 'inherit';
  /** Why the job failed when no step did (a rejected environment, an invalid matrix, a bad input). */
  error?: string;
  steps: StepRun[];
}

export interface StepRun {
  id?: string;
  name: string;
  uses?: string;
  run?: string;
  /** A post step of an action (run at job end, in reverse order). */
  post?: boolean;
  conclusion: StepConclusion;
  outcome: StepConclusion;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  inputs: Record<string, string>;
  exitCode?: number | null;
  continueOnError?: boolean;
  timeoutMinutes?: number;
  /** `::error::` / `::warning::` / `::notice::` lines. */
  annotations: Annotation[];
  /** Set when an emulation or a thirdParty handler ran the step: what it was asked to do. */
  emulation?: { action: string; recorded: Record<string, unknown> };
  /** Why the runner failed the step itself (an unknown action, an expression error). */
  error?: string;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
}

export type RunnerEvent =
  | { type: 'job-start'; job: string; name: string }
  | { type: 'job-end'; job: string; result: JobResult; outputs: Record<string, string> }
  | { type: 'approval'; job: string; environment: string; approved: boolean; by: string }
  | { type: 'step-start'; job: string; step: string }
  | {
      type: 'step-end';
      job: string;
      step: string;
      conclusion: StepConclusion;
      outcome: StepConclusion;
      outputs: Record<string, string>;
    }
  | { type: 'log'; job: string; step: string; stream: 'stdout' | 'stderr'; line: string };

/**
 * How a third-party `uses:` runs: a function (what it returns becomes the step's outputs and file
 * commands; a throw fails the step), the same with the input names it understands (any other input
 * then fails the step in strict mode), or a JavaScript action on disk run like a local one.
 */
export type ThirdPartyAction =
  ThirdPartyHandler | { run: ThirdPartyHandler; inputs?: readonly string[] } | { directory: string };

export type ThirdPartyHandler = (
  step: ThirdPartyStep,
) => Promise<ThirdPartyResult | void> | ThirdPartyResult | void;

export interface ThirdPartyStep {
  /** As written, e.g. `actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683`. */
  uses: string;
  /** `owner/repo` or `owner/repo/path`, lower case. */
  action: string;
  ref: string | undefined;
  /** The evaluated `with:`. */
  inputs: Record<string, string>;
  /** The environment a process of this step would get. */
  env: Record<string, string>;
  workspace: string;
  runnerTemp: string;
  /** This run's artifact store: one directory per artifact name. */
  artifactsDir: string;
  /** Artifact directories of earlier runs by run id (RunWorkflowOptions.otherRunArtifacts). */
  otherRunArtifacts: Readonly<Record<string, string>>;
  github: Readonly<GithubContext>;
  /** Appends a line to the step's stdout (masked). */
  log(line: string): void;
  /** Masks a value from here on, as `::add-mask::` does. */
  mask(value: string): void;
}

export interface ThirdPartyResult {
  outputs?: Record<string, string>;
  /** As written to GITHUB_ENV. */
  exportVariables?: Record<string, string>;
  /** As written to GITHUB_PATH. */
  addPath?: string[];
  summary?: string;
  /** What the step was asked for, kept in StepRun.emulation. */
  recorded?: Record<string, unknown>;
}
