import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { OWNER, REPO, RUN_ID, TOKEN, deliver } from './delivery-run.js';

// mode: approvals from the built dist: two people, neither the one who started the run.
let api: GitHubApiFake;
beforeAll(async () => {
  api = await startGitHubApiFake({ token: TOKEN });
});
afterAll(() => api.close());
beforeEach(() => {
  api.reset();
  // runDist's GITHUB_ACTOR is octocat.
  api.addWorkflowRun({ owner: OWNER, repo: REPO, id: Number(RUN_ID), actor: 'octocat' });
});

const ENVIRONMENTS = 'prod-approval-1, prod-approval-2';
const approve = (
  login: string,
  environment: string,
  state: 'approved' | 'rejected' | 'pending' = 'approved',
  comment = '',
) =>
  api.addApproval({
    owner: OWNER,
    repo: REPO,
    runId: Number(RUN_ID),
    environments: [environment],
    login,
    state,
    comment,
  });
const check = (inputs: Record<string, string> = {}, env: Record<string, string> = {}) =>
  deliver(api, { mode: 'approvals', environments: ENVIRONMENTS, ...inputs }, { env });

describe('approvals dist', () => {
  it('passes with two distinct approvers, one per environment', async () => {
    approve('alice', 'prod-approval-1');
    approve('bob', 'prod-approval-2');
    const run = await check();
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ approvers: 'alice,bob' });
    expect(run.summary).toContain('## GitHub delivery: ✅ 2 of 2 required approver(s): alice, bob');
    expect(run.summary).toContain('| prod-approval-1 | alice | approved | ✅ counted | — |');
  });

  it('fails when the same person approved both environments', async () => {
    approve('alice', 'prod-approval-1');
    approve('alice', 'prod-approval-2');
    const run = await check();
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toEqual({ approvers: 'alice' });
    expect(run.commands).toContain(
      '::error::Approvals check failed: 1 of 2 required distinct approvers. Approved: prod-approval-1: alice; prod-approval-2: alice. The run was started by octocat.',
    );
  });

  it('does not count the person who started the run, nor the one who re-ran it', async () => {
    api.reset();
    api.addWorkflowRun({
      owner: OWNER,
      repo: REPO,
      id: Number(RUN_ID),
      actor: 'octocat',
      triggeringActor: 'carol',
    });
    approve('octocat', 'prod-approval-1');
    approve('carol', 'prod-approval-1');
    approve('bob', 'prod-approval-2');
    const run = await check({}, { GITHUB_TRIGGERING_ACTOR: 'carol' });
    expect(run.exitCode).toBe(1);
    const error = run.commands.find((command) => command.startsWith('::error::')) ?? '';
    expect(error).toContain('1 of 2 required distinct approvers; no counted approval for prod-approval-1');
    expect(error).toContain(
      'Not counted, as they started the run: octocat (prod-approval-1), carol (prod-approval-1)',
    );
    expect(run.summary).toContain('| prod-approval-1 | octocat | approved | 🚫 started the run | — |');
  });

  it('fails on a rejection of a listed environment', async () => {
    approve('alice', 'prod-approval-1');
    approve('bob', 'prod-approval-2');
    approve('dave', 'prod-approval-2', 'rejected', 'not today');
    const run = await check();
    expect(run.exitCode).toBe(1);
    expect(run.commands.join('\n')).toContain('rejected by dave (prod-approval-2: "not today")');
  });

  it('reads every page of approvals', async () => {
    for (let index = 0; index < 40; index++)
      approve(`reviewer${index}`, 'staging', index % 2 ? 'approved' : 'pending');
    approve('alice', 'prod-approval-1');
    approve('bob', 'prod-approval-2');
    const run = await check();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.approvers).toBe('alice,bob');
    expect(
      api.requests.some((request) => request.path.endsWith('/approvals') && request.query.page === '2'),
    ).toBe(true);
  });

  it('honours required-approvals and refuses a value below 1 before any request', async () => {
    approve('alice', 'prod-approval-1');
    const one = await check({ environments: 'prod-approval-1', 'required-approvals': '1' });
    expect(one.exitCode).toBe(0);
    api.reset();
    const zero = await check({ 'required-approvals': '0' });
    expect(zero.exitCode).toBe(1);
    expect(zero.commands.join('\n')).toContain('Input "required-approvals" must be a whole number');
    expect(api.requests).toHaveLength(0);
  });
});
