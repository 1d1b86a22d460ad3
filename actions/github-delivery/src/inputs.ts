import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { InputReader } from '@ecs-ship/shared/inputs';
import { WORKFLOW_BOT_LOGIN } from '@ecs-ship/shared/github-comments';
import { readImages, type ImageRef } from './images.js';
import { loadRecords, type DeployRecord } from './records.js';
import { parseResults, type CheckResult } from './results.js';
import { eventField, runPageUrl, type RunnerContext } from './runner-context.js';

export const MODES = [
  'deployment',
  'source-check',
  'approvals',
  'pr-comment',
  'plan',
  'revert-plan',
] as const;
export type Mode = (typeof MODES)[number];

export const DEPLOYMENT_STATES = ['start', 'success', 'failure', 'error'] as const;
export type DeploymentStepState = (typeof DEPLOYMENT_STATES)[number];

export interface DeploymentInputs {
  mode: 'deployment';
  githubToken: string;
  environment: string;
  state: DeploymentStepState;
  deploymentId?: number;
  ref: string;
  images: ImageRef[];
  services: string[];
  environmentUrl?: string;
  description?: string;
  productionEnvironment?: boolean;
  records: DeployRecord[];
  /** Patterns of `records` that matched no file. */
  unmatchedRecords: string[];
}

export interface SourceCheckInputs {
  mode: 'source-check';
  githubToken: string;
  environment: string;
  images: ImageRef[];
  requireRecord: boolean;
  /** Container → the image name the deployment recorded it under (plan's images-from-names). */
  imageNames: Record<string, string>;
}

export interface ApprovalsInputs {
  mode: 'approvals';
  githubToken: string;
  environments: string[];
  requiredApprovals: number;
}

export type CommentContent =
  { kind: 'body'; file: string; text: string } | { kind: 'results'; file: string; results: CheckResult[] };

export interface PrCommentInputs {
  mode: 'pr-comment';
  githubToken: string;
  content: CommentContent;
  title: string;
  key: string;
  pullRequest: number;
  headSha: string;
  expectedAuthor: string;
  runId: string;
  runAttempt: number;
  runUrl: string;
  /**
   * The pull request number did not come from this run's own pull_request event (a workflow_run
   * relay): GitHub's copy of the pull request must be open at `headSha` before we write to it.
   */
  relay: boolean;
}

/** deploy.yml's plan (images, services, tasks) or promote.yml's (the environments file). */
export type PlanInputs =
  | { mode: 'plan'; kind: 'deploy'; images: string; services: string; tasks: string }
  | {
      mode: 'plan';
      kind: 'promotion';
      configPath: string;
      configText: string;
      environment?: string;
      source: string;
    };

export interface RevertPlanInputs {
  mode: 'revert-plan';
  recordFiles: string[];
  workspace: string;
}

export type DeliveryInputs =
  DeploymentInputs | SourceCheckInputs | ApprovalsInputs | PrCommentInputs | PlanInputs | RevertPlanInputs;

/**
 * Inputs without an action.yml default, by the modes that read them: set in another mode they are
 * refused, since a value that is silently ignored (environment for approvals) is a mistake.
 */
const MODE_INPUTS: Record<string, readonly Mode[]> = {
  environment: ['deployment', 'source-check', 'plan'],
  images: ['deployment', 'source-check', 'plan'],
  'image-names': ['source-check'],
  tasks: ['plan'],
  config: ['plan'],
  source: ['plan'],
  state: ['deployment'],
  'deployment-id': ['deployment'],
  ref: ['deployment'],
  services: ['deployment', 'plan'],
  'environment-url': ['deployment'],
  description: ['deployment'],
  'production-environment': ['deployment'],
  records: ['deployment', 'revert-plan'],
  environments: ['approvals'],
  'body-file': ['pr-comment'],
  'results-file': ['pr-comment'],
  'pull-request': ['pr-comment'],
  'head-sha': ['pr-comment'],
  'run-id': ['pr-comment'],
  'run-attempt': ['pr-comment'],
  'run-url': ['pr-comment'],
};

/** Reads and validates every input of the mode; nothing is sent to GitHub before this returns. */
export function getInputs(inputs: InputReader, runner: RunnerContext): DeliveryInputs {
  const mode = inputs.enumeration('mode', MODES);
  if (mode === undefined)
    throw new ConfigurationError(`Input "mode" is required: one of ${MODES.join(', ')}.`);
  const misplaced = Object.entries(MODE_INPUTS).filter(
    ([name, modes]) => !modes.includes(mode) && inputs.raw(name) !== '',
  );
  if (misplaced.length > 0) {
    throw new ConfigurationError(
      `Input(s) ${misplaced.map(([name, modes]) => `"${name}" (for mode ${modes.join(' / ')})`).join(', ')} do not apply to "mode: ${mode}".`,
    );
  }
  if (mode === 'plan') return readPlan(inputs);
  if (mode === 'revert-plan') return readRevertPlan(inputs);
  const githubToken = inputs.required('github-token');
  switch (mode) {
    case 'deployment':
      return readDeployment(inputs, runner, githubToken);
    case 'source-check':
      return {
        mode,
        githubToken,
        environment: readEnvironment(inputs, 'environment'),
        images: requireImages(
          inputs,
          'the images that run in the source environment, as ecs-deploy mode resolve-images outputs them',
        ),
        requireRecord: inputs.boolean('require-record', true),
        imageNames: readImageNames(inputs.raw('image-names')),
      };
    case 'approvals':
      return readApprovals(inputs, githubToken);
    case 'pr-comment':
      return readPrComment(inputs, runner, githubToken);
  }
}

function readEnvironment(inputs: InputReader, name: string): string {
  const value = inputs.required(name);
  // GitHub's limit for environment names; no commas, newlines or control characters.
  if (value.length > 255 || /[,\n\r\t]/.test(value)) inputs.fail(name, 'a GitHub environment name', value);
  return value;
}

function requireImages(inputs: InputReader, what: string): ImageRef[] {
  const images = readImages(inputs, 'images');
  if (images.length === 0)
    throw new ConfigurationError(
      `Input "images" is required here: ${what} (lines of container=repository@sha256:…).`,
    );
  return images;
}

function readDeployment(inputs: InputReader, runner: RunnerContext, githubToken: string): DeploymentInputs {
  const environment = readEnvironment(inputs, 'environment');
  const state = inputs.enumeration('state', DEPLOYMENT_STATES);
  if (state === undefined)
    throw new ConfigurationError(
      `Input "state" is required with "mode: deployment": one of ${DEPLOYMENT_STATES.join(', ')}.`,
    );
  const deploymentId = inputs.integer('deployment-id', undefined, { min: 1 });
  if (state === 'start' && deploymentId !== undefined)
    throw new ConfigurationError(
      'Input "deployment-id" must not be set with "state: start": start creates the deployment and outputs its id.',
    );
  if (state !== 'start' && deploymentId === undefined)
    throw new ConfigurationError(
      `Input "deployment-id" is required with "state: ${state}": the deployment-id output of the step that ran "state: start".`,
    );
  const images =
    state === 'start'
      ? requireImages(inputs, 'the images being deployed, stored in the deployment')
      : readImages(inputs, 'images');
  const environmentUrl = inputs.optional('environment-url');
  if (environmentUrl !== undefined && !isHttpUrl(environmentUrl))
    inputs.fail('environment-url', 'an http(s) URL', environmentUrl);
  const description = inputs.optional('description');
  const production =
    inputs.raw('production-environment') === '' ? undefined : inputs.boolean('production-environment', false);
  const ref = inputs.string('ref', runner.sha);
  const { records, unmatched } = loadRecords(inputs.lines('records'), inputs.workspace);
  return {
    mode: 'deployment',
    githubToken,
    environment,
    state,
    ...(deploymentId !== undefined ? { deploymentId } : {}),
    ref,
    images,
    services: inputs.list('services'),
    ...(environmentUrl !== undefined ? { environmentUrl } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(production !== undefined ? { productionEnvironment: production } : {}),
    records,
    unmatchedRecords: unmatched,
  };
}

function readApprovals(inputs: InputReader, githubToken: string): ApprovalsInputs {
  const environments = inputs.list('environments');
  if (environments.length === 0)
    throw new ConfigurationError(
      'Input "environments" is required with "mode: approvals": the protected environments whose approvals count, e.g. "prod-approval-1, prod-approval-2".',
    );
  const unique = new Set(environments.map((name) => name.toLowerCase()));
  if (unique.size !== environments.length)
    inputs.fail('environments', 'distinct environment names', environments.join(', '));
  return {
    mode: 'approvals',
    githubToken,
    environments,
    requiredApprovals: inputs.integer('required-approvals', 2, { min: 1, max: 100 }),
  };
}

function readPrComment(inputs: InputReader, runner: RunnerContext, githubToken: string): PrCommentInputs {
  const content = readContent(inputs);
  const key = inputs.string('key', 'pr-validate');
  if (!/^[A-Za-z0-9._/-]{1,100}$/.test(key))
    inputs.fail('key', 'letters, digits, ".", "_", "/" or "-" (up to 100)', key);
  const expectedAuthor = inputs.string('expected-author', WORKFLOW_BOT_LOGIN);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/.test(expectedAuthor))
    inputs.fail('expected-author', 'a GitHub login such as github-actions[bot]', expectedAuthor);

  const workflowRun = runner.eventName === 'workflow_run';
  const eventNumber = eventField(runner.event, ['pull_request', 'number']);
  const ownNumber =
    typeof eventNumber === 'number' && Number.isInteger(eventNumber) ? eventNumber : undefined;
  const pullRequest = inputs.integer('pull-request', undefined, { min: 1 }) ?? ownNumber;
  if (pullRequest === undefined)
    throw new ConfigurationError(
      `Input "pull-request" is required: this ${runner.eventName || 'run'} event carries no pull request${workflowRun ? ' (in the workflow_run relay, pass the number the pull request run saved)' : ''}.`,
    );

  const trustedHead = workflowRun ? textField(runner.event, ['workflow_run', 'head_sha']) : undefined;
  const eventHead = textField(runner.event, ['pull_request', 'head', 'sha']);
  const headSha = inputs.string('head-sha', eventHead ?? trustedHead ?? runner.sha).toLowerCase();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(headSha)) inputs.fail('head-sha', 'a full commit SHA', headSha);
  if (trustedHead !== undefined && headSha !== trustedHead.toLowerCase())
    throw new ConfigurationError(
      `Input "head-sha" (${headSha}) is not the head_sha of the workflow run that triggered this one (${trustedHead}): in the relay it must be github.event.workflow_run.head_sha, never a value from the pull request's artifact.`,
    );

  const run = readRun(inputs, runner, workflowRun);
  return {
    mode: 'pr-comment',
    githubToken,
    content,
    title: inputs.string('title', 'ecs-ship pull request validation'),
    key,
    pullRequest,
    headSha,
    expectedAuthor,
    ...run,
    relay: workflowRun || ownNumber !== pullRequest,
  };
}

function readContent(inputs: InputReader): CommentContent {
  const bodyFile = inputs.file('body-file');
  const resultsFile = inputs.file('results-file');
  if (bodyFile !== undefined && resultsFile !== undefined)
    throw new ConfigurationError('Inputs "body-file" and "results-file" are exclusive: set one.');
  if (bodyFile !== undefined) return { kind: 'body', file: bodyFile, text: readFileSync(bodyFile, 'utf8') };
  if (resultsFile !== undefined) {
    const text = readFileSync(resultsFile, 'utf8');
    return {
      kind: 'results',
      file: resultsFile,
      results: parseResults(text, `Input "results-file" (${inputs.raw('results-file')})`),
    };
  }
  throw new ConfigurationError(
    'With "mode: pr-comment", set "body-file" (Markdown) or "results-file" (a JSON list of {check, status, summary, url}).',
  );
}

/** The run the comment reports on: this one, or in the relay the pull request's run that triggered it. */
function readRun(
  inputs: InputReader,
  runner: RunnerContext,
  workflowRun: boolean,
): { runId: string; runAttempt: number; runUrl: string } {
  const producerId = workflowRun ? eventField(runner.event, ['workflow_run', 'id']) : undefined;
  const producer =
    typeof producerId === 'number' || typeof producerId === 'string'
      ? {
          runId: String(producerId),
          attempt: numberField(runner.event, ['workflow_run', 'run_attempt']) ?? 1,
          url: textField(runner.event, ['workflow_run', 'html_url']),
        }
      : undefined;
  const runId = inputs.string('run-id', producer?.runId ?? runner.runId);
  if (!/^\d{1,20}$/.test(runId)) inputs.fail('run-id', 'a workflow run id (digits)', runId);
  const knownAttempt =
    producer && runId === producer.runId ? producer.attempt : runId === runner.runId ? runner.runAttempt : 1;
  const runAttempt = inputs.integer('run-attempt', knownAttempt, { min: 1 });
  const runUrl =
    inputs.optional('run-url') ??
    (producer && runId === producer.runId && producer.url
      ? `${producer.url}/attempts/${runAttempt}`
      : runPageUrl(runner.serverUrl, runner.repository, runId, runAttempt));
  if (!isHttpUrl(runUrl)) inputs.fail('run-url', 'an http(s) URL', runUrl);
  return { runId, runAttempt, runUrl };
}

function textField(event: RunnerContext['event'], path: string[]): string | undefined {
  const value = eventField(event, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberField(event: RunnerContext['event'], path: string[]): number | undefined {
  const value = eventField(event, path);
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function readPlan(inputs: InputReader): PlanInputs {
  const configPath = inputs.optional('config');
  if (configPath !== undefined) {
    for (const name of ['images', 'services', 'tasks']) {
      if (inputs.raw(name) !== '')
        inputs.fail(name, 'left unset with "config" (the environments file holds them)', inputs.raw(name));
    }
    const configText = readFileSync(inputs.file('config') ?? configPath, 'utf8');
    const environment = inputs.optional('environment');
    return {
      mode: 'plan',
      kind: 'promotion',
      configPath,
      configText,
      ...(environment !== undefined ? { environment } : {}),
      source: inputs.raw('source'),
    };
  }
  if (inputs.raw('source') !== '') inputs.fail('source', 'set only with "config"', inputs.raw('source'));
  return {
    mode: 'plan',
    kind: 'deploy',
    images: inputs.required('images'),
    services: inputs.required('services'),
    tasks: inputs.raw('tasks'),
  };
}

function readRevertPlan(inputs: InputReader): RevertPlanInputs {
  return { mode: 'revert-plan', recordFiles: inputs.lines('records'), workspace: inputs.workspace };
}

/** `container=name` lines (plan's images-from-names): which image name each container's image has. */
export function readImageNames(text: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const match = /^([A-Za-z0-9][A-Za-z0-9_-]*)=([A-Za-z0-9][A-Za-z0-9_.-]*)$/.exec(line);
    if (!match?.[1] || !match[2])
      throw new ConfigurationError(
        `Input "image-names" line ${index + 1} must be container=image-name (plan's images-from-names); got ${JSON.stringify(line)}.`,
      );
    if (match[1] in names)
      throw new ConfigurationError(`Input "image-names" names container "${match[1]}" twice.`);
    names[match[1]] = match[2];
  }
  return names;
}
