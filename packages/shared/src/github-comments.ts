import type { GitHubClient, RepoRef } from './github-client.js';

export interface StickyComment {
  id: number;
  url: string;
  created: boolean;
}

/** Hidden in the rendered comment; finds it again on the next run. */
export function stickyMarker(action: string, key: string): string {
  return `<!-- ecs-ship:${action}:${key} -->`;
}

/**
 * One comment per action and key on a pull request: created the first time, edited in place after,
 * so a pull request shows the latest deploy or gate result instead of a growing thread.
 */
export async function upsertStickyComment(
  github: GitHubClient,
  target: RepoRef & { issueNumber: number },
  marker: { action: string; key: string },
  body: string,
): Promise<StickyComment> {
  const tag = stickyMarker(marker.action, marker.key);
  const fullBody = `${tag}\n${body}`;
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  // Ours starts with the marker and was written by a bot (the workflow token's github-actions[bot]
  // or an app); a person quoting the marker in a review comment must not have it overwritten.
  const existing = comments.find(
    (comment) => comment.body?.startsWith(tag) === true && comment.user?.type === 'Bot',
  );
  if (existing) {
    const { data } = await github.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body: fullBody,
    });
    return { id: data.id, url: data.html_url, created: false };
  }
  const { data } = await github.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body: fullBody,
  });
  return { id: data.id, url: data.html_url, created: true };
}
