// runWorkflow: one workflow run as GitHub would make it, on this machine, with our actions' dists.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { evaluateDeep, type Value } from './expressions.js';
import { githubContext } from './github-context.js';
import { strictCheck } from './job-context.js';
import { Masker } from './masker.js';
import { callOutputs } from './reusable-workflow.js';
import { runJobs } from './run-jobs.js';
import { directoryMaker, isCancelled, type RunState, type WorkflowScope } from './run-state.js';
import { concurrencyOf } from './settings.js';
import type { Approval, GithubContext, RunWorkflowOptions, ThirdPartyAction, WorkflowRun } from './types.js';
import { readWorkflow, type WorkflowFile } from './workflow-file.js';
import {
  callInputs,
  checkCallSecrets,
  declaredInputs,
  declaredSecrets,
  dispatchInputs,
} from './workflow-inputs.js';

export type * from './types.js';

/**
 * Runs `options.workflow` for `options.event`. Throws ConfigurationError, before any job starts, for
 * what GitHub would refuse to start: a workflow that does not parse or is not triggered by the event,
 * undeclared, missing or mistyped inputs, missing required secrets, a `needs` cycle.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
  const root = resolve(options.root);
  const file = readWorkflow(root, options.workflow);
  const eventName = options.event.name;
  if (!file.triggers.has(eventName)) {
    throw new ConfigurationError(
      `${file.path} is not triggered by ${eventName}: it runs on ${[...file.triggers.keys()].join(', ') || 'nothing'}`,
    );
  }
  const payload: Record<string, unknown> = { ...(options.event.payload ?? {}) };
  const workDir = options.workDir ? resolve(options.workDir) : await mkdtemp(join(tmpdir(), 'workflow-run-'));
  try {
    await mkdir(workDir, { recursive: true });
    const eventPath = join(workDir, 'event.json');
    const baseEnv: Record<string, string> = {
      ...(process.env.PATH !== undefined ? { PATH: process.env.PATH } : {}),
      ...(process.env.HOME !== undefined ? { HOME: process.env.HOME } : {}),
      // Without credentials the AWS SDK would otherwise probe the EC2 metadata endpoint and stall.
      AWS_EC2_METADATA_DISABLED: 'true',
      ...options.env,
    };
    const github = githubContext({
      given: options.github ?? {},
      eventName,
      payload,
      eventPath,
      workflowName: file.name,
      workflowPath: file.path,
      workspace: root,
      env: baseEnv,
      secrets: options.secrets ?? {},
    });
    const { inputs, inputNames } = workflowInputs(file, eventName, options, github);
    await writeFile(eventPath, JSON.stringify(payload, null, 2));
    const secrets = { ...options.secrets, GITHUB_TOKEN: github.token };
    const masker = new Masker();
    for (const value of Object.values(secrets)) masker.add(value);
    for (const environment of Object.values(options.environments ?? {})) {
      for (const value of Object.values(environment.secrets ?? {})) masker.add(value);
    }
    if (eventName === 'workflow_call') {
      checkCallSecrets(
        declaredSecrets(file.triggers.get('workflow_call')),
        Object.keys(secrets),
        true,
        file.path,
      );
    }

    const artifactsDir = join(workDir, 'artifacts');
    const toolCache = join(workDir, 'tool-cache');
    await Promise.all([mkdir(artifactsDir, { recursive: true }), mkdir(toolCache, { recursive: true })]);
    const state: RunState = {
      root,
      workDir,
      artifactsDir,
      otherRunArtifacts: { ...options.otherRunArtifacts },
      toolCache,
      github,
      vars: { ...options.vars },
      environments: options.environments ?? {},
      baseEnv,
      thirdParty: new Map(
        Object.entries(options.thirdParty ?? {}).map(([name, action]): [string, ThirdPartyAction] => [
          name.toLowerCase(),
          action,
        ]),
      ),
      approve: options.approve ?? ((): Approval => ({ approved: true, by: 'the runner' })),
      emit: (event) => options.onEvent?.(event),
      masker,
      jobs: {},
      warnings: [],
      strict: options.strict ?? true,
      signal: options.signal,
      self: options.self ?? github.repository,
      node: options.node ?? process.execPath,
      nextDirectory: directoryMaker(join(workDir, 'steps')),
    };
    const scope: WorkflowScope = { file, inputs, inputNames, secrets, caller: undefined, depth: 0 };
    const check = strictCheck(state, { inputs: inputNames }, file.path);
    const concurrency = concurrencyOf(
      file.concurrency,
      { contexts: { github, inputs, vars: state.vars }, check },
      'workflow-concurrency',
    );

    const summaries = await runJobs(state, scope);
    const results = [...summaries.values()].map((summary) => summary.result);
    return {
      name: file.name,
      result: isCancelled(state) ? 'cancelled' : results.includes('failure') ? 'failure' : 'success',
      // Masked again as a whole: ::add-mask:: and handed-on credentials also cover what was recorded before them.
      jobs: masker.maskDeep(state.jobs),
      outputs: masker.maskRecord(callOutputs(state, scope, summaries)),
      ...(concurrency ? { concurrency } : {}),
      warnings: state.warnings.map((warning) => masker.mask(warning)),
      ...(options.workDir ? { artifactsDir } : {}),
    };
  } finally {
    if (!options.workDir) await rm(workDir, { recursive: true, force: true });
  }
}

/** The run's inputs; for workflow_dispatch also written back to github.event.inputs, as strings. */
function workflowInputs(
  file: WorkflowFile,
  eventName: string,
  options: RunWorkflowOptions,
  github: GithubContext,
): { inputs: Record<string, Value>; inputNames: string[] | undefined } {
  const payload = github.event;
  const declaredBy = (trigger: string) => declaredInputs(file.triggers.get(trigger));
  const allNames = [
    ...new Set(
      [...declaredBy('workflow_dispatch'), ...declaredBy('workflow_call')].map((input) => input.name),
    ),
  ];
  const inputNames = allNames.length > 0 ? allNames : undefined;
  const where = `${file.path} (${eventName})`;
  if (eventName === 'workflow_dispatch') {
    const given = options.inputs ?? stringRecord(payload.inputs);
    const inputs = dispatchInputs(declaredBy('workflow_dispatch'), given, where);
    payload.inputs = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, String(value)]));
    return { inputs, inputNames };
  }
  if (eventName === 'workflow_call') {
    const given = (options.inputs ?? {}) as Record<string, Value>;
    const evaluateDefault = (value: unknown): Value =>
      evaluateDeep(
        value,
        { contexts: { github, vars: options.vars ?? {}, inputs: {} } },
        'call-input-default',
      );
    return { inputs: callInputs(declaredBy('workflow_call'), given, evaluateDefault, where), inputNames };
  }
  if (options.inputs && Object.keys(options.inputs).length > 0) {
    throw new ConfigurationError(
      `${where}: inputs are given only to workflow_dispatch and workflow_call runs`,
    );
  }
  return { inputs: {}, inputNames };
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, String(item)]),
  );
}
