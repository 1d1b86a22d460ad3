import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { createGitHubClient } from '../src/github-client.js';
import { renderRunStamp, stickyMarker, upsertStickyComment, type RunStamp } from '../src/github-comments.js';
import { MemoryLogger } from '../src/logger.js';

// upsertStickyComment's ownership, stamp ordering and de-duplication against the GitHub API fake.
let api: GitHubApiFake;
const repo = { owner: 'acme', repo: 'shop' };
const token = 'ghs_comments_token_42';
const target = { ...repo, issueNumber: 3 };
const marker = { action: 'pr-comment', key: 'checks' };
const tag = stickyMarker(marker.action, marker.key);
const stamp = (runId: string, attempt = 1): RunStamp => ({ runId, attempt, sha: 'a'.repeat(40) });

beforeAll(async () => {
  api = await startGitHubApiFake({ token });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const client = () => createGitHubClient(token, { GITHUB_API_URL: api.url });
const bodies = () => api.commentsOf(repo.owner, repo.repo, 3).map((comment) => comment.body);
const seed = (body: string, login?: string) =>
  api.addComment({ ...target, body, ...(login ? { login } : {}) });

describe('upsertStickyComment with a run stamp', () => {
  it('writes the marker, then the stamp, then the body', async () => {
    const result = await upsertStickyComment(client(), target, marker, 'hello', { stamp: stamp('10') });
    expect(result).toMatchObject({ created: true, skipped: false, deleted: [], truncated: false });
    expect(bodies()).toEqual([`${tag}\n${renderRunStamp(stamp('10'))}\nhello`]);
  });

  it.each([
    ['an older run', stamp('9'), stamp('10'), false],
    ['the same run attempt', stamp('10'), stamp('10'), false],
    ['an earlier attempt', stamp('10', 1), stamp('10', 2), false],
    ['a newer run', stamp('11'), stamp('10'), true],
    ['a later attempt of the same run', stamp('10', 3), stamp('10', 2), true],
  ])('over a comment by %s', async (_name, existing, ours, skipped) => {
    seed(`${tag}\n${renderRunStamp(existing)}\nbefore`);
    const logger = new MemoryLogger();
    const result = await upsertStickyComment(client(), target, marker, 'after', { stamp: ours, logger });
    expect(result.skipped).toBe(skipped);
    expect(bodies()).toHaveLength(1);
    expect(bodies()[0]!.endsWith(skipped ? 'before' : 'after')).toBe(true);
    if (skipped) expect(logger.lines.join('\n')).toContain('written by a newer run');
  });

  it('treats a comment without a stamp as older', async () => {
    seed(`${tag}\nlegacy`);
    const result = await upsertStickyComment(client(), target, marker, 'new', { stamp: stamp('1') });
    expect(result).toMatchObject({ created: false, skipped: false });
    expect(bodies()).toEqual([`${tag}\n${renderRunStamp(stamp('1'))}\nnew`]);
  });

  it('ignores a stamp that is not on the line after the marker', async () => {
    seed(`${tag}\nquoted: ${renderRunStamp(stamp('99'))}\n${renderRunStamp(stamp('99'))}`);
    const result = await upsertStickyComment(client(), target, marker, 'new', { stamp: stamp('5') });
    expect(result.skipped).toBe(false);
  });

  it('only takes over comments by the expected author', async () => {
    seed(`${tag}\nby a person`, 'octocat');
    seed(`${tag}\nby the workflow token`);
    const result = await upsertStickyComment(client(), target, marker, 'by the app', {
      expectedAuthor: 'ecs-ship-app[bot]',
      stamp: stamp('1'),
    });
    expect(result.created).toBe(true);
    expect(bodies().slice(0, 2)).toEqual([`${tag}\nby a person`, `${tag}\nby the workflow token`]);
    expect(api.comments.at(-1)?.user.login).toBe('github-actions[bot]');
  });

  it('deletes our duplicates beyond the first page and keeps the oldest', async () => {
    for (let index = 0; index < 105; index++) seed(`noise ${index}`, 'someone');
    const oldest = seed(`${tag}\nfirst`);
    const duplicate = seed(`${tag}\nsecond`);
    seed(`${tag}\nnot ours`, 'octocat');
    const result = await upsertStickyComment(client(), target, marker, 'merged', { stamp: stamp('1') });
    expect(result).toMatchObject({ id: oldest.id, deleted: [duplicate.id], created: false });
    expect(bodies().filter((body) => body.startsWith(tag))).toEqual([
      `${tag}\n${renderRunStamp(stamp('1'))}\nmerged`,
      `${tag}\nnot ours`,
    ]);
  });

  it('tolerates a duplicate that a concurrent run deleted first', async () => {
    seed(`${tag}\nfirst`);
    const duplicate = seed(`${tag}\nsecond`);
    api.onNext('before', 'DELETE', /\/issues\/comments\/\d+$/, () => {
      api.comments.splice(
        api.comments.findIndex((comment) => comment.id === duplicate.id),
        1,
      );
    });
    const result = await upsertStickyComment(client(), target, marker, 'x', { stamp: stamp('1') });
    expect(result.deleted).toEqual([duplicate.id]);
    expect(bodies()).toHaveLength(1);
  });

  it('cuts an over-long body and links the run', async () => {
    const long = Array.from({ length: 8000 }, (_, index) => `line ${index} of a long log`).join('\n');
    const result = await upsertStickyComment(client(), target, marker, long, {
      stamp: stamp('1'),
      overflowUrl: 'https://github.com/acme/shop/actions/runs/1/attempts/1',
    });
    expect(result.truncated).toBe(true);
    expect(bodies()[0]!.length).toBeLessThanOrEqual(65_536);
    expect(bodies()[0]).toContain('(https://github.com/acme/shop/actions/runs/1/attempts/1)');
  });
});
