// The pipeline as a team runs it: a push to main (push-to-main.yml: build.yml, then promote.yml into
// dev), then a person promoting to staging and to prod by hand (examples/workflows/promote.yml's
// workflow_dispatch). Every step is the workflows' own, run by the workflow runner.
import { runWorkflow } from '@ecs-ship/workflow-runner/run-workflow';
import type { WorkflowRun } from '@ecs-ship/workflow-runner/types';
import type { StepRecorder } from './step-recorder.js';
import type { EnvironmentName, World } from './world.js';

export const OWNER = 'acme';
export const REPO = 'ml-platform';
const ACTOR = 'dana';
/** The pull request the change comes in. */
export const PULL_REQUEST = 42;
/** One reviewer per approval environment, none of them the person who starts the promotion. */
const REVIEWERS: Record<string, string> = {
  'staging-approval': 'sam',
  'prod-approval-1': 'sam',
  'prod-approval-2': 'riley',
};

export interface StageResult {
  environment: EnvironmentName;
  workflow: string;
  run?: WorkflowRun;
  result: 'success' | 'failure' | 'cancelled' | 'not-run';
}

export interface PipelineContext {
  world: Omit<World, 'environments' | 'tasks' | 'load'>;
  recorder: StepRecorder;
  signal: AbortSignal;
  log: (line: string) => void;
  /** When Docker is not there: the dev promotion's explicit source instead of the build job's outputs. */
  plannedSource?: string;
  /** Approvals as they happened, for the report's markers. */
  onApproval: (environment: string, by: string, at: number) => void;
}

let nextRunId = 7000;

async function run(
  context: PipelineContext,
  label: string,
  workflow: string,
  event: { name: string; payload: Record<string, unknown> },
  inputs?: Record<string, string>,
  pull?: { headSha: string },
): Promise<WorkflowRun> {
  const { world } = context;
  const id = ++nextRunId;
  world.github.addWorkflowRun({
    owner: OWNER,
    repo: REPO,
    id,
    actor: ACTOR,
    ...(pull ? { headSha: pull.headSha, event: 'pull_request' } : {}),
  });
  context.log(`${context.recorder.stamp()}  ▶ ${label}: ${workflow} (${event.name}, run ${id})`);
  const result = await runWorkflow({
    root: world.repository.dir,
    workflow,
    event,
    inputs,
    self: 'ecs-ship/ecs-ship',
    github: {
      repository: `${OWNER}/${REPO}`,
      sha: world.repository.git('rev-parse', 'HEAD'),
      ref: pull ? `refs/pull/${PULL_REQUEST}/merge` : 'refs/heads/main',
      ...(pull ? { event_name: 'pull_request' } : {}),
      run_id: String(id),
      actor: ACTOR,
      triggering_actor: ACTOR,
      api_url: world.github.url,
      token: 'ghs_rehearsaltoken0001',
    },
    env: world.stepEnv,
    signal: context.signal,
    onEvent: context.recorder.handler(label),
    approve: (environment) => {
      const login = REVIEWERS[environment] ?? 'sam';
      if (environment.includes('approval'))
        world.github.addApproval({ owner: OWNER, repo: REPO, runId: id, environments: [environment], login });
      context.onApproval(environment, login, world.clock.now());
      return { approved: true, by: login };
    },
  });
  context.recorder.complete(label, result);
  context.log(`${context.recorder.stamp()}  ■ ${label}: ${result.result}`);
  if (result.result !== 'success') {
    // What GitHub would show on the run's page: which jobs failed, and the runner's own warnings.
    for (const job of Object.values(result.jobs))
      if (job.result === 'failure')
        context.log(`      job ${job.name}: failure${job.error ? ` (${job.error})` : ''}`);
    for (const warning of result.warnings) context.log(`      ${warning}`);
  }
  return result;
}

/** The change as a pull request first: pull-request.yml (pr-validate) and its one comment. */
export async function runPullRequest(context: PipelineContext): Promise<WorkflowRun> {
  const sha = context.world.repository.git('rev-parse', 'HEAD');
  const base = context.world.repository.git('rev-parse', 'HEAD~1');
  return run(
    context,
    `pull request #${PULL_REQUEST}`,
    '.github/workflows/pull-request.yml',
    {
      name: 'pull_request',
      payload: {
        number: PULL_REQUEST,
        pull_request: {
          number: PULL_REQUEST,
          head: { sha, ref: 'rank-explain-scores', repo: { full_name: `${OWNER}/${REPO}` } },
          base: { sha: base, ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
        },
      },
    },
    undefined,
    { headSha: sha },
  );
}

/** push → dev, then staging, then prod while each one succeeded. */
export async function runPipeline(context: PipelineContext): Promise<StageResult[]> {
  const stages: StageResult[] = [];
  const dev =
    context.plannedSource === undefined
      ? await run(context, 'push to main', '.github/workflows/push-to-main.yml', {
          name: 'push',
          payload: { ref: 'refs/heads/main' },
        })
      : await run(
          context,
          'push to main (dev job; no build without Docker)',
          '.github/workflows/promote.yml',
          { name: 'workflow_call', payload: {} },
          { target: 'dev', source: context.plannedSource },
        );
  stages.push({ environment: 'dev', workflow: 'push-to-main.yml', run: dev, result: dev.result });
  for (const target of ['staging', 'prod'] as const) {
    const previous = stages[stages.length - 1];
    if (previous?.result !== 'success' || context.signal.aborted) {
      stages.push({ environment: target, workflow: 'promote-by-hand.yml', result: 'not-run' });
      continue;
    }
    const promoted = await run(
      context,
      `promote to ${target}`,
      '.github/workflows/promote-by-hand.yml',
      { name: 'workflow_dispatch', payload: { inputs: { target } } },
      { target },
    );
    stages.push({
      environment: target,
      workflow: 'promote-by-hand.yml',
      run: promoted,
      result: promoted.result,
    });
  }
  return stages;
}
