import { OutcomeError } from '@ecs-ship/shared/errors';
import { upsertStickyComment, type StickyComment } from '@ecs-ship/shared/github-comments';
import type { GitHubClient, RepoRef } from '@ecs-ship/shared/github-client';
import type { Logger } from '@ecs-ship/shared/logger';
import { inlineCode } from '@ecs-ship/shared/summary';
import type { PrCommentInputs } from './inputs.js';
import { renderResultsTable, resultsHeadline } from './results.js';

/** The comment's visible text: title, the results table or the given Markdown, and where it came from. */
export function renderCommentBody(
  inputs: Pick<PrCommentInputs, 'content' | 'title' | 'headSha' | 'runId' | 'runAttempt' | 'runUrl'>,
): string {
  const footer = `<sub>Commit ${inlineCode(inputs.headSha.slice(0, 12))} · [run ${inputs.runId}, attempt ${inputs.runAttempt}](${inputs.runUrl})</sub>`;
  const main =
    inputs.content.kind === 'results'
      ? `**${resultsHeadline(inputs.content.results)}**\n\n${renderResultsTable(inputs.content.results)}`
      : inputs.content.text.trimEnd();
  return `### ${inputs.title}\n\n${main}\n\n${footer}\n`;
}

export interface PullRequestState {
  state: string;
  headSha: string;
}

/**
 * In the relay the number comes from an artifact the pull request's (possibly forked, untrusted)
 * run wrote; the trusted head SHA comes from the workflow_run event. Writing is allowed only when
 * GitHub's pull request of that number is open and its head is that commit.
 */
export function checkRelayTarget(
  pull: PullRequestState,
  inputs: Pick<PrCommentInputs, 'pullRequest' | 'headSha'>,
): void {
  const problems: string[] = [];
  if (pull.state !== 'open') problems.push(`it is ${pull.state}`);
  if (pull.headSha.toLowerCase() !== inputs.headSha.toLowerCase())
    problems.push(`its head is ${pull.headSha}, not ${inputs.headSha} (input "head-sha")`);
  if (problems.length > 0)
    throw new OutcomeError(
      `Refusing to comment on pull request #${inputs.pullRequest}: ${problems.join(' and ')}.`,
    );
}

export interface PrCommentDeps {
  github: GitHubClient;
  repo: RepoRef;
  logger: Logger;
}

export async function postPrComment(inputs: PrCommentInputs, deps: PrCommentDeps): Promise<StickyComment> {
  const { github, repo, logger } = deps;
  if (inputs.relay) {
    const { data } = await github.rest.pulls.get({ ...repo, pull_number: inputs.pullRequest });
    checkRelayTarget({ state: data.state, headSha: data.head.sha }, inputs);
    logger.info(`Pull request #${inputs.pullRequest} is open at ${inputs.headSha}.`);
  }
  const result = await upsertStickyComment(
    github,
    { ...repo, issueNumber: inputs.pullRequest },
    { action: 'pr-comment', key: inputs.key },
    renderCommentBody(inputs),
    {
      expectedAuthor: inputs.expectedAuthor,
      stamp: { runId: inputs.runId, attempt: inputs.runAttempt, sha: inputs.headSha },
      overflowUrl: inputs.runUrl,
      logger,
    },
  );
  if (result.truncated) logger.warning(`The comment was cut to fit GitHub's 65,536-character limit.`);
  logger.info(
    result.skipped
      ? `Left comment ${result.id} alone: run ${result.newerStamp?.runId} attempt ${result.newerStamp?.attempt} wrote it after this run.`
      : `${result.created ? 'Created' : 'Updated'} comment ${result.id}: ${result.url}`,
  );
  return result;
}
