// pr-validate.yml and the fork relay pr-comment.yml as GitHub would run them, each of our actions
// from its dist, against the GitHub API fake: one sticky comment per pull request, updated in place,
// posted from a workflow_run for a fork whose own token cannot write.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { albTraffic, HEALTHY_TRAFFIC } from '../../../../actions/canary-gate/__fixtures__/traffic.js';
import { startGitHubApiFake, type GitHubApiFake } from '@ecs-ship/testing/github-api-fake';
import { runWorkflow } from '@ecs-ship/workflow-runner/run-workflow';
import type { WorkflowRun } from '@ecs-ship/workflow-runner/types';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const OWNER = 'acme';
const REPO = 'ml-platform';
const TASK_DEFINITION = 'actions/ecs-deploy/__tests__/__fixtures__/task-definitions/described.json';

let github: GitHubApiFake;
let work: string;
let runId = 5000;

beforeAll(async () => {
  github = await startGitHubApiFake();
});
afterAll(async () => {
  await github?.close();
});
beforeEach(() => {
  github.reset();
  work = mkdtempSync(path.join(tmpdir(), 'pr-validate-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function pullRequest(number: number, sha: string, headRepo = `${OWNER}/${REPO}`) {
  return {
    number,
    head: { sha, ref: `feature-${number}`, repo: { full_name: headRepo } },
    base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
  };
}

function githubContext(id: number, extra: Record<string, string> = {}) {
  return {
    repository: `${OWNER}/${REPO}`,
    run_id: String(id),
    actor: 'dana',
    api_url: github.url,
    token: 'ghs_workflowtoken0002',
    ...extra,
  };
}

async function validate(
  pull: ReturnType<typeof pullRequest>,
  inputs: Record<string, string>,
  workDir?: string,
): Promise<WorkflowRun> {
  const id = ++runId;
  github.addWorkflowRun({
    owner: OWNER,
    repo: REPO,
    id,
    actor: 'dana',
    headSha: pull.head.sha,
    event: 'pull_request',
  });
  return runWorkflow({
    root,
    workflow: '.github/workflows/pr-validate.yml',
    event: { name: 'workflow_call', payload: { pull_request: pull } },
    inputs: {
      'test-command': 'true',
      config: 'examples/ecs-ship/environments.yml',
      'task-definition': TASK_DEFINITION,
      ...inputs,
    },
    self: 'ecs-ship/ecs-ship',
    github: githubContext(id, { sha: pull.head.sha, event_name: 'pull_request' }),
    env: { GITHUB_API_URL: github.url },
    ...(workDir ? { workDir } : {}),
  });
}

const stepsOf = (run: WorkflowRun) => Object.values(run.jobs).flatMap((job) => job.steps);

describe('pr-validate.yml', () => {
  it('posts one results comment and updates it in place on the next push', async () => {
    github.addPullRequest({ owner: OWNER, repo: REPO, number: 7, headSha: '1'.repeat(40) });
    const first = await validate(pullRequest(7, '1'.repeat(40)), {});
    expect(
      stepsOf(first)
        .filter((step) => step.conclusion === 'failure')
        .map((step) => step.name),
    ).toEqual([]);
    expect(first.result).toBe('success');
    const comments = github.commentsOf(OWNER, REPO, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('| ✅');
    expect(comments[0]!.body).toContain('Environments file');
    expect(comments[0]!.body).toContain('Task definition');

    const second = await validate(pullRequest(7, '2'.repeat(40)), { 'test-command': 'exit 3' });
    expect(second.result).toBe('failure');
    const after = github.commentsOf(OWNER, REPO, 7);
    expect(after.map((comment) => comment.id)).toEqual([comments[0]!.id]);
    expect(after[0]!.body).toMatch(/❌[^\n]*Tests/);
  }, 240_000);

  it('reports an environments file that deploy.yml would refuse', async () => {
    github.addPullRequest({ owner: OWNER, repo: REPO, number: 8, headSha: '3'.repeat(40) });
    const run = await validate(pullRequest(8, '3'.repeat(40)), {
      config: 'packages/workflow-runner/__tests__/delivery/__fixtures__/broken-environments.yml',
    });
    expect(run.result).toBe('failure');
    const config = stepsOf(run).find((step) => step.name === 'Environments file');
    expect(config?.outcome).toBe('failure');
    expect(config?.stdout).toContain('unknown setting "canary-precent"');
    expect(github.commentsOf(OWNER, REPO, 8)[0]!.body).toMatch(/❌[^\n]*Environments file/);
  }, 240_000);

  it('replays recorded canary metrics through the gate and reports a regression they show', async () => {
    github.addPullRequest({ owner: OWNER, repo: REPO, number: 10, headSha: '5'.repeat(40) });
    // Inside the workspace (hashFiles looks only there), ignored by git.
    const recorded = path.join(root, 'node_modules/.cache', path.basename(work));
    mkdirSync(recorded, { recursive: true });
    try {
      const traffic = albTraffic({
        ...HEALTHY_TRAFFIC,
        start: Date.UTC(2026, 10, 23, 12),
        minutes: 30,
        seed: 11,
        latencyRatio: 2,
      });
      writeFileSync(path.join(recorded, 'metrics.json'), JSON.stringify(traffic));
      const run = await validate(pullRequest(10, '5'.repeat(40)), {
        'gate-replay': `${path.relative(root, recorded)}/*.json`,
        'gate-load-balancer':
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188',
        'gate-canary-target-group': 'targetgroup/green/6d0ecf831eec9f09',
        'gate-baseline-target-group': 'targetgroup/blue/1d0ecf831eec9f01',
      });
      const replay = stepsOf(run).find((step) => step.name === 'Canary gate replay');
      expect(replay?.outputs.decision).toBe('rollback');
      expect(run.result).toBe('failure');
      expect(github.commentsOf(OWNER, REPO, 10)[0]!.body).toMatch(/❌[^\n]*Canary gate replay[^\n]*rollback/);
    } finally {
      rmSync(recorded, { recursive: true, force: true });
    }
  }, 240_000);

  it('leaves a fork pull request to the workflow_run relay, which posts after checking the head commit', async () => {
    const sha = '4'.repeat(40);
    github.addPullRequest({
      owner: OWNER,
      repo: REPO,
      number: 9,
      headSha: sha,
      headRepo: 'stranger/ml-platform',
    });
    const producing = await validate(pullRequest(9, sha, 'stranger/ml-platform'), {}, work);
    expect(github.commentsOf(OWNER, REPO, 9)).toHaveLength(0);
    const producingId = String(runId);

    const relayId = ++runId;
    github.addWorkflowRun({ owner: OWNER, repo: REPO, id: relayId, actor: 'dana', event: 'workflow_run' });
    const workflowRun = {
      id: Number(producingId),
      event: 'pull_request',
      head_sha: sha,
      head_repository: { full_name: 'stranger/ml-platform' },
      html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/${producingId}`,
      pull_requests: [],
    };
    const relay = await runWorkflow({
      root,
      workflow: '.github/workflows/pr-comment.yml',
      event: { name: 'workflow_call', payload: { workflow_run: workflowRun } },
      self: 'ecs-ship/ecs-ship',
      github: githubContext(relayId, { event_name: 'workflow_run' }),
      env: { GITHUB_API_URL: github.url },
      otherRunArtifacts: { [producingId]: producing.artifactsDir ?? '' },
    });
    expect(
      stepsOf(relay)
        .filter((step) => step.conclusion === 'failure')
        .map((step) => `${step.name}: ${step.stdout}`),
    ).toEqual([]);
    const comments = github.commentsOf(OWNER, REPO, 9);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Environments file');
  }, 240_000);
});
