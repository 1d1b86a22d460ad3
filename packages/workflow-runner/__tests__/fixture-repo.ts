// Runs a fixture workflow of __fixtures__/repo, a repository of its own with the tiny echo action.
import { fileURLToPath } from 'node:url';
import { runWorkflow } from '../src/run-workflow.js';
import type { JobRun, RunWorkflowOptions, StepRun, WorkflowRun } from '../src/types.js';

export const FIXTURE_ROOT = fileURLToPath(new URL('../__fixtures__/repo', import.meta.url));

export function runFixture(
  workflow: string,
  options: Partial<RunWorkflowOptions> = {},
): Promise<WorkflowRun> {
  return runWorkflow({
    root: FIXTURE_ROOT,
    workflow: `.github/workflows/${workflow}`,
    event: { name: 'push', payload: {} },
    self: 'ecs-ship/ecs-ship',
    ...options,
  });
}

export function job(run: WorkflowRun, id: string): JobRun {
  const found = run.jobs[id];
  if (!found) throw new Error(`no job ${id}; the run has ${Object.keys(run.jobs).join(', ')}`);
  return found;
}

export function step(run: WorkflowRun, jobId: string, stepId: string): StepRun {
  const found = job(run, jobId).steps.find((candidate) => candidate.id === stepId && !candidate.post);
  if (!found) throw new Error(`no step ${stepId} in ${jobId}`);
  return found;
}

/** Each job as `id: result`, in the order the jobs ran. */
export function results(run: WorkflowRun): string[] {
  return Object.values(run.jobs).map((record) => `${record.id}: ${record.result}`);
}
