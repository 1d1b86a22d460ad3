// Strict mode's reading of an expression: a context path that names something the workflow never
// declares (a renamed output, input, matrix key or job) reads as '' on GitHub; here it is a finding.
import { contextReferences } from '@ecs-ship/workflow-checks/expressions';

export interface DeclaredStep {
  /** What the step runs, for the message (`./actions/x`, `run`). */
  what: string;
  /** Output names it declares; undefined when any name may be written (a `run:` step, a third-party action). */
  outputs: readonly string[] | undefined;
}

export interface Declarations {
  /** Every step of the job that has an id. */
  steps?: ReadonlyMap<string, DeclaredStep>;
  /** The job's `needs`, each with its declared outputs. */
  needs?: ReadonlyMap<string, readonly string[]>;
  /** The called workflow's jobs (in `on.workflow_call.outputs`), each with its declared outputs. */
  jobs?: ReadonlyMap<string, readonly string[]>;
  /** Declared inputs of the workflow; undefined when the trigger declares none (inputs then reads as {}). */
  inputs?: readonly string[];
  /** Keys of the job's matrix combination; an empty list for a job without a matrix. */
  matrix?: readonly string[];
}

export function referenceProblems(expression: string, declared: Declarations): string[] {
  const problems: string[] = [];
  for (const reference of contextReferences(expression)) {
    const [context = '', first, second, third] = reference.split('.');
    const problem = check(context.toLowerCase(), first, second, third, declared);
    if (problem) problems.push(`${reference}: ${problem}`);
  }
  return problems;
}

function check(
  context: string,
  first: string | undefined,
  second: string | undefined,
  third: string | undefined,
  declared: Declarations,
): string | undefined {
  if (first === undefined || first === '*') return undefined;
  switch (context) {
    case 'steps': {
      if (!declared.steps) return undefined;
      const step = find(declared.steps, first);
      if (!step) return `the job has no step with id '${first}' (ids: ${list([...declared.steps.keys()])})`;
      if (second?.toLowerCase() !== 'outputs' || third === undefined || third === '*' || !step.outputs)
        return undefined;
      return has(step.outputs, third)
        ? undefined
        : `step '${first}' (${step.what}) declares no output '${third}' (it declares: ${list(step.outputs)})`;
    }
    case 'needs':
    case 'jobs': {
      const jobs = context === 'needs' ? declared.needs : declared.jobs;
      if (!jobs) return undefined;
      const outputs = find(jobs, first);
      if (!outputs) {
        return context === 'needs'
          ? `'${first}' is not in this job's needs (${list([...jobs.keys()])})`
          : `the workflow has no job '${first}' (jobs: ${list([...jobs.keys()])})`;
      }
      if (second?.toLowerCase() !== 'outputs' || third === undefined || third === '*') return undefined;
      return has(outputs, third)
        ? undefined
        : `job '${first}' declares no output '${third}' (it declares: ${list(outputs)})`;
    }
    case 'inputs':
      if (!declared.inputs || has(declared.inputs, first)) return undefined;
      return `the workflow declares no input '${first}' (it declares: ${list(declared.inputs)})`;
    case 'matrix':
      if (!declared.matrix || has(declared.matrix, first)) return undefined;
      return declared.matrix.length === 0
        ? 'the job has no matrix'
        : `the matrix has no key '${first}' (keys: ${list(declared.matrix)})`;
    default:
      return undefined;
  }
}

function find<T>(map: ReadonlyMap<string, T>, key: string): T | undefined {
  for (const [name, value] of map) if (name.toLowerCase() === key.toLowerCase()) return value;
  return undefined;
}

function has(names: readonly string[], name: string): boolean {
  return names.some((candidate) => candidate.toLowerCase() === name.toLowerCase());
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}
