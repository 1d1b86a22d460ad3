// A JavaScript action from its action.yml: inputs with their defaults as INPUT_* variables, `node main`,
// and its `post:` remembered, with the state the main step saved, for the end of the job.
import { join } from 'node:path';
import { inputEnvName } from '@ecs-ship/testing/dist-runner';
import { describeError } from '@ecs-ship/shared/errors';
import { evaluateCondition, interpolate } from './expressions.js';
import { jobScope, type Execution, type JobContext, type PostStep } from './job-context.js';
import { warn } from './run-state.js';
import { runStepProcess } from './step-process.js';
import { readAction, type ActionFile } from './workflow-file.js';

export interface ActionStep {
  job: JobContext;
  stepName: string;
  stepId: string | undefined;
  uses: string;
  /** Absolute directory holding action.yml. */
  directory: string;
  given: Record<string, string>;
  stepEnv: Record<string, string>;
}

export interface ActionRun {
  execution: Execution;
  /** Every input the action got, defaults included. */
  inputs: Record<string, string>;
  post: PostStep | undefined;
}

export async function runAction(step: ActionStep): Promise<ActionRun> {
  const { job } = step;
  const failed = (error: string): ActionRun => ({
    execution: { outcome: 'failure', stdout: '', stderr: '', annotations: [], commands: undefined, error },
    inputs: step.given,
    post: undefined,
  });
  let action: ActionFile;
  try {
    action = readAction(step.directory, job.state.root);
  } catch (error) {
    return failed(describeError(error));
  }
  if (!/^node\d+$/.test(action.using)) {
    return failed(
      `${step.uses}: runs.using ${action.using} is not supported by the workflow runner (JavaScript actions only)`,
    );
  }
  if (action.pre) return failed(`${step.uses}: runs.pre is not supported by the workflow runner`);
  if (!action.main) return failed(`${step.uses}: action.yml has no runs.main`);

  const declared = new Set(action.inputs.map((input) => input.name.toLowerCase()));
  const unexpected = Object.keys(step.given).filter((name) => !declared.has(name.toLowerCase()));
  if (unexpected.length > 0) {
    // The runner's own warning, word for word; strict mode makes it a failure.
    const message = `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${action.inputs.map((input) => input.name).join("', '")}']`;
    warn(job.state, `${job.run.id} / ${step.stepName}: ${message}`);
    if (job.state.strict) return failed(`${step.uses}: ${message}`);
  }

  let inputs: Record<string, string>;
  try {
    inputs = { ...step.given };
    const scope = jobScope(job, 'action-input-default', step.stepEnv);
    for (const input of action.inputs) {
      if (Object.keys(step.given).some((name) => name.toLowerCase() === input.name.toLowerCase())) continue;
      if (input.default === undefined || input.default === null) continue;
      inputs[input.name] = interpolate(String(input.default), scope, 'action-input-default');
    }
  } catch (error) {
    return failed(`${step.uses}: input default: ${describeError(error)}`);
  }

  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${inputEnvName(name)}`, value]),
  );
  const execution = await runStepProcess(job, {
    stepName: step.stepName,
    command: job.state.node,
    args: [join(action.directory, action.main)],
    cwd: job.state.root,
    stepEnv: step.stepEnv,
    extraEnv: inputEnv,
    github: { ...job.github, action: step.stepId ?? actionName(step.uses), action_path: action.directory },
  });
  const post: PostStep | undefined = action.post
    ? {
        name: `Post ${step.stepName}`,
        id: step.stepId,
        uses: step.uses,
        directory: action.directory,
        entry: action.post,
        condition: action.postIf ?? 'always()',
        inputs,
        stepEnv: step.stepEnv,
        state: execution.commands?.state ?? {},
      }
    : undefined;
  return { execution, inputs, post };
}

/** A post step: `post-if` (default always()) against the job's status at its end, then `node post`. */
export async function runPost(job: JobContext, post: PostStep): Promise<Execution | undefined> {
  const status = {
    success: () => job.status === 'success' && !job.cancelled(),
    failure: () => job.status === 'failure',
    cancelled: () => job.cancelled(),
  };
  if (!evaluateCondition(post.condition, jobScope(job, 'step-if'), 'step-if', status, 'always()'))
    return undefined;
  const inputEnv = Object.fromEntries(
    Object.entries(post.inputs).map(([name, value]) => [`INPUT_${inputEnvName(name)}`, value]),
  );
  const stateEnv = Object.fromEntries(
    Object.entries(post.state).map(([name, value]) => [`STATE_${name}`, value]),
  );
  return runStepProcess(job, {
    stepName: post.name,
    command: job.state.node,
    args: [join(post.directory, post.entry)],
    cwd: job.state.root,
    stepEnv: post.stepEnv,
    extraEnv: { ...inputEnv, ...stateEnv },
    github: { ...job.github, action: post.id ?? actionName(post.uses), action_path: post.directory },
  });
}

/** The id the runner gives a step without one: `__owner_repo`, `__self` for local actions. */
export function actionName(uses: string): string {
  if (uses.startsWith('./') || uses === '.') return '__self';
  return `__${uses.split('@')[0]?.replace(/[^A-Za-z0-9]+/g, '_') ?? 'action'}`;
}
