// Workflow files and action.yml read into the plain shapes the runner walks, with the mistakes GitHub
// refuses before a run starts (YAML errors, jobs without steps, steps with both `run` and `uses`).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { YamlFile } from '@ecs-ship/workflow-checks/yaml-file';

export type Mapping = Record<string, unknown>;

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface WorkflowFile {
  /** Relative to the repository root. */
  path: string;
  name: string;
  /** Trigger name to its settings (null for `on: push`). */
  triggers: Map<string, Mapping | null>;
  env: Mapping;
  defaults: RunDefaults;
  concurrency: unknown;
  jobs: JobDefinition[];
}

export interface JobDefinition {
  key: string;
  name: string | undefined;
  needs: string[];
  if: unknown;
  strategy: unknown;
  environment: unknown;
  concurrency: unknown;
  env: Mapping;
  outputs: Mapping;
  steps: StepDefinition[];
  /** A reusable workflow this job calls. */
  uses: string | undefined;
  with: Mapping;
  secrets: 'inherit' | Mapping | undefined;
  continueOnError: unknown;
  timeoutMinutes: unknown;
  defaults: RunDefaults;
  container: unknown;
  services: unknown;
}

export interface StepDefinition {
  index: number;
  id: string | undefined;
  name: string | undefined;
  if: unknown;
  uses: string | undefined;
  run: string | undefined;
  shell: string | undefined;
  with: Mapping;
  env: Mapping;
  workingDirectory: string | undefined;
  continueOnError: unknown;
  timeoutMinutes: unknown;
}

export interface ActionInput {
  name: string;
  default: unknown;
}

export interface ActionFile {
  /** Absolute directory of the action. */
  directory: string;
  name: string;
  inputs: ActionInput[];
  outputs: string[];
  using: string;
  main: string | undefined;
  pre: string | undefined;
  post: string | undefined;
  postIf: string | undefined;
}

export function readWorkflow(root: string, path: string): WorkflowFile {
  const absolute = join(root, path);
  if (!existsSync(absolute)) throw new ConfigurationError(`workflow ${path} does not exist under ${root}`);
  const contents = parseYaml(path, readFileSync(absolute, 'utf8'));
  const where = path;
  const jobs = mapping(contents.jobs, `${where}: jobs`);
  if (Object.keys(jobs).length === 0) throw new ConfigurationError(`${where}: the workflow has no jobs`);
  return {
    path,
    name: optionalString(contents.name, `${where}: name`) ?? path,
    triggers: triggersOf(contents.on, where),
    env: mapping(contents.env ?? {}, `${where}: env`),
    defaults: runDefaults(contents.defaults, `${where}: defaults`),
    concurrency: contents.concurrency,
    jobs: Object.entries(jobs).map(([key, job]) => jobDefinition(key, job, `${where}: jobs.${key}`)),
  };
}

export function readAction(directory: string, root: string): ActionFile {
  const file = ['action.yml', 'action.yaml']
    .map((name) => join(directory, name))
    .find((path) => existsSync(path));
  const shown = relative(root, directory) || '.';
  if (!file) throw new ConfigurationError(`no action.yml in ${shown}`);
  const where = relative(root, file);
  const contents = parseYaml(where, readFileSync(file, 'utf8'));
  const runs = mapping(contents.runs, `${where}: runs`);
  return {
    directory,
    name: optionalString(contents.name, `${where}: name`) ?? shown,
    inputs: Object.entries(mapping(contents.inputs ?? {}, `${where}: inputs`)).map(([name, settings]) => ({
      name,
      default: settings !== null && typeof settings === 'object' ? (settings as Mapping).default : undefined,
    })),
    outputs: Object.keys(mapping(contents.outputs ?? {}, `${where}: outputs`)),
    using: requiredString(runs.using, `${where}: runs.using`),
    main: optionalString(runs.main, `${where}: runs.main`),
    pre: optionalString(runs.pre, `${where}: runs.pre`),
    post: optionalString(runs.post, `${where}: runs.post`),
    postIf: optionalScalar(runs['post-if'], `${where}: runs.post-if`),
  };
}

function parseYaml(path: string, text: string): Mapping {
  const file = new YamlFile(path, text);
  const [first] = file.parseFindings();
  if (first) throw new ConfigurationError(`${first.file}:${first.line}: ${first.message}`);
  const contents: unknown = file.document.toJS();
  return mapping(contents, path);
}

function triggersOf(on: unknown, where: string): Map<string, Mapping | null> {
  const triggers = new Map<string, Mapping | null>();
  if (typeof on === 'string') triggers.set(on, null);
  else if (Array.isArray(on)) for (const name of on) triggers.set(String(name), null);
  else {
    for (const [name, settings] of Object.entries(mapping(on, `${where}: on`))) {
      triggers.set(
        name,
        settings === null || settings === undefined ? null : mapping(settings, `${where}: on.${name}`),
      );
    }
  }
  return triggers;
}

function jobDefinition(key: string, value: unknown, where: string): JobDefinition {
  const job = mapping(value, where);
  const uses = optionalString(job.uses, `${where}.uses`);
  const steps = job.steps === undefined ? [] : list(job.steps, `${where}.steps`);
  if (uses === undefined && steps.length === 0)
    throw new ConfigurationError(`${where}: a job needs steps or uses`);
  if (uses !== undefined && job.steps !== undefined) {
    throw new ConfigurationError(`${where}: a job that calls a reusable workflow (uses) cannot have steps`);
  }
  const secrets = job.secrets;
  return {
    key,
    name: optionalScalar(job.name, `${where}.name`),
    needs:
      job.needs === undefined
        ? []
        : typeof job.needs === 'string'
          ? [job.needs]
          : list(job.needs, `${where}.needs`).map(String),
    if: job.if,
    strategy: job.strategy,
    environment: job.environment,
    concurrency: job.concurrency,
    env: mapping(job.env ?? {}, `${where}.env`),
    outputs: mapping(job.outputs ?? {}, `${where}.outputs`),
    steps: steps.map((step, index) => stepDefinition(step, index, `${where}.steps[${index}]`)),
    uses,
    with: mapping(job.with ?? {}, `${where}.with`),
    secrets: secrets === undefined || secrets === 'inherit' ? secrets : mapping(secrets, `${where}.secrets`),
    continueOnError: job['continue-on-error'],
    timeoutMinutes: job['timeout-minutes'],
    defaults: runDefaults(job.defaults, `${where}.defaults`),
    container: job.container,
    services: job.services,
  };
}

function stepDefinition(value: unknown, index: number, where: string): StepDefinition {
  const step = mapping(value, where);
  const uses = optionalString(step.uses, `${where}.uses`);
  const run = optionalScalar(step.run, `${where}.run`);
  if ((uses === undefined) === (run === undefined)) {
    throw new ConfigurationError(`${where}: a step needs exactly one of uses and run`);
  }
  return {
    index,
    id: optionalString(step.id, `${where}.id`),
    name: optionalScalar(step.name, `${where}.name`),
    if: step.if,
    uses,
    run,
    shell: optionalString(step.shell, `${where}.shell`),
    with: mapping(step.with ?? {}, `${where}.with`),
    env: mapping(step.env ?? {}, `${where}.env`),
    workingDirectory: optionalString(step['working-directory'], `${where}.working-directory`),
    continueOnError: step['continue-on-error'],
    timeoutMinutes: step['timeout-minutes'],
  };
}

function runDefaults(value: unknown, where: string): RunDefaults {
  if (value === undefined || value === null) return {};
  const run = mapping(mapping(value, where).run ?? {}, `${where}.run`);
  return {
    shell: optionalString(run.shell, `${where}.run.shell`),
    workingDirectory: optionalString(run['working-directory'], `${where}.run.working-directory`),
  };
}

function mapping(value: unknown, where: string): Mapping {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigurationError(`${where}: expected a mapping, got ${describe(value)}`);
  }
  return value as Mapping;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value))
    throw new ConfigurationError(`${where}: expected a list, got ${describe(value)}`);
  return value;
}

function requiredString(value: unknown, where: string): string {
  const text = optionalString(value, where);
  if (text === undefined) throw new ConfigurationError(`${where}: expected a string, got nothing`);
  return text;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new ConfigurationError(`${where}: expected a string, got ${describe(value)}`);
  return value;
}

/** A string, number or boolean as the runner reads it (`name: 1` is the name "1"). */
function optionalScalar(value: unknown, where: string): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return optionalString(value, where);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
