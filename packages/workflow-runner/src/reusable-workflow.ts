// A job that calls a reusable workflow: `with:` checked and typed against on.workflow_call.inputs,
// secrets mapped (or inherited, recorded as such), the called jobs run as `caller / job`, and
// on.workflow_call.outputs made the caller's outputs.
import { describeError } from '@ecs-ship/shared/errors';
import { evaluateDeep, interpolate, type Value } from './expressions.js';
import { strictCheck } from './job-context.js';
import type { JobInstance } from './run-job.js';
import type { JobSummary, RunState, WorkflowScope } from './run-state.js';
import { concurrencyOf, stringMap } from './settings.js';
import { usesTarget } from './uses-target.js';
import { readWorkflow, type JobDefinition, type WorkflowFile } from './workflow-file.js';
import { callInputs, checkCallSecrets, declaredInputs, declaredSecrets } from './workflow-inputs.js';

export type RunJobs = (state: RunState, workflow: WorkflowScope) => Promise<Map<string, JobSummary>>;

// GitHub's limit on nesting reusable workflows.
const MAX_DEPTH = 10;

export async function runCallerJob(
  state: RunState,
  workflow: WorkflowScope,
  def: JobDefinition,
  instance: JobInstance,
  runJobs: RunJobs,
): Promise<void> {
  const { record } = instance;
  const uses = def.uses ?? '';
  record.uses = uses;
  const fail = (message: string): void => {
    record.result = 'failure';
    record.error = state.masker.mask(message);
  };
  if (workflow.depth + 1 > MAX_DEPTH)
    return fail(`${uses}: reusable workflows nest at most ${MAX_DEPTH} levels deep`);
  const target = usesTarget(uses, state.self);
  if (target.kind !== 'workflow') {
    return fail(
      `${uses}: only this repository's reusable workflows (./.github/workflows/*.yml) can be called here`,
    );
  }

  const github = { ...state.github, job: def.key };
  const check = strictCheck(
    state,
    { needs: instance.needsDeclarations, inputs: workflow.inputNames },
    record.id,
  );
  const contexts = {
    github,
    needs: instance.needs,
    strategy: instance.strategy,
    matrix: instance.matrix ?? null,
    inputs: workflow.inputs,
    vars: state.vars,
    secrets: workflow.secrets,
  };
  let called: WorkflowScope;
  try {
    const file = readWorkflow(state.root, target.path);
    if (!file.triggers.has('workflow_call'))
      throw new Error(`${target.path} is not reusable: it has no on.workflow_call`);
    const trigger = file.triggers.get('workflow_call') ?? null;
    const concurrency = concurrencyOf(def.concurrency, { contexts, check }, 'job-concurrency');
    if (concurrency) record.concurrency = concurrency;

    const given = evaluateDeep(def.with, { contexts, check }, 'job-with') as Record<string, Value>;
    const declared = declaredInputs(trigger);
    const inputs = callInputs(
      declared,
      given,
      (value) =>
        evaluateDeep(value, { contexts: { github, vars: state.vars, inputs: {} } }, 'call-input-default'),
      `${record.id}: ${target.path}`,
    );
    record.with = inputs;

    let secrets: Record<string, string>;
    if (def.secrets === 'inherit') {
      secrets = { ...workflow.secrets };
      record.secrets = 'inherit';
    } else {
      secrets = stringMap(def.secrets ?? {}, { contexts, check }, 'job-secrets');
      record.secrets = Object.keys(secrets);
    }
    checkCallSecrets(
      declaredSecrets(trigger),
      Object.keys(secrets),
      def.secrets === 'inherit',
      `${record.id}: ${target.path}`,
    );
    // What a callee receives as a secret is masked there, whatever it was in the caller.
    for (const value of Object.values(secrets)) state.masker.add(value);
    secrets.GITHUB_TOKEN = workflow.secrets.GITHUB_TOKEN ?? state.github.token;
    called = {
      file,
      inputs,
      inputNames: declared.map((input) => input.name),
      secrets,
      caller: { id: record.id, name: record.name },
      depth: workflow.depth + 1,
    };
  } catch (error) {
    return fail(describeError(error));
  }

  let summaries: Map<string, JobSummary>;
  try {
    summaries = await runJobs(state, called);
  } catch (error) {
    // Only the called workflow's job graph (a cycle, an unknown need) throws, before any of its jobs ran.
    return fail(`${target.path}: ${describeError(error)}`);
  }
  const results = [...summaries.values()].map((summary) => summary.result);
  record.result = results.includes('failure')
    ? 'failure'
    : results.includes('cancelled')
      ? 'cancelled'
      : 'success';
  try {
    record.outputs = callOutputs(state, called, summaries);
  } catch (error) {
    fail(`on.workflow_call.outputs: ${describeError(error)}`);
  }
}

/** on.workflow_call.outputs, evaluated against the called workflow's jobs. */
export function callOutputs(
  state: RunState,
  workflow: WorkflowScope,
  summaries: ReadonlyMap<string, JobSummary>,
): Record<string, string> {
  const outputs: Record<string, string> = {};
  const declared = outputDeclarations(workflow.file);
  if (declared.size === 0) return outputs;
  const jobs = Object.fromEntries(
    [...summaries].map(([key, summary]) => [key, { result: summary.result, outputs: summary.outputs }]),
  );
  const check = strictCheck(
    state,
    {
      jobs: new Map([...summaries].map(([key, summary]) => [key, summary.declaredOutputs])),
      inputs: workflow.inputNames,
    },
    `${workflow.file.path} (on.workflow_call.outputs)`,
  );
  const scope = {
    contexts: { github: state.github, jobs, vars: state.vars, inputs: workflow.inputs },
    check,
  };
  for (const [name, value] of declared) outputs[name] = interpolate(value, scope, 'call-outputs');
  return outputs;
}

/** Output names to their `value:` expressions. */
export function outputDeclarations(file: WorkflowFile): Map<string, string> {
  const settings = file.triggers.get('workflow_call')?.outputs;
  const result = new Map<string, string>();
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) return result;
  for (const [name, output] of Object.entries(settings as Record<string, unknown>)) {
    const value =
      output !== null && typeof output === 'object' ? (output as Record<string, unknown>).value : undefined;
    result.set(name, typeof value === 'string' ? value : String(value ?? ''));
  }
  return result;
}
