// The `github` and `runner` contexts of a run, and the GITHUB_* / RUNNER_* variables every step gets.
import { randomBytes } from 'node:crypto';
import type { GithubContext } from './types.js';

export interface RunnerContext {
  os: string;
  arch: string;
  name: string;
  temp: string;
  tool_cache: string;
  environment: string;
  debug: string;
}

export interface GithubContextSource {
  given: Partial<GithubContext>;
  eventName: string;
  payload: Record<string, unknown>;
  eventPath: string;
  workflowName: string;
  workflowPath: string;
  workspace: string;
  /** The base environment: GITHUB_SERVER_URL / GITHUB_API_URL / GITHUB_GRAPHQL_URL there become the URLs. */
  env: Record<string, string>;
  secrets: Record<string, string>;
}

const DEFAULT_SHA = '0123456789abcdef0123456789abcdef01234567';

/** The given fields, then what the event payload says, then the values a fresh repository would have. */
export function githubContext(source: GithubContextSource): GithubContext {
  const { given, payload } = source;
  const pull = record(payload.pull_request);
  const repository = given.repository ?? text(record(payload.repository).full_name) ?? 'octo-org/octo-repo';
  const defaultBranch = text(record(payload.repository).default_branch) ?? 'main';
  const ref =
    given.ref ??
    (source.eventName === 'push' ? text(payload.ref) : undefined) ??
    (pull.number !== undefined ? `refs/pull/${String(pull.number)}/merge` : undefined) ??
    `refs/heads/${defaultBranch}`;
  const sha = given.sha ?? (source.eventName === 'push' ? text(payload.after) : undefined) ?? DEFAULT_SHA;
  const actor = given.actor ?? text(record(payload.sender).login) ?? 'octocat';
  const serverUrl = given.server_url ?? source.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const apiUrl = given.api_url ?? source.env.GITHUB_API_URL ?? 'https://api.github.com';
  return {
    repository,
    repository_owner: given.repository_owner ?? repository.split('/')[0] ?? '',
    sha,
    ref,
    ref_name: given.ref_name ?? ref.replace(/^refs\/(heads|tags|pull)\//, ''),
    ref_type: given.ref_type ?? (ref.startsWith('refs/tags/') ? 'tag' : 'branch'),
    head_ref: given.head_ref ?? text(record(pull.head).ref) ?? '',
    base_ref: given.base_ref ?? text(record(pull.base).ref) ?? '',
    actor,
    triggering_actor: given.triggering_actor ?? actor,
    run_id: given.run_id ?? '1000000001',
    run_number: given.run_number ?? '1',
    run_attempt: given.run_attempt ?? '1',
    server_url: serverUrl,
    api_url: apiUrl,
    graphql_url: given.graphql_url ?? source.env.GITHUB_GRAPHQL_URL ?? `${apiUrl.replace(/\/$/, '')}/graphql`,
    // GitHub always has a token; a random one here, so a test can see that it is masked.
    token: given.token ?? source.secrets.GITHUB_TOKEN ?? `ghs_${randomBytes(18).toString('hex')}`,
    event_name: source.eventName,
    event: payload,
    event_path: source.eventPath,
    workflow: given.workflow ?? source.workflowName,
    workflow_ref: given.workflow_ref ?? `${repository}/${source.workflowPath}@${ref}`,
    workflow_sha: given.workflow_sha ?? sha,
    workspace: source.workspace,
    retention_days: given.retention_days ?? '90',
    job: '',
    action: '',
    action_path: '',
  };
}

/** What the runner exports to every step process (never GITHUB_TOKEN: actions get it as an input). */
export function runnerVariables(github: GithubContext, runner: RunnerContext): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository_owner,
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_REF_NAME: github.ref_name,
    GITHUB_REF_TYPE: github.ref_type,
    GITHUB_HEAD_REF: github.head_ref,
    GITHUB_BASE_REF: github.base_ref,
    GITHUB_ACTOR: github.actor,
    GITHUB_TRIGGERING_ACTOR: github.triggering_actor,
    GITHUB_RUN_ID: github.run_id,
    GITHUB_RUN_NUMBER: github.run_number,
    GITHUB_RUN_ATTEMPT: github.run_attempt,
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_API_URL: github.api_url,
    GITHUB_GRAPHQL_URL: github.graphql_url,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_EVENT_PATH: github.event_path,
    GITHUB_WORKFLOW: github.workflow,
    GITHUB_WORKFLOW_REF: github.workflow_ref,
    GITHUB_WORKFLOW_SHA: github.workflow_sha,
    GITHUB_WORKSPACE: github.workspace,
    GITHUB_RETENTION_DAYS: github.retention_days,
    GITHUB_JOB: github.job,
    GITHUB_ACTION: github.action,
    ...(github.action_path ? { GITHUB_ACTION_PATH: github.action_path } : {}),
    RUNNER_OS: runner.os,
    RUNNER_ARCH: runner.arch,
    RUNNER_NAME: runner.name,
    RUNNER_TEMP: runner.temp,
    RUNNER_TOOL_CACHE: runner.tool_cache,
    RUNNER_ENVIRONMENT: runner.environment,
  };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
