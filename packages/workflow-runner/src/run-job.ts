// A job with steps (one matrix combination of it): environment approval, env, steps, post steps, then
// its outputs, evaluated after everything ran.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeError } from '@ecs-ship/shared/errors';
import type { Value } from './expressions.js';
import { interpolate } from './expressions.js';
import type { RunnerContext } from './github-context.js';
import { jobScope, strictCheck, type JobContext } from './job-context.js';
import type { Combination } from './matrix.js';
import type { DeclaredStep, Declarations } from './references.js';
import { runPosts, runStep } from './run-step.js';
import { isCancelled, warn, type RunState, type WorkflowScope } from './run-state.js';
import { booleanSetting, concurrencyOf, environmentOf, numberSetting, stringMap } from './settings.js';
import type { JobRun } from './types.js';
import { usesTarget } from './uses-target.js';
import { readAction, type JobDefinition } from './workflow-file.js';

export interface JobInstance {
  record: JobRun;
  matrix: Combination | undefined;
  strategy: Record<string, Value>;
  needs: Record<string, { result: string; outputs: Record<string, string> }>;
  needsDeclarations: ReadonlyMap<string, readonly string[]>;
  /** Keys strict mode lets `matrix.*` read: undefined when the matrix comes from an expression. */
  matrixKeys: readonly string[] | undefined;
}

export async function runStepsJob(
  state: RunState,
  workflow: WorkflowScope,
  def: JobDefinition,
  instance: JobInstance,
): Promise<void> {
  const { record } = instance;
  const fail = (message: string): void => {
    record.result = 'failure';
    record.error = state.masker.mask(message);
  };
  if (def.container !== undefined || def.services !== undefined) {
    return fail(
      'container: and services: are not supported by the workflow runner (on GitHub the steps would run in containers)',
    );
  }
  const github = { ...state.github, job: def.key };
  const declarations: Declarations = {
    steps: stepDeclarations(state, def),
    needs: instance.needsDeclarations,
    inputs: workflow.inputNames,
    matrix: instance.matrixKeys,
  };
  const check = strictCheck(state, declarations, record.id);
  const scope = {
    contexts: {
      github,
      needs: instance.needs,
      strategy: instance.strategy,
      matrix: instance.matrix ?? null,
      vars: state.vars,
      inputs: workflow.inputs,
    },
    check,
  };

  let environment: ReturnType<typeof environmentOf>;
  try {
    if (booleanSetting(def.continueOnError, scope, 'job-settings', 'continue-on-error'))
      record.continueOnError = true;
    const timeout = numberSetting(def.timeoutMinutes, scope, 'job-settings', 'timeout-minutes');
    if (timeout !== undefined) record.timeoutMinutes = timeout;
    environment = environmentOf(def.environment, scope);
    const concurrency = concurrencyOf(def.concurrency, scope, 'job-concurrency');
    if (concurrency) record.concurrency = concurrency;
  } catch (error) {
    return fail(describeError(error));
  }

  if (environment) {
    record.environment = { name: environment.name };
    const answer = await state.approve(environment.name, record.id);
    const by = answer.by ?? (answer.approved ? 'the runner' : 'the approver');
    record.approval = { approved: answer.approved, by };
    state.emit({
      type: 'approval',
      job: record.id,
      environment: environment.name,
      approved: answer.approved,
      by,
    });
    if (!answer.approved) return fail(`environment ${environment.name} was not approved (rejected by ${by})`);
  }
  const settings = environment ? state.environments[environment.name] : undefined;
  const vars = { ...state.vars, ...settings?.vars };
  const secrets = { ...workflow.secrets, ...settings?.secrets };

  const directory = await state.nextDirectory('job');
  const runner: RunnerContext = {
    os: 'Linux',
    arch: 'X64',
    name: 'workflow-runner',
    temp: join(directory, 'temp'),
    tool_cache: state.toolCache,
    environment: 'github-hosted',
    debug: '',
  };
  await mkdir(runner.temp, { recursive: true });
  const job: JobContext = {
    state,
    workflow,
    def,
    run: record,
    github,
    runner,
    needs: instance.needs,
    strategy: instance.strategy,
    matrix: instance.matrix ?? null,
    vars,
    secrets,
    steps: {},
    env: {},
    path: [],
    status: 'success',
    cancelled: cancelledWhileRunning(state),
    declarations,
    posts: [],
    directory,
  };
  try {
    const workflowScope = { contexts: { github, secrets, inputs: workflow.inputs, vars }, check };
    job.env = stringMap(workflow.file.env, workflowScope, 'workflow-env');
    Object.assign(job.env, stringMap(def.env, jobScope(job, 'job-env'), 'job-env'));
  } catch (error) {
    return fail(`env: ${describeError(error)}`);
  }

  for (const step of def.steps) await runStep(job, step);
  await runPosts(job);

  for (const [name, value] of Object.entries(def.outputs)) {
    try {
      const text = interpolate(String(value ?? ''), jobScope(job, 'job-outputs'), 'job-outputs');
      if (state.masker.contains(text)) {
        // The runner's own rule and words: an output that carries a secret never leaves the job.
        warn(state, `${record.id}: Skip output '${name}' since it may contain secret.`);
        continue;
      }
      record.outputs[name] = text;
    } catch (error) {
      job.status = 'failure';
      record.error = state.masker.mask(`outputs.${name}: ${describeError(error)}`);
    }
  }
  if (environment?.url !== undefined && environment.url !== null) {
    try {
      const url = interpolate(String(environment.url), jobScope(job, 'environment-url'), 'environment-url');
      record.environment = { name: environment.name, url };
    } catch (error) {
      job.status = 'failure';
      record.error = state.masker.mask(`environment.url: ${describeError(error)}`);
    }
  }
  record.result = job.status;
}

function cancelledWhileRunning(state: RunState): () => boolean {
  const startedCancelled = isCancelled(state);
  return () => !startedCancelled && isCancelled(state);
}

function stepDeclarations(state: RunState, def: JobDefinition): Map<string, DeclaredStep> {
  const steps = new Map<string, DeclaredStep>();
  for (const step of def.steps) {
    if (step.id === undefined) continue;
    if (step.uses === undefined) {
      steps.set(step.id, { what: 'run', outputs: undefined });
      continue;
    }
    const target = usesTarget(step.uses, state.self);
    let directory: string | undefined;
    if (target.kind === 'action') directory = join(state.root, target.path);
    if (target.kind === 'third-party') {
      const entry = state.thirdParty.get(target.action);
      if (entry && typeof entry === 'object' && 'directory' in entry)
        directory = resolve(state.root, entry.directory);
    }
    let outputs: string[] | undefined;
    if (directory) {
      try {
        outputs = readAction(directory, state.root).outputs;
      } catch {
        // The step itself reports a missing or broken action.yml when it runs.
      }
    }
    steps.set(step.id, { what: step.uses, outputs });
  }
  return steps;
}
