// The jobs of one workflow in `needs` order: each job's `if:` against its needs, its matrix expanded,
// fail-fast, and what dependants see of it (matrix results and outputs folded into one).
import { describeError } from '@ecs-ship/shared/errors';
import { evaluateCondition, evaluateDeep, interpolate, type Value } from './expressions.js';
import { ancestors, jobOrder } from './job-graph.js';
import { strictCheck } from './job-context.js';
import { combinationLabel, expandMatrix, type Combination } from './matrix.js';
import { outputDeclarations, runCallerJob } from './reusable-workflow.js';
import { runStepsJob, type JobInstance } from './run-job.js';
import { isCancelled, type JobSummary, type RunState, type WorkflowScope } from './run-state.js';
import type { JobResult, JobRun } from './types.js';
import { usesTarget } from './uses-target.js';
import { readWorkflow, type JobDefinition } from './workflow-file.js';

export async function runJobs(state: RunState, workflow: WorkflowScope): Promise<Map<string, JobSummary>> {
  const graph = workflow.file.jobs.map((job) => ({ key: job.key, needs: job.needs }));
  const summaries = new Map<string, JobSummary>();
  for (const key of jobOrder(graph)) {
    const def = workflow.file.jobs.find((job) => job.key === key);
    if (!def) continue;
    const ancestry = ancestors(graph, key).map((name) => summaries.get(name)?.result ?? 'skipped');
    summaries.set(key, await runJob(state, workflow, def, summaries, ancestry));
  }
  return summaries;
}

async function runJob(
  state: RunState,
  workflow: WorkflowScope,
  def: JobDefinition,
  summaries: ReadonlyMap<string, JobSummary>,
  ancestry: JobResult[],
): Promise<JobSummary> {
  const declaredOutputs = def.uses ? calledOutputNames(state, def.uses) : Object.keys(def.outputs);
  const id = workflow.caller ? `${workflow.caller.id} / ${def.key}` : def.key;
  const needs = Object.fromEntries(
    def.needs.map((name) => {
      const summary = summaries.get(name);
      return [name, { result: summary?.result ?? 'skipped', outputs: summary?.outputs ?? {} }];
    }),
  );
  const needsDeclarations = new Map(
    def.needs.map((name) => [name, summaries.get(name)?.declaredOutputs ?? []]),
  );
  const github = { ...state.github, job: def.key };
  const check = strictCheck(state, { needs: needsDeclarations, inputs: workflow.inputNames }, id);
  const scope = { contexts: { github, needs, vars: state.vars, inputs: workflow.inputs }, check };
  const ended = (record: JobRun): JobSummary => {
    state.emit({ type: 'job-end', job: record.id, result: record.result, outputs: record.outputs });
    return { result: record.result, outputs: record.outputs, declaredOutputs };
  };
  const unstarted = (result: JobResult, error?: string): JobSummary =>
    ended(
      register(state, {
        id,
        job: def.key,
        name: fullName(workflow, def.name ?? def.key),
        result,
        outputs: {},
        steps: [],
        ...(error ? { error } : {}),
      }),
    );

  let proceed: boolean;
  try {
    proceed = evaluateCondition(def.if, scope, 'job-if', {
      success: () => !isCancelled(state) && ancestry.every((result) => result === 'success'),
      failure: () => ancestry.includes('failure'),
      cancelled: () => isCancelled(state),
    });
  } catch (error) {
    return unstarted('failure', `if: ${describeError(error)}`);
  }
  if (!proceed) return unstarted(isCancelled(state) ? 'cancelled' : 'skipped');

  let combinations: Array<Combination | undefined>;
  let failFast: boolean;
  let maxParallel: number | undefined;
  try {
    const strategy = evaluateDeep(def.strategy ?? {}, scope, 'job-strategy');
    if (strategy === null || typeof strategy !== 'object' || Array.isArray(strategy)) {
      throw new Error(`strategy must be a mapping, got ${JSON.stringify(strategy)}`);
    }
    failFast =
      strategy['fail-fast'] === undefined
        ? true
        : strategy['fail-fast'] === true || strategy['fail-fast'] === 'true';
    maxParallel = typeof strategy['max-parallel'] === 'number' ? strategy['max-parallel'] : undefined;
    combinations = strategy.matrix === undefined ? [undefined] : expandMatrix(strategy.matrix);
  } catch (error) {
    return unstarted('failure', `strategy: ${describeError(error)}`);
  }

  // Entries of a matrix made by an expression may each carry other keys: reading a missing one is normal.
  const matrixKeys = JSON.stringify(def.strategy ?? {}).includes('${{')
    ? undefined
    : [...new Set(combinations.flatMap((combination) => Object.keys(combination ?? {})))];
  const runs: JobRun[] = [];
  let failed = false;
  for (const [index, matrix] of combinations.entries()) {
    const label = matrix ? ` (${combinationLabel(matrix)})` : '';
    const strategy: Record<string, Value> = {
      'fail-fast': failFast,
      'job-index': index,
      'job-total': combinations.length,
      // Recorded as given; combinations run one after another whatever it says.
      'max-parallel': maxParallel ?? combinations.length,
    };
    const record: JobRun = {
      id: uniqueId(state, `${id}${label}`),
      job: def.key,
      name: fullName(workflow, `${def.key}${label}`),
      ...(matrix ? { matrix } : {}),
      result: 'success',
      outputs: {},
      steps: [],
    };
    if (failFast && failed) {
      // fail-fast: a failed combination cancels the ones that have not started.
      record.result = 'cancelled';
      runs.push(register(state, record));
      ended(record);
      continue;
    }
    if (def.name !== undefined) {
      try {
        const named = interpolate(
          def.name,
          { contexts: { ...scope.contexts, strategy, matrix: matrix ?? null }, check },
          'job-name',
        );
        record.name = fullName(workflow, named);
      } catch {
        // A name that does not evaluate is shown as the job's key; the job itself is not at fault.
      }
    }
    register(state, record);
    runs.push(record);
    state.emit({ type: 'job-start', job: record.id, name: record.name });
    const instance: JobInstance = { record, matrix, strategy, needs, needsDeclarations, matrixKeys };
    if (def.uses !== undefined) await runCallerJob(state, workflow, def, instance, runJobs);
    else await runStepsJob(state, workflow, def, instance);
    if (record.result === 'failure' && !record.continueOnError) failed = true;
    ended(record);
  }
  return { result: folded(runs), outputs: foldedOutputs(runs), declaredOutputs };
}

/** A failed job with continue-on-error counts as a success for its dependants and the run. */
export function seenResult(record: JobRun): JobResult {
  return record.result === 'failure' && record.continueOnError ? 'success' : record.result;
}

function folded(runs: JobRun[]): JobResult {
  const results = runs.map(seenResult);
  if (results.includes('failure')) return 'failure';
  if (results.includes('cancelled')) return 'cancelled';
  if (results.every((result) => result === 'skipped')) return 'skipped';
  return 'success';
}

/** Matrix outputs: each combination overwrites what the one before it set; an empty value overwrites nothing. */
function foldedOutputs(runs: JobRun[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const run of runs) {
    for (const [name, value] of Object.entries(run.outputs))
      if (value !== '' || !(name in outputs)) outputs[name] = value;
  }
  return outputs;
}

function calledOutputNames(state: RunState, uses: string): string[] {
  const target = usesTarget(uses, state.self);
  if (target.kind !== 'workflow') return [];
  try {
    return [...outputDeclarations(readWorkflow(state.root, target.path)).keys()];
  } catch {
    // The calling job reports an unreadable workflow when it runs.
    return [];
  }
}

function fullName(workflow: WorkflowScope, name: string): string {
  return workflow.caller ? `${workflow.caller.name} / ${name}` : name;
}

function register(state: RunState, record: JobRun): JobRun {
  state.jobs[record.id] = record;
  return record;
}

function uniqueId(state: RunState, id: string): string {
  if (!(id in state.jobs)) return id;
  for (let n = 2; ; n++) if (!(`${id} ${n}` in state.jobs)) return `${id} ${n}`;
}
