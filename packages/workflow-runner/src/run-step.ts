// One step of a job: its `if:`, its env and inputs, running it however its kind runs, then what it
// leaves for the steps after it (outputs, GITHUB_ENV, GITHUB_PATH, outcome and conclusion).
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { describeError } from '@ecs-ship/shared/errors';
import { evaluateCondition, interpolate } from './expressions.js';
import { jobScope, type Execution, type JobContext } from './job-context.js';
import { runAction, runPost } from './local-action.js';
import { booleanSetting, numberSetting, stringMap } from './settings.js';
import { scriptCommand } from './shell.js';
import { runStepProcess } from './step-process.js';
import { findThirdParty, runHandler } from './third-party.js';
import type { StepConclusion, StepRun } from './types.js';
import { usesTarget } from './uses-target.js';
import type { StepDefinition } from './workflow-file.js';

export async function runStep(job: JobContext, step: StepDefinition): Promise<void> {
  const { state } = job;
  if (job.cancelled() && job.status !== 'cancelled') job.status = 'cancelled';
  const record: StepRun = {
    ...(step.id !== undefined ? { id: step.id } : {}),
    name: step.name ?? defaultName(step),
    ...(step.uses !== undefined ? { uses: step.uses } : {}),
    ...(step.run !== undefined ? { run: step.run } : {}),
    conclusion: 'skipped',
    outcome: 'skipped',
    outputs: {},
    summary: '',
    stdout: '',
    stderr: '',
    inputs: {},
    annotations: [],
  };
  job.run.steps.push(record);
  if (step.name !== undefined) {
    try {
      record.name = state.masker.mask(interpolate(step.name, jobScope(job, 'step'), 'step'));
    } catch {
      // A name that does not evaluate is shown as written; the step itself is not at fault.
    }
  }
  state.emit({ type: 'step-start', job: job.run.id, step: record.name });

  let proceed: boolean;
  try {
    proceed = evaluateCondition(step.if, jobScope(job, 'step-if'), 'step-if', stepStatus(job));
  } catch (error) {
    return settle(job, step, record, failure(`if: ${describeError(error)}`), false);
  }
  if (!proceed) return settle(job, step, record, undefined, false);

  let stepEnv: Record<string, string>;
  let continueOnError: boolean;
  try {
    stepEnv = stringMap(step.env, jobScope(job, 'step'), 'step');
    const scope = jobScope(job, 'step', stepEnv);
    continueOnError = booleanSetting(step.continueOnError, scope, 'step', 'continue-on-error');
    const timeout = numberSetting(step.timeoutMinutes, scope, 'step', 'timeout-minutes');
    if (timeout !== undefined) record.timeoutMinutes = timeout;
  } catch (error) {
    return settle(job, step, record, failure(describeError(error)), false);
  }
  if (continueOnError) record.continueOnError = true;

  let execution: Execution;
  try {
    execution =
      step.run !== undefined
        ? await runScript(job, step, record, stepEnv)
        : await runUses(job, step, record, stepEnv);
  } catch (error) {
    execution = failure(describeError(error));
  }
  settle(job, step, record, execution, continueOnError);
}

/** Post steps at job end, the last registered first, each recorded like a step. */
export async function runPosts(job: JobContext): Promise<void> {
  for (const post of [...job.posts].reverse()) {
    const record: StepRun = {
      ...(post.id !== undefined ? { id: post.id } : {}),
      name: post.name,
      uses: post.uses,
      post: true,
      conclusion: 'skipped',
      outcome: 'skipped',
      outputs: {},
      summary: '',
      stdout: '',
      stderr: '',
      inputs: job.state.masker.maskRecord(post.inputs),
      annotations: [],
    };
    job.run.steps.push(record);
    job.state.emit({ type: 'step-start', job: job.run.id, step: record.name });
    let execution: Execution | undefined;
    try {
      execution = await runPost(job, post);
    } catch (error) {
      execution = failure(`post-if: ${describeError(error)}`);
    }
    settle(job, undefined, record, execution, false);
  }
}

async function runScript(
  job: JobContext,
  step: StepDefinition,
  record: StepRun,
  stepEnv: Record<string, string>,
): Promise<Execution> {
  const { state } = job;
  const scope = jobScope(job, 'step', stepEnv);
  const script = interpolate(step.run ?? '', scope, 'step');
  record.run = state.masker.mask(script);
  const directoryAsked =
    step.workingDirectory !== undefined
      ? interpolate(step.workingDirectory, scope, 'step')
      : (job.def.defaults.workingDirectory ?? job.workflow.file.defaults.workingDirectory);
  const cwd = directoryAsked
    ? isAbsolute(directoryAsked)
      ? directoryAsked
      : resolve(state.root, directoryAsked)
    : state.root;
  if (!existsSync(cwd)) return failure(`working-directory ${directoryAsked ?? ''} does not exist (${cwd})`);
  const shell = step.shell ?? job.def.defaults.shell ?? job.workflow.file.defaults.shell;
  const command = await scriptCommand(shell, script, await state.nextDirectory('script'));
  return runStepProcess(job, {
    stepName: record.name,
    command: command.command,
    args: command.args,
    cwd,
    stepEnv,
    extraEnv: {},
    github: { ...job.github, action: step.id ?? '__run' },
  });
}

async function runUses(
  job: JobContext,
  step: StepDefinition,
  record: StepRun,
  stepEnv: Record<string, string>,
): Promise<Execution> {
  const { state } = job;
  const uses = step.uses ?? '';
  const given = stringMap(step.with, jobScope(job, 'step', stepEnv), 'step');
  record.inputs = state.masker.maskRecord(given);
  const target = usesTarget(uses, state.self);
  const common = { job, stepName: record.name, stepId: step.id, uses, given, stepEnv };
  switch (target.kind) {
    case 'docker':
      return failure(`${uses}: container actions are not supported by the workflow runner`);
    case 'workflow':
      return failure(`${uses}: a reusable workflow is called by a job's uses:, not by a step`);
    case 'action': {
      const run = await runAction({ ...common, directory: join(state.root, target.path) });
      record.inputs = state.masker.maskRecord(run.inputs);
      if (run.post) job.posts.push(run.post);
      return run.execution;
    }
    case 'third-party': {
      const found = findThirdParty(state.thirdParty, target.action);
      if (!found) {
        return failure(
          `${uses}: ${target.action} is neither emulated nor given in thirdParty; ` +
            `pass thirdParty['${target.action}'] to say what it does here`,
        );
      }
      if (found.kind === 'directory') {
        const directory = isAbsolute(found.directory)
          ? found.directory
          : resolve(state.root, found.directory);
        const run = await runAction({ ...common, directory });
        record.inputs = state.masker.maskRecord(run.inputs);
        if (run.post) job.posts.push(run.post);
        return run.execution;
      }
      return runHandler({ ...common, action: target.action, ref: target.ref, target: found });
    }
  }
}

/** Records what a step did (undefined: it was skipped) and hands its effects to the rest of the job. */
function settle(
  job: JobContext,
  step: StepDefinition | undefined,
  record: StepRun,
  execution: Execution | undefined,
  continueOnError: boolean,
): void {
  const { state } = job;
  const outcome: StepConclusion = execution?.outcome ?? 'skipped';
  const conclusion: StepConclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
  record.outcome = outcome;
  record.conclusion = conclusion;
  if (execution) {
    record.stdout = execution.stdout;
    record.stderr = execution.stderr;
    record.annotations = execution.annotations;
    if (execution.exitCode !== undefined) record.exitCode = execution.exitCode;
    if (execution.error !== undefined) record.error = state.masker.mask(execution.error);
    if (execution.emulation) record.emulation = execution.emulation;
  }
  const commands = execution?.commands;
  const outputs = commands?.outputs ?? {};
  if (commands) {
    record.outputs = state.masker.maskRecord(outputs);
    record.summary = state.masker.mask(commands.summary);
    Object.assign(job.env, commands.env);
    job.path.unshift(...[...commands.path].reverse());
  }
  // A post step's outputs and outcome are not in the steps context.
  if (step?.id !== undefined) job.steps[step.id] = { outputs, outcome, conclusion };
  if (conclusion === 'failure') job.status = 'failure';
  if (conclusion === 'cancelled') job.status = 'cancelled';
  state.emit({
    type: 'step-end',
    job: job.run.id,
    step: record.name,
    conclusion,
    outcome,
    outputs: record.outputs,
  });
}

function stepStatus(job: JobContext) {
  return {
    success: () => job.status === 'success' && !job.cancelled(),
    failure: () => job.status === 'failure',
    cancelled: () => job.cancelled(),
  };
}

function failure(error: string): Execution {
  return { outcome: 'failure', stdout: '', stderr: '', annotations: [], commands: undefined, error };
}

function defaultName(step: StepDefinition): string {
  if (step.uses !== undefined) return `Run ${step.uses}`;
  const firstLine = (step.run ?? '').split('\n').find((line) => line.trim() !== '') ?? '';
  return `Run ${firstLine.trim()}`;
}
