import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import {
  RUN_ID,
  RUN_URL,
  TOKEN,
  deliver,
  expectNoToken,
  workspaceWith,
  OWNER,
  REPO,
} from './delivery-run.js';

// pr-comment from the built dist against the GitHub API fake: one sticky comment per pull request.
let api: GitHubApiFake;
beforeAll(async () => {
  api = await startGitHubApiFake({ token: TOKEN });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const MARKER = '<!-- ecs-ship:pr-comment:pr-validate -->';
const HEAD = 'a'.repeat(40);
const pullRequestEvent = { pull_request: { number: 7, head: { sha: HEAD } } };
const results = JSON.stringify([
  { check: 'workflow lint', status: 'pass', summary: 'no findings' },
  {
    check: 'task definition',
    status: 'fail',
    summary: 'unknown field | "cpus"',
    url: 'https://example.com/td',
  },
  { check: 'smoke', status: 'skip', summary: 'not deployed' },
]);
const stamp = (runId: string | number, attempt = 1, sha = HEAD) =>
  `<!-- ecs-ship:run id=${runId} attempt=${attempt} sha=${sha} -->`;
const comments = (issue = 7) => api.commentsOf(OWNER, REPO, issue);

async function comment(inputs: Record<string, string> = {}, options: Parameters<typeof deliver>[2] = {}) {
  return deliver(
    api,
    { mode: 'pr-comment', 'results-file': 'results.json', ...inputs },
    { event: pullRequestEvent, workspace: workspaceWith({ 'results.json': results }), ...options },
  );
}

describe('pr-comment dist', () => {
  it('creates the comment with the marker, the run stamp and the results table', async () => {
    const run = await comment();
    expect(run.exitCode).toBe(0);
    const [only] = comments();
    expect(comments()).toHaveLength(1);
    expect(run.outputs).toEqual({
      'comment-id': String(only!.id),
      'comment-url': only!.html_url,
      skipped: 'false',
    });
    const lines = only!.body.split('\n');
    expect(lines.slice(0, 3)).toEqual([MARKER, stamp(RUN_ID), '### ecs-ship pull request validation']);
    expect(only!.body).toContain('**❌ 1 of 3 checks failed, 1 skipped**');
    expect(only!.body).toContain(
      '| ❌ | [task definition](https://example.com/td) | unknown field \\| "cpus" |',
    );
    expect(only!.body).toContain(`[run ${RUN_ID}, attempt 1](${RUN_URL})`);
    expect(run.summary).toContain('## GitHub delivery: pull request #7 comment created');
    expectNoToken(run);
  });

  it('updates its own comment in place on a later run', async () => {
    await comment();
    const [first] = comments();
    const run = await comment({}, { env: { GITHUB_RUN_ID: '1000000002' } });
    expect(run.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(run.outputs).toMatchObject({ 'comment-id': String(first!.id), skipped: 'false' });
    expect(comments()[0]!.body.split('\n')[1]).toBe(stamp('1000000002'));
    expect(api.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });

  it('leaves a comment from a newer run alone and says so', async () => {
    const newer = api.addComment({
      owner: OWNER,
      repo: REPO,
      issueNumber: 7,
      body: `${MARKER}\n${stamp('1000000001', 2)}\nnewer`,
    });
    const run = await comment();
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'comment-id': String(newer.id),
      'comment-url': newer.html_url,
      skipped: 'true',
    });
    expect(comments().map((entry) => entry.body)).toEqual([`${MARKER}\n${stamp('1000000001', 2)}\nnewer`]);
    expect(run.stdout).toContain('run 1000000001 attempt 2 wrote it after this run');
    expect(api.requests.some((request) => request.method !== 'GET')).toBe(false);
  });

  it("never touches a person's or another bot's comment that starts with the marker", async () => {
    const person = api.addComment({
      owner: OWNER,
      repo: REPO,
      issueNumber: 7,
      body: `${MARKER}\n${stamp('9999999999')}\nmine`,
      login: 'mallory',
    });
    const bot = api.addComment({
      owner: OWNER,
      repo: REPO,
      issueNumber: 7,
      body: `${MARKER}\nother bot`,
      login: 'renovate[bot]',
    });
    const run = await comment();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.skipped).toBe('false');
    const all = comments();
    expect(all).toHaveLength(3);
    expect(all[0]).toEqual(person);
    expect(all[1]).toEqual(bot);
    expect(all[2]!.user.login).toBe('github-actions[bot]');
  });

  it('deletes leftover duplicates, keeping and updating the oldest', async () => {
    const oldest = api.addComment({
      owner: OWNER,
      repo: REPO,
      issueNumber: 7,
      body: `${MARKER}\n${stamp(5)}\nold`,
    });
    api.addComment({ owner: OWNER, repo: REPO, issueNumber: 7, body: `${MARKER}\n${stamp(6)}\nduplicate` });
    const run = await comment();
    expect(run.exitCode).toBe(0);
    expect(comments().map((entry) => entry.id)).toEqual([oldest.id]);
    expect(comments()[0]!.body).toContain(stamp(RUN_ID));
    expect(run.summary).toContain('Deleted duplicate comment(s)');
  });

  it('converges when a concurrent run created the comment while this one did', async () => {
    // Between our listing (none found) and our create, another run created its own.
    let concurrent = 0;
    api.onNext('before', 'POST', /\/issues\/7\/comments$/, () => {
      concurrent = api.addComment({
        owner: OWNER,
        repo: REPO,
        issueNumber: 7,
        body: `${MARKER}\n${stamp(999)}\nconcurrent`,
      }).id;
    });
    const run = await comment();
    expect(run.exitCode).toBe(0);
    const all = comments();
    expect(all.map((entry) => entry.id)).toEqual([concurrent]);
    // Ours is the newer run, so the one kept now carries our result.
    expect(all[0]!.body.split('\n')[1]).toBe(stamp(RUN_ID));
    expect(run.outputs).toMatchObject({ 'comment-id': String(concurrent), skipped: 'false' });
    expect(api.requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });

  it('keeps a newer concurrent comment and deletes its own', async () => {
    let concurrent = 0;
    api.onNext('before', 'POST', /\/issues\/7\/comments$/, () => {
      concurrent = api.addComment({
        owner: OWNER,
        repo: REPO,
        issueNumber: 7,
        body: `${MARKER}\n${stamp('2000000000')}\nnewer`,
      }).id;
    });
    const run = await comment();
    expect(run.exitCode).toBe(0);
    expect(comments().map((entry) => [entry.id, entry.body.split('\n')[2]])).toEqual([[concurrent, 'newer']]);
    expect(run.outputs).toMatchObject({ 'comment-id': String(concurrent), skipped: 'true' });
  });

  it('cuts a body over 65,536 characters at a line boundary and links the run', async () => {
    const line = 'x'.repeat(99);
    const body = Array.from({ length: 1000 }, (_, index) => `${String(index).padStart(4, '0')} ${line}`).join(
      '\n',
    );
    const run = await deliver(
      api,
      { mode: 'pr-comment', 'body-file': 'body.md' },
      { event: pullRequestEvent, workspace: workspaceWith({ 'body.md': body }) },
    );
    expect(run.exitCode).toBe(0);
    const [only] = comments();
    expect(only!.body.length).toBeLessThanOrEqual(65_536);
    expect(only!.body.length).toBeGreaterThan(60_000);
    const lines = only!.body.split('\n');
    expect(lines.at(-1)).toBe(
      `_Cut to fit GitHub's 65,536-character limit: the full text is in [the workflow run](${RUN_URL})._`,
    );
    // Every kept line is whole.
    expect(lines.filter((entry) => /^\d{4} /.test(entry)).every((entry) => entry.length === 104)).toBe(true);
    expect(run.commands.some((command) => command.startsWith('::warning::The comment was cut'))).toBe(true);
  });

  it('strips marker and stamp look-alikes from the given body', async () => {
    const body = `${MARKER}\n${stamp('9999999999')}\nhello <!--ecs-ship:x -->`;
    const run = await deliver(
      api,
      { mode: 'pr-comment', 'body-file': 'body.md', title: 'Checks' },
      { event: pullRequestEvent, workspace: workspaceWith({ 'body.md': body }) },
    );
    expect(run.exitCode).toBe(0);
    const text = comments()[0]!.body;
    expect(text.match(/<!--\s*ecs-ship:/g)).toHaveLength(2);
    expect(text.split('\n').slice(0, 3)).toEqual([MARKER, stamp(RUN_ID), '### Checks']);
  });

  describe('workflow_run relay', () => {
    const TRUSTED = 'b'.repeat(40);
    const relayEvent = {
      workflow_run: {
        id: 555,
        run_attempt: 2,
        head_sha: TRUSTED,
        html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/555`,
      },
    };
    const relay = (inputs: Record<string, string> = {}) =>
      comment(
        { 'pull-request': '9', ...inputs },
        { event: relayEvent, env: { GITHUB_EVENT_NAME: 'workflow_run' } },
      );

    it("comments with the producing run's stamp when the pull request is open at the trusted head", async () => {
      api.addPullRequest({
        owner: OWNER,
        repo: REPO,
        number: 9,
        headSha: TRUSTED,
        headRepo: 'fork/octo-repo',
      });
      const run = await relay();
      expect(run.exitCode).toBe(0);
      const [only] = comments(9);
      expect(only!.body.split('\n')[1]).toBe(stamp(555, 2, TRUSTED));
      expect(only!.body).toContain(`(https://github.com/${OWNER}/${REPO}/actions/runs/555/attempts/2)`);
    });

    it('refuses when the pull request head is not the trusted head sha', async () => {
      api.addPullRequest({ owner: OWNER, repo: REPO, number: 9, headSha: 'c'.repeat(40) });
      const run = await relay();
      expect(run.exitCode).toBe(1);
      expect(run.commands).toContain(
        `::error::Refusing to comment on pull request #9: its head is ${'c'.repeat(40)}, not ${TRUSTED} (input "head-sha").`,
      );
      expect(comments(9)).toHaveLength(0);
      expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        `GET /repos/${OWNER}/${REPO}/pulls/9`,
      ]);
    });

    it('refuses a closed pull request', async () => {
      api.addPullRequest({ owner: OWNER, repo: REPO, number: 9, headSha: TRUSTED, state: 'closed' });
      const run = await relay();
      expect(run.exitCode).toBe(1);
      expect(run.commands.join('\n')).toContain('Refusing to comment on pull request #9: it is closed');
      expect(comments(9)).toHaveLength(0);
    });

    it('refuses a head-sha that is not the workflow_run head before any request', async () => {
      const run = await relay({ 'head-sha': 'c'.repeat(40) });
      expect(run.exitCode).toBe(1);
      expect(run.commands.join('\n')).toContain('Input "head-sha"');
      expect(api.requests).toHaveLength(0);
    });
  });

  it('explains a token GitHub does not accept', async () => {
    const run = await comment({ 'github-token': 'ghs_wrong_token_000000' });
    expect(run.exitCode).toBe(1);
    expect(run.commands).toContain(
      '::error::GitHub did not accept the token (401: Bad credentials): check input "github-token".',
    );
  });

  it('refuses without a pull request number, naming the input', async () => {
    const run = await comment({}, { event: {} });
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain('Input "pull-request" is required');
    expect(api.requests).toHaveLength(0);
  });
});
