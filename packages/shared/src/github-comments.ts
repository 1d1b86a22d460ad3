import type { GitHubClient, RepoRef } from './github-client.js';
import type { Logger } from './logger.js';

/** GitHub refuses an issue comment body longer than this. */
export const COMMENT_BODY_LIMIT = 65_536;

/** The author of comments made with the workflow's own GITHUB_TOKEN. */
export const WORKFLOW_BOT_LOGIN = 'github-actions[bot]';

/** Which run wrote a comment: a later run may replace it, an earlier one may not. */
export interface RunStamp {
  /** Decimal digits, compared as a number; text so that no id is ever rounded. */
  runId: string;
  attempt: number;
  sha: string;
}

export interface StickyComment {
  id: number;
  url: string;
  created: boolean;
  /** A comment from a newer run was found and left as it is. */
  skipped: boolean;
  /** The stamp of that newer comment, when skipped. */
  newerStamp?: RunStamp;
  /** Our duplicates (from concurrent runs) that were deleted. */
  deleted: number[];
  /** The body was cut to fit COMMENT_BODY_LIMIT. */
  truncated: boolean;
}

export interface StickyCommentOptions {
  /** Only comments by this login are ours to edit or delete (default github-actions[bot]). */
  expectedAuthor?: string;
  /** Written into the comment; a comment carrying a newer stamp is never overwritten. */
  stamp?: RunStamp;
  /** Linked from the last line when the body has to be cut (the run that has the full text). */
  overflowUrl?: string;
  logger?: Logger;
}

interface ListedComment {
  id: number;
  html_url: string;
  body?: string | null;
  user?: { login: string } | null;
}

/** Hidden in the rendered comment; finds it again on the next run. */
export function stickyMarker(action: string, key: string): string {
  return `<!-- ecs-ship:${action}:${key} -->`;
}

export function renderRunStamp(stamp: RunStamp): string {
  return `<!-- ecs-ship:run id=${stamp.runId} attempt=${stamp.attempt} sha=${stamp.sha} -->`;
}

const STAMP_LINE = /^<!-- ecs-ship:run id=(\d+) attempt=(\d+) sha=([0-9A-Za-z]*) -->$/;

export function parseRunStamp(line: string): RunStamp | undefined {
  const match = STAMP_LINE.exec(line.trim());
  if (!match) return undefined;
  return { runId: match[1]!, attempt: Number(match[2]), sha: match[3]! };
}

/** Negative when `a` was written by an older run than `b`, 0 for the same run attempt. */
export function compareRunStamps(a: RunStamp, b: RunStamp): number {
  const runA = BigInt(a.runId);
  const runB = BigInt(b.runId);
  if (runA !== runB) return runA < runB ? -1 : 1;
  return Math.sign(a.attempt - b.attempt);
}

/**
 * Removes every `<!-- ecs-ship:` opening from text we did not write (a pull request's own output),
 * so it cannot forge a marker or a run stamp. Repeated until none is left: removing one occurrence
 * could join the text around it into another.
 */
export function stripMarkers(text: string): string {
  const pattern = /<!--\s*ecs-ship:/gi;
  let current = text;
  for (;;) {
    const next = current.replace(pattern, '');
    if (next === current) return current;
    current = next;
  }
}

/**
 * The comment body: `head` (markers) then `content`, cut at a line boundary when the whole would
 * exceed `limit`, with a last line saying where the rest is. Open code fences and <details> are
 * closed first so that last line renders as text, not inside them.
 */
export function fitCommentBody(
  head: string,
  content: string,
  options: { limit?: number; overflowUrl?: string } = {},
): { body: string; truncated: boolean } {
  const limit = options.limit ?? COMMENT_BODY_LIMIT;
  const whole = `${head}\n${content}`;
  if (whole.length <= limit) return { body: whole, truncated: false };

  const where = options.overflowUrl ? `[the workflow run](${options.overflowUrl})` : 'the workflow run';
  const notice = `_Cut to fit GitHub's ${limit.toLocaleString('en-US')}-character limit: the full text is in ${where}._`;
  const lines = content.split('\n');
  const blocks = new OpenBlocks();
  let keptCount = 0;
  let length = head.length + 1;
  for (const line of lines) {
    const after = blocks.clone();
    after.feed(line);
    const total = length + line.length + 1 + after.closing().length + notice.length;
    if (total > limit) break;
    blocks.feed(line);
    keptCount += 1;
    length += line.length + 1;
  }
  let kept = lines.slice(0, keptCount).join('\n');
  if (keptCount === 0) {
    // One line longer than the limit on its own: cut inside it, on a code point boundary.
    kept = sliceCodePoints(lines[0] ?? '', Math.max(0, limit - head.length - 2 - notice.length));
    blocks.feed(kept);
  }
  const body = `${head}\n${kept}\n${blocks.closing()}${notice}`;
  return { body: body.length <= limit ? body : body.slice(0, limit), truncated: true };
}

/** The code fence and <details> blocks open after the lines fed so far. */
class OpenBlocks {
  private fence: string | undefined;
  private details = 0;

  clone(): OpenBlocks {
    const copy = new OpenBlocks();
    copy.fence = this.fence;
    copy.details = this.details;
    return copy;
  }

  feed(line: string): void {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (this.fence === undefined) this.fence = marker;
      else if (marker[0] === this.fence[0] && marker.length >= this.fence.length) this.fence = undefined;
      return;
    }
    if (this.fence !== undefined) return;
    this.details += (line.match(/<details[\s>]/gi) ?? []).length;
    this.details = Math.max(0, this.details - (line.match(/<\/details>/gi) ?? []).length);
  }

  /** Lines that close what is open, each ending in a line break; '' when nothing is. */
  closing(): string {
    const parts: string[] = [];
    if (this.fence !== undefined) parts.push(this.fence);
    for (let index = 0; index < this.details; index++) parts.push('</details>');
    return parts.map((part) => `${part}\n`).join('');
  }
}

function sliceCodePoints(text: string, maxUnits: number): string {
  let end = Math.min(maxUnits, text.length);
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** The stamp on the line after the marker; stamps anywhere else do not count. */
function stampOf(body: string, tag: string): RunStamp | undefined {
  const second =
    body
      .slice(tag.length)
      .replace(/^\r?\n/, '')
      .split(/\r?\n/, 1)[0] ?? '';
  return parseRunStamp(second);
}

/**
 * One comment per action and key on a pull request: created the first time, edited in place after,
 * so a pull request shows the latest result instead of a growing thread. Ours means: starts with
 * the marker and written by `expectedAuthor`; a person's (or another bot's) comment that quotes the
 * marker is never touched. With a stamp, a comment from a newer run is left alone; concurrent runs
 * that each created one converge on the oldest, the others deleted.
 */
export async function upsertStickyComment(
  github: GitHubClient,
  target: RepoRef & { issueNumber: number },
  marker: { action: string; key: string },
  body: string,
  options: StickyCommentOptions = {},
): Promise<StickyComment> {
  const tag = stickyMarker(marker.action, marker.key);
  const author = (options.expectedAuthor ?? WORKFLOW_BOT_LOGIN).toLowerCase();
  const head = options.stamp ? `${tag}\n${renderRunStamp(options.stamp)}` : tag;
  const { body: fullBody, truncated } = fitCommentBody(
    head,
    stripMarkers(body),
    options.overflowUrl ? { overflowUrl: options.overflowUrl } : {},
  );
  const repo = { owner: target.owner, repo: target.repo };

  const listOurs = async (): Promise<ListedComment[]> => {
    const comments: ListedComment[] = await github.paginate(github.rest.issues.listComments, {
      ...repo,
      issue_number: target.issueNumber,
      per_page: 100,
    });
    return comments
      .filter(
        (comment) => comment.body?.startsWith(tag) === true && comment.user?.login.toLowerCase() === author,
      )
      .sort((a, b) => a.id - b.id);
  };
  const deleteOthers = async (ours: ListedComment[], keep: number): Promise<number[]> => {
    const deleted: number[] = [];
    for (const comment of ours) {
      if (comment.id === keep) continue;
      try {
        await github.rest.issues.deleteComment({ ...repo, comment_id: comment.id });
      } catch (error) {
        // A concurrent run converging on the same comment may have deleted it first.
        if ((error as { status?: number }).status !== 404) throw error;
      }
      deleted.push(comment.id);
      options.logger?.info(`Deleted duplicate comment ${comment.id} (${tag}).`);
    }
    return deleted;
  };
  const newerThanOurs = (ours: ListedComment[]) => {
    if (!options.stamp) return undefined;
    let newest: { comment: ListedComment; stamp: RunStamp } | undefined;
    for (const comment of ours) {
      const stamp = stampOf(comment.body ?? '', tag);
      if (stamp && (!newest || compareRunStamps(stamp, newest.stamp) > 0)) newest = { comment, stamp };
    }
    return newest && compareRunStamps(newest.stamp, options.stamp) > 0 ? newest : undefined;
  };
  const skip = (newer: { comment: ListedComment; stamp: RunStamp }, deleted: number[] = []) => {
    options.logger?.info(
      `Comment ${newer.comment.id} was written by a newer run (run ${newer.stamp.runId} attempt ${newer.stamp.attempt}); leaving it as it is.`,
    );
    return {
      id: newer.comment.id,
      url: newer.comment.html_url,
      created: false,
      skipped: true,
      newerStamp: newer.stamp,
      deleted,
      truncated,
    };
  };
  const update = async (id: number, deleted: number[]): Promise<StickyComment> => {
    const { data } = await github.rest.issues.updateComment({ ...repo, comment_id: id, body: fullBody });
    return { id: data.id, url: data.html_url, created: false, skipped: false, deleted, truncated };
  };

  const existing = await listOurs();
  if (existing.length > 0) {
    const newer = newerThanOurs(existing);
    if (newer) return skip(newer);
    const keeper = existing[0]!;
    const deleted = await deleteOthers(existing, keeper.id);
    return update(keeper.id, deleted);
  }

  const { data: mine } = await github.rest.issues.createComment({
    ...repo,
    issue_number: target.issueNumber,
    body: fullBody,
  });
  // Two runs that both found nothing both created one: every run keeps the oldest, so they agree.
  const after = await listOurs();
  const keeper = after[0];
  if (!keeper || keeper.id === mine.id) {
    const deleted = await deleteOthers(after, mine.id);
    return { id: mine.id, url: mine.html_url, created: true, skipped: false, deleted, truncated };
  }
  const deleted = await deleteOthers(after, keeper.id);
  const keeperStamp = stampOf(keeper.body ?? '', tag);
  if (options.stamp && keeperStamp && compareRunStamps(keeperStamp, options.stamp) > 0) {
    return skip({ comment: keeper, stamp: keeperStamp }, deleted);
  }
  return update(keeper.id, deleted);
}
