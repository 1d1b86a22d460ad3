// Third-party `uses:`: the caller's thirdParty entry first, then a built-in emulation; anything else
// fails the step (fail closed: an action that is not here is not pretended to have run).
import { describeError } from '@ecs-ship/shared/errors';
import { EMULATIONS } from './emulations/index.js';
import type { Execution, JobContext } from './job-context.js';
import { warn } from './run-state.js';
import { stepEnvironment } from './step-process.js';
import type { Annotation, ThirdPartyAction, ThirdPartyHandler, ThirdPartyStep } from './types.js';

export type ThirdPartyTarget =
  | { kind: 'handler'; run: ThirdPartyHandler; inputs: readonly string[] | undefined; emulated: boolean }
  | { kind: 'directory'; directory: string };

export function findThirdParty(
  given: ReadonlyMap<string, ThirdPartyAction>,
  action: string,
): ThirdPartyTarget | undefined {
  const entry = given.get(action);
  if (entry !== undefined) {
    if (typeof entry === 'function')
      return { kind: 'handler', run: entry, inputs: undefined, emulated: false };
    if ('directory' in entry) return { kind: 'directory', directory: entry.directory };
    return { kind: 'handler', run: entry.run, inputs: entry.inputs, emulated: false };
  }
  const emulation = EMULATIONS.get(action);
  return emulation
    ? { kind: 'handler', run: emulation.run, inputs: emulation.inputs, emulated: true }
    : undefined;
}

export interface HandlerStep {
  job: JobContext;
  stepName: string;
  stepId: string | undefined;
  uses: string;
  action: string;
  ref: string | undefined;
  target: Extract<ThirdPartyTarget, { kind: 'handler' }>;
  given: Record<string, string>;
  stepEnv: Record<string, string>;
}

export async function runHandler(step: HandlerStep): Promise<Execution> {
  const { job, target } = step;
  const { state } = job;
  const lines: string[] = [];
  const annotations: Annotation[] = [];
  const failed = (error: string): Execution => ({
    outcome: 'failure',
    stdout: lines.join('\n'),
    stderr: error,
    annotations,
    commands: undefined,
    error,
    emulation: { action: step.action, recorded: {} },
  });

  if (target.inputs) {
    const known = new Set(target.inputs.map((name) => name.toLowerCase()));
    const unexpected = Object.keys(step.given).filter((name) => !known.has(name.toLowerCase()));
    if (unexpected.length > 0) {
      const message = `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${target.inputs.join("', '")}']`;
      warn(state, `${job.run.id} / ${step.stepName}: ${message}`);
      if (state.strict) return failed(`${step.uses}: ${message}`);
    }
  }

  const github = { ...job.github, action: step.stepId ?? `__${step.action.replace(/[^a-z0-9]+/g, '_')}` };
  const context: ThirdPartyStep = {
    uses: step.uses,
    action: step.action,
    ref: step.ref,
    inputs: { ...step.given },
    env: stepEnvironment(job, step.stepEnv, github),
    workspace: state.root,
    runnerTemp: job.runner.temp,
    artifactsDir: state.artifactsDir,
    otherRunArtifacts: state.otherRunArtifacts,
    github,
    log: (line) => {
      const command = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
      if (command)
        annotations.push({
          level: command[1] as Annotation['level'],
          message: state.masker.mask(command[2] ?? ''),
        });
      const masked = state.masker.mask(line);
      lines.push(masked);
      state.emit({ type: 'log', job: job.run.id, step: step.stepName, stream: 'stdout', line: masked });
    },
    mask: (value) => state.masker.add(value),
  };
  try {
    const result = (await target.run(context)) ?? {};
    return {
      outcome: 'success',
      stdout: state.masker.mask(lines.join('\n')),
      stderr: '',
      annotations,
      commands: {
        outputs: result.outputs ?? {},
        env: result.exportVariables ?? {},
        path: result.addPath ?? [],
        state: {},
        summary: result.summary ?? '',
      },
      emulation: { action: step.action, recorded: result.recorded ?? {} },
    };
  } catch (error) {
    return failed(
      state.masker.mask(`${step.uses}${target.emulated ? ' (emulated)' : ''}: ${describeError(error)}`),
    );
  }
}
