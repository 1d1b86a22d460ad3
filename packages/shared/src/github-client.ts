import { context, getOctokit } from '@actions/github';
import { ConfigurationError } from './errors.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * An Octokit for the token; its base URL comes from GITHUB_API_URL (GitHub Enterprise, or the local
 * fake the tests start).
 */
export function createGitHubClient(token: string, env: NodeJS.ProcessEnv = process.env): GitHubClient {
  if (token.trim() === '') {
    throw new ConfigurationError(
      'Input "github-token" is empty: pass ${{ github.token }} or a token with the needed scopes.',
    );
  }
  // @actions/github reads GITHUB_API_URL once, when it is first imported; read it again here.
  const baseUrl = env.GITHUB_API_URL?.replace(/\/+$/, '');
  return getOctokit(token, baseUrl ? { baseUrl } : {});
}

export function currentRepo(env: NodeJS.ProcessEnv = process.env): RepoRef {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo)
    throw new ConfigurationError('GITHUB_REPOSITORY is not set: this must run inside a GitHub workflow.');
  return { owner, repo };
}

/** The pull request this run belongs to, if any. */
export function currentPullRequestNumber(): number | undefined {
  return context.payload.pull_request?.number ?? undefined;
}

/** The link a person follows from a deployment status or comment back to this run's log. */
export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`;
}

/**
 * GitHub's 401 / 403 as an instruction: a token it does not accept, or which permission the token
 * lacks (`need`). Anything else (a 404 for an unknown id, an outage) is returned as it is.
 */
export function explainRefusal(error: unknown, need: string): unknown {
  const status = (error as { status?: unknown } | undefined)?.status;
  if (status !== 401 && status !== 403) return error;
  const message = error instanceof Error ? (error.message.split(' - ')[0] ?? '') : String(error);
  return new ConfigurationError(
    status === 401
      ? `GitHub did not accept the token (401: ${message}): check input "github-token".`
      : `GitHub refused the request (403: ${message}): ${need}.`,
  );
}
