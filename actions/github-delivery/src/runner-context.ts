import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { RepoRef } from '@ecs-ship/shared/github-client';
import { isPlainObject, type PlainObject } from '@ecs-ship/shared/structure';

/** What the runner tells every step about the run, read once from its environment. */
export interface RunnerContext {
  repo: RepoRef;
  /** owner/name */
  repository: string;
  serverUrl: string;
  runId: string;
  runAttempt: number;
  sha: string;
  ref: string;
  actor?: string;
  triggeringActor?: string;
  eventName: string;
  /** The webhook payload of the triggering event ({} when there is none). */
  event: PlainObject;
  /** This run attempt's page: the log a deployment status or comment links to. */
  runUrl: string;
}

const NEEDED = 'this must run as a step of a GitHub Actions workflow';

export function readRunnerContext(
  env: NodeJS.ProcessEnv,
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): RunnerContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, name, ...rest] = repository.split('/');
  if (!owner || !name || rest.length > 0)
    throw new ConfigurationError(
      `GITHUB_REPOSITORY must be owner/name; got ${JSON.stringify(repository)}: ${NEEDED}.`,
    );
  const runId = digits(env, 'GITHUB_RUN_ID');
  const runAttempt = Number(digits(env, 'GITHUB_RUN_ATTEMPT'));
  const sha = env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(sha))
    throw new ConfigurationError(`GITHUB_SHA must be a commit SHA; got ${JSON.stringify(sha)}: ${NEEDED}.`);
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  return {
    repo: { owner, repo: name },
    repository,
    serverUrl,
    runId,
    runAttempt,
    sha: sha.toLowerCase(),
    ref: env.GITHUB_REF ?? '',
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
    ...(env.GITHUB_TRIGGERING_ACTOR ? { triggeringActor: env.GITHUB_TRIGGERING_ACTOR } : {}),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event: readEvent(env.GITHUB_EVENT_PATH, readFile),
    runUrl: runPageUrl(serverUrl, repository, runId, runAttempt),
  };
}

export function runPageUrl(serverUrl: string, repository: string, runId: string, attempt?: number): string {
  const base = `${serverUrl}/${repository}/actions/runs/${runId}`;
  return attempt === undefined ? base : `${base}/attempts/${attempt}`;
}

function digits(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name] ?? '';
  if (!/^\d+$/.test(value))
    throw new ConfigurationError(`${name} must be a number; got ${JSON.stringify(value)}: ${NEEDED}.`);
  return value;
}

function readEvent(file: string | undefined, readFile: (file: string) => string): PlainObject {
  if (!file) return {};
  let text: string;
  try {
    text = readFile(file);
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    throw new ConfigurationError(`The event payload in GITHUB_EVENT_PATH (${file}) is not valid JSON.`);
  }
}

/** A field of the event payload by its path, e.g. ['pull_request', 'head', 'sha']. */
export function eventField(event: PlainObject, path: readonly string[]): unknown {
  let current: unknown = event;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}
