import { readFileSync } from 'node:fs';
import type { AssignPublicIp, CapacityProviderStrategyItem, LaunchType } from '@aws-sdk/client-ecs';
import { awsClientConfig, type AwsClientConfig } from '@ecs-ship/shared/aws-clients';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { parseYamlText, type InputReader } from '@ecs-ship/shared/inputs';
import { looksLikeCredentialName } from '@ecs-ship/shared/secrets';
import { isTenth } from './deployment/deployment-config-check.js';
import { MAX_TIMEOUT_MS } from './deployment/deployment-timeout.js';
import { LIFECYCLE_STAGES, reachedStage, type LifecycleStage } from './deployment/stages.js';

export const STRATEGIES = ['rolling', 'canary', 'linear', 'blue-green'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type WaitMode =
  { kind: 'stable' } | { kind: 'none' } | { kind: 'gate' } | { kind: 'stage'; stage: LifecycleStage };

export type TaskDefinitionSource =
  { kind: 'file'; path: string; document: unknown } | { kind: 'arn'; arn: string } | { kind: 'current' };

export interface ImageOverride {
  container: string;
  image: string;
}

export interface EnvironmentOverride {
  container: string;
  name: string;
  /** Never logged, never in the summary. */
  value: string;
}

export interface StrategyInputs {
  strategy: Strategy;
  canaryPercent?: number;
  canaryBakeMinutes?: number;
  linearStepPercent?: number;
  linearStepBakeMinutes?: number;
  bakeMinutes?: number;
  alarms: string[];
  /** undefined: the default for the strategy (on for rolling). */
  circuitBreaker?: boolean;
  gate: 'none' | 'pause';
  gateTimeoutMinutes: number;
  gateTimeoutAction: 'ROLLBACK' | 'CONTINUE';
  rollbackOnFailure: boolean;
}

export interface RunTaskInputs {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: AssignPublicIp;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  command?: string[];
  commandContainer?: string;
}

export interface DeployInputs extends StrategyInputs {
  mode: 'service' | 'run-task';
  region?: string;
  cluster: string;
  service?: string;
  source: TaskDefinitionSource;
  images: ImageOverride[];
  environment: EnvironmentOverride[];
  wait: WaitMode;
  /** Unset: derived from the strategy's steps and bakes once the service is read (deployment-timeout.ts). */
  timeoutMs?: number;
  desiredCount?: number;
  forceNewDeployment: boolean;
  runTask: RunTaskInputs;
}

const CONTAINER = { pattern: /^[A-Za-z0-9_-]{1,255}$/, description: 'container' };
const CONTAINER_VARIABLE = {
  pattern: /^[A-Za-z0-9_-]{1,255}\.[A-Za-z_][A-Za-z0-9_.-]*$/,
  description: 'container.NAME',
};
const ARN_TASK_DEFINITION = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}(:\d+)?$/;

/** Reads and validates every input; no AWS call happens before this returns. */
export function getInputs(inputs: InputReader): DeployInputs {
  const mode = inputs.enumeration('mode', ['service', 'run-task'] as const, 'service');
  const cluster = inputs.string('cluster', 'default');
  const service = inputs.optional('service');
  if (mode === 'service' && service === undefined) {
    throw new ConfigurationError(
      'Input "service" is required when "mode" is service: the ECS service to deploy.',
    );
  }

  const strategyInputs = readStrategy(inputs, mode);
  const source = readSource(inputs, mode, service);
  const images = inputs.keyValueLines('images', CONTAINER).map(([container, image]) => {
    if (image === '' || /\s/.test(image))
      inputs.fail('images', 'lines of container=image-uri', `${container}=${image}`);
    return { container, image };
  });
  // A value may be a credential: errors never quote it, and values of credential-like variable
  // names (the part after "container.": a container called "key-service" proves nothing) are masked.
  const environment = inputs
    .keyValueLines('environment', CONTAINER_VARIABLE, {
      hideValues: true,
      isSecret: (key) => looksLikeCredentialName(variableName(key)),
    })
    .map(([key, value]) => ({ container: key.slice(0, key.indexOf('.')), name: variableName(key), value }));
  if (source.kind === 'arn' && (images.length > 0 || environment.length > 0)) {
    throw new ConfigurationError(
      'Input "task-definition-arn" deploys a revision unchanged, so "images" and "environment" cannot be used with it; ' +
        'use "task-definition" (a file) or neither (the current revision) to render a new revision.',
    );
  }

  const wait = readWait(inputs, strategyInputs, mode);
  const timeoutMs = inputs.duration('timeout', undefined, { min: 10_000, max: MAX_TIMEOUT_MS });
  const desiredCount = inputs.integer('desired-count', undefined, { min: 0, max: 5000 });
  const region = inputs.optional('region');
  return {
    mode,
    ...(region ? { region } : {}),
    cluster,
    ...(service ? { service } : {}),
    source,
    images,
    environment,
    ...strategyInputs,
    wait,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(desiredCount !== undefined ? { desiredCount } : {}),
    forceNewDeployment: inputs.boolean('force-new-deployment', false),
    runTask: readRunTask(inputs, mode),
  };
}

/** `container.NAME` → `NAME`. */
function variableName(key: string): string {
  return key.slice(key.indexOf('.') + 1);
}

/** The ECS client's configuration for these inputs (the region input, else the environment's). */
export function ecsClientConfig(inputs: Pick<DeployInputs, 'region'>): AwsClientConfig {
  return awsClientConfig({
    ...(inputs.region ? { region: inputs.region } : {}),
    actionName: 'ecs-deploy',
    serviceId: 'ECS',
  });
}

function readSource(inputs: InputReader, mode: string, service: string | undefined): TaskDefinitionSource {
  const file = inputs.optional('task-definition');
  const arn = inputs.optional('task-definition-arn');
  if (file !== undefined && arn !== undefined) {
    throw new ConfigurationError(
      'Inputs "task-definition" and "task-definition-arn" are exclusive: give a file to render, or the ARN of a revision to deploy unchanged.',
    );
  }
  if (file !== undefined) {
    const path = inputs.file('task-definition') ?? file;
    return {
      kind: 'file',
      path: file,
      document: parseYamlText(readFileSync(path, 'utf8'), `Input "task-definition" (file ${file})`),
    };
  }
  if (arn !== undefined) {
    if (!ARN_TASK_DEFINITION.test(arn) && !FAMILY_REVISION.test(arn)) {
      inputs.fail(
        'task-definition-arn',
        'a task definition ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION) or FAMILY:REVISION',
        arn,
      );
    }
    return { kind: 'arn', arn };
  }
  if (mode === 'run-task' && service === undefined) {
    throw new ConfigurationError(
      'With "mode: run-task", set "task-definition", "task-definition-arn", or "service" (to run the revision that service runs).',
    );
  }
  return { kind: 'current' };
}

function readStrategy(inputs: InputReader, mode: string): StrategyInputs {
  const strategy = inputs.enumeration('strategy', STRATEGIES, 'rolling');
  const only = (name: string, wanted: Strategy[]): void => {
    if (inputs.optional(name) !== undefined && !wanted.includes(strategy)) {
      throw new ConfigurationError(
        `Input "${name}" applies to strategy ${wanted.join(' or ')}, but "strategy" is ${strategy}; remove it or change the strategy.`,
      );
    }
  };
  only('canary-percent', ['canary']);
  only('canary-bake-minutes', ['canary']);
  only('linear-step-percent', ['linear']);
  only('linear-step-bake-minutes', ['linear']);
  only('bake-minutes', ['blue-green', 'canary', 'linear']);

  const canaryPercent = inputs.percent('canary-percent', undefined, { min: 0.1, max: 100 });
  if (canaryPercent !== undefined && !isTenth(canaryPercent, 0.1, 100)) {
    inputs.fail('canary-percent', 'a multiple of 0.1 from 0.1 to 100', inputs.raw('canary-percent'));
  }
  const linearStepPercent = inputs.percent('linear-step-percent', undefined, { min: 3, max: 100 });
  if (linearStepPercent !== undefined && !isTenth(linearStepPercent, 3, 100)) {
    inputs.fail('linear-step-percent', 'a multiple of 0.1 from 3 to 100', inputs.raw('linear-step-percent'));
  }
  const minutes = (name: string): number | undefined =>
    inputs.integer(name, undefined, { min: 0, max: 1440 });
  const canaryBakeMinutes = minutes('canary-bake-minutes');
  const linearStepBakeMinutes = minutes('linear-step-bake-minutes');
  const bakeMinutes = minutes('bake-minutes');

  const breakerText = inputs.optional('circuit-breaker');
  const circuitBreaker = breakerText === undefined ? undefined : inputs.boolean('circuit-breaker', true);
  if (circuitBreaker === true && strategy !== 'rolling') {
    throw new ConfigurationError(
      `Input "circuit-breaker" applies to strategy rolling; ${strategy} deployments are protected by "alarms" and by rolling back at a gate.`,
    );
  }
  const gate = inputs.enumeration('gate', ['none', 'pause'] as const, 'none');
  if (gate === 'pause' && (strategy === 'rolling' || mode === 'run-task')) {
    throw new ConfigurationError(
      `Input "gate: pause" needs strategy canary, linear or blue-green (PAUSE lifecycle hooks exist only there); "strategy" is ${strategy}${mode === 'run-task' ? ' and "mode" is run-task' : ''}.`,
    );
  }
  const alarms = inputs.list('alarms');
  for (const alarm of alarms) {
    if (alarm.length > 255) inputs.fail('alarms', 'CloudWatch alarm names of at most 255 characters', alarm);
  }
  return {
    strategy,
    ...(canaryPercent !== undefined ? { canaryPercent } : {}),
    ...(canaryBakeMinutes !== undefined ? { canaryBakeMinutes } : {}),
    ...(linearStepPercent !== undefined ? { linearStepPercent } : {}),
    ...(linearStepBakeMinutes !== undefined ? { linearStepBakeMinutes } : {}),
    ...(bakeMinutes !== undefined ? { bakeMinutes } : {}),
    alarms,
    ...(circuitBreaker !== undefined ? { circuitBreaker } : {}),
    gate,
    gateTimeoutMinutes: readGateTimeoutMinutes(inputs),
    gateTimeoutAction: inputs.enumeration(
      'gate-timeout-action',
      ['ROLLBACK', 'CONTINUE'] as const,
      'ROLLBACK',
    ),
    rollbackOnFailure: inputs.boolean('rollback-on-failure', true),
  };
}

/**
 * ECS's PAUSE hook timeout. The default is what canary-gate needs: its default max-duration (30m)
 * plus 15 minutes for its job to start and read, so an abandoned gate rolls back within the hour
 * instead of leaving production split for a day. Below the minimum not even the gate's shortest
 * judgement fits: its default min-duration (3 periods of 60 s) after the 60 s publish delay is 4
 * minutes, and its job needs about a minute to start.
 */
export const GATE_TIMEOUT = { defaultText: '45m', minMs: 5 * 60_000, maxMs: 14 * 24 * 3_600_000 };

function readGateTimeoutMinutes(inputs: InputReader): number {
  const ms = inputs.duration('gate-timeout', GATE_TIMEOUT.defaultText, { min: 1, max: GATE_TIMEOUT.maxMs });
  if (ms < GATE_TIMEOUT.minMs) {
    throw new ConfigurationError(
      `Input "gate-timeout" must be at least 5m; got ${JSON.stringify(inputs.raw('gate-timeout'))}. ` +
        "Shorter cannot fit canary-gate's shortest judgement (min-duration of 3 periods of 60 s, read 60 s after each period ends: 4 minutes) " +
        'plus a minute for its job to start, so ECS would take gate-timeout-action before anyone could answer.',
    );
  }
  if (ms % 60_000 !== 0)
    inputs.fail(
      'gate-timeout',
      'whole minutes (ECS counts the PAUSE timeout in minutes)',
      inputs.raw('gate-timeout'),
    );
  return ms / 60_000;
}

function readWait(inputs: InputReader, strategy: StrategyInputs, mode: string): WaitMode {
  const gated = strategy.gate === 'pause';
  // With a gate, the default is to return at it: waiting for the end would wait out the gate and
  // roll back a healthy deployment at the timeout.
  const text = inputs.string('wait', gated ? 'gate' : 'stable');
  const lower = text.toLowerCase();
  if (lower === 'stable' && gated) {
    throw new ConfigurationError(
      'Inputs "gate: pause" and "wait: stable" cannot be combined: the deployment stops at the gate until someone continues it, ' +
        'so waiting for it to finish would only time out and roll it back. Remove "wait" (with a gate it defaults to gate), ' +
        'or set "wait: gate" or "wait: none" and let canary-gate continue it.',
    );
  }
  if (lower === 'stable' || lower === 'none') return { kind: lower };
  if (lower === 'gate') {
    if (!gated) {
      throw new ConfigurationError('Input "wait: gate" waits for a gate pause, so it needs "gate: pause".');
    }
    return { kind: 'gate' };
  }
  const stage = LIFECYCLE_STAGES.find((name) => name === text.toUpperCase());
  if (stage === undefined) {
    return inputs.fail(
      'wait',
      `stable, none, gate or a lifecycle stage (${LIFECYCLE_STAGES.join(', ')})`,
      text,
    );
  }
  if (strategy.strategy === 'rolling' || mode === 'run-task') {
    throw new ConfigurationError(
      `Input "wait: ${stage}" waits for a lifecycle stage, which only canary, linear and blue-green deployments report; "strategy" is ${strategy.strategy}.`,
    );
  }
  if (gated && reachedStage(stage, 'PRODUCTION_TRAFFIC_SHIFT')) {
    throw new ConfigurationError(
      `Inputs "gate: pause" and "wait: ${stage}" cannot be combined: the gate stops the deployment before PRODUCTION_TRAFFIC_SHIFT, ` +
        `so ${stage} is reached only after someone continues it. Use "wait: gate", or a stage before PRODUCTION_TRAFFIC_SHIFT.`,
    );
  }
  return { kind: 'stage', stage };
}

function readRunTask(inputs: InputReader, mode: string): RunTaskInputs {
  const names = [
    'subnets',
    'security-groups',
    'assign-public-ip',
    'launch-type',
    'capacity-provider-strategy',
    'command',
    'command-container',
  ];
  if (mode !== 'run-task') {
    const given = names.filter((name) => inputs.optional(name) !== undefined);
    if (given.length > 0) {
      throw new ConfigurationError(
        `Input(s) ${given.map((name) => `"${name}"`).join(', ')} apply only to "mode: run-task".`,
      );
    }
    return { subnets: [], securityGroups: [] };
  }
  const subnets = inputs.list('subnets');
  for (const subnet of subnets)
    if (!/^subnet-[0-9a-f]+$/.test(subnet))
      inputs.fail('subnets', 'subnet IDs such as subnet-0abc123', subnet);
  const securityGroups = inputs.list('security-groups');
  for (const group of securityGroups)
    if (!/^sg-[0-9a-f]+$/.test(group))
      inputs.fail('security-groups', 'security group IDs such as sg-0abc123', group);
  const publicIp = inputs.optional('assign-public-ip');
  const networking = [
    ...(securityGroups.length > 0 ? ['"security-groups"'] : []),
    ...(publicIp !== undefined ? ['"assign-public-ip"'] : []),
  ];
  if (networking.length > 0 && subnets.length === 0) {
    throw new ConfigurationError(
      `${networking.length > 1 ? 'Inputs' : 'Input'} ${networking.join(' and ')} ${networking.length > 1 ? 'configure' : 'configures'} awsvpc networking, which needs "subnets": ` +
        'add the subnet IDs the task runs in, or remove them.',
    );
  }
  const launchType = inputs.enumeration('launch-type', [
    'FARGATE',
    'EC2',
    'EXTERNAL',
    'MANAGED_INSTANCES',
  ] as const);
  const capacityProviderStrategy = readCapacityProviders(inputs);
  if (launchType !== undefined && capacityProviderStrategy !== undefined) {
    throw new ConfigurationError(
      'Inputs "launch-type" and "capacity-provider-strategy" are exclusive; give one (or neither for the cluster default).',
    );
  }
  const command = readCommand(inputs);
  const commandContainer = inputs.optional('command-container');
  return {
    subnets,
    securityGroups,
    ...(publicIp !== undefined
      ? { assignPublicIp: inputs.boolean('assign-public-ip', false) ? 'ENABLED' : 'DISABLED' }
      : {}),
    ...(launchType ? { launchType } : {}),
    ...(capacityProviderStrategy ? { capacityProviderStrategy } : {}),
    ...(command ? { command } : {}),
    ...(commandContainer ? { commandContainer } : {}),
  };
}

/** Lines of `provider=weight` or `provider=weight:base`, e.g. FARGATE_SPOT=3 and FARGATE=1:1. */
function readCapacityProviders(inputs: InputReader): CapacityProviderStrategyItem[] | undefined {
  const form = { pattern: /^[A-Za-z0-9_-]{1,255}$/, description: 'provider' };
  const items = inputs.keyValueLines('capacity-provider-strategy', form).map(([capacityProvider, value]) => {
    const match = /^(\d+)(?::(\d+))?$/.exec(value);
    if (!match)
      return inputs.fail(
        'capacity-provider-strategy',
        'lines of provider=weight or provider=weight:base',
        `${capacityProvider}=${value}`,
      );
    return {
      capacityProvider,
      weight: Number(match[1]),
      ...(match[2] !== undefined ? { base: Number(match[2]) } : {}),
    };
  });
  return items.length > 0 ? items : undefined;
}

/** A JSON array (exact argv) or words separated by white space. */
function readCommand(inputs: InputReader): string[] | undefined {
  const text = inputs.optional('command');
  if (text === undefined) return undefined;
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return inputs.fail('command', 'a JSON array of strings or words separated by spaces', text);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((item) => typeof item === 'string')) {
      return inputs.fail('command', 'a non-empty JSON array of strings', text);
    }
    return parsed as string[];
  }
  return text.split(/\s+/).filter((word) => word !== '');
}
