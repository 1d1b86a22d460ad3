import { readFileSync } from 'node:fs';
import type { AssignPublicIp, CapacityProviderStrategyItem, LaunchType } from '@aws-sdk/client-ecs';
import { awsClientConfig, type AwsClientConfig } from '@ecs-ship/shared/aws-clients';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { parseYamlText, type InputReader } from '@ecs-ship/shared/inputs';
import { looksLikeCredentialName } from '@ecs-ship/shared/secrets';
import { isTenth } from './deployment/deployment-config-check.js';
import { readImagesFrom, type ImagesFrom } from './images-from/spec.js';
import { secretSourceOf, SECRET_REFERENCE_FORMS, type SecretSource } from './revision/secret-references.js';
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

export interface SecretOverride {
  container: string;
  name: string;
  /** A Secrets Manager or SSM reference: not secret itself, but kept out of logs and the summary. */
  valueFrom: string;
  source: SecretSource;
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

export const MODES = ['service', 'run-task', 'continue', 'resolve-images', 'validate'] as const;
export type Mode = (typeof MODES)[number];

/** What each mode reads: `getInputs` returns the one `mode` names. */
export type ActionInputs = DeployInputs | ContinueInputs | ResolveImagesInputs;

/** service and run-task, and validate, which checks offline what they would check before a change. */
export interface DeployInputs extends StrategyInputs {
  mode: 'service' | 'run-task' | 'validate';
  region?: string;
  cluster: string;
  service?: string;
  source: TaskDefinitionSource;
  images: ImageOverride[];
  /** Instead of `images`: the digests another service runs (images-from/). */
  imagesFrom?: ImagesFrom;
  environment: EnvironmentOverride[];
  secrets: SecretOverride[];
  /** container.NAME of plain-text variables known not to be secret (allow-plaintext-environment). */
  allowPlaintext: string[];
  wait: WaitMode;
  /** Unset: derived from the strategy's steps and bakes once the service is read (deployment-timeout.ts). */
  timeoutMs?: number;
  desiredCount?: number;
  forceNewDeployment: boolean;
  runTask: RunTaskInputs;
  /** validate: whether run-task inputs were given, so that their checks apply. */
  runTaskGiven: boolean;
}

/** Finishes a deployment another step left paused (deployment/continue.ts). */
export interface ContinueInputs {
  mode: 'continue';
  region?: string;
  cluster: string;
  service: string;
  deploymentArn: string;
  answer: 'continue' | 'rollback';
  wait: WaitMode;
  timeoutMs?: number;
  rollbackOnFailure: boolean;
}

/** Only the resolution of images-from: changes nothing. */
export interface ResolveImagesInputs {
  mode: 'resolve-images';
  region?: string;
  imagesFrom: ImagesFrom;
}

const CONTAINER = { pattern: /^[A-Za-z0-9_-]{1,255}$/, description: 'container' };
const CONTAINER_VARIABLE = {
  pattern: /^[A-Za-z0-9_-]{1,255}\.[A-Za-z_][A-Za-z0-9_.-]*$/,
  description: 'container.NAME',
};
const ARN_TASK_DEFINITION = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}(:\d+)?$/;

/** Reads and validates every input; no AWS call happens before this returns. */
export function getInputs(inputs: InputReader): ActionInputs {
  const mode = inputs.enumeration('mode', MODES, 'service');
  refuseInputsOfOtherModes(inputs, mode);
  if (mode === 'continue') return readContinue(inputs);
  if (mode === 'resolve-images') {
    const imagesFrom = readImagesFrom(inputs);
    if (imagesFrom === undefined)
      throw new ConfigurationError(
        'Input "images-from" is required when "mode" is resolve-images: the service whose running images to resolve, as cluster/service.',
      );
    const region = inputs.optional('region');
    return { mode, ...(region ? { region } : {}), imagesFrom };
  }
  return readDeploy(inputs, mode);
}

function readDeploy(inputs: InputReader, mode: DeployInputs['mode']): DeployInputs {
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
  const imagesFrom = readImagesFrom(inputs);
  if (imagesFrom !== undefined && images.length > 0) {
    throw new ConfigurationError(
      'Inputs "images" and "images-from" are exclusive: give the images, or the service whose running images to take.',
    );
  }
  // A value may be a credential: errors never quote it, and values of credential-like variable
  // names (the part after "container.": a container called "key-service" proves nothing) are masked.
  const environment = inputs
    .keyValueLines('environment', CONTAINER_VARIABLE, {
      hideValues: true,
      isSecret: (key) => looksLikeCredentialName(variableName(key)),
    })
    .map(([key, value]) => ({ container: containerOf(key), name: variableName(key), value }));
  const secrets = readSecrets(inputs);
  const allowPlaintext = inputs.list('allow-plaintext-environment');
  for (const key of allowPlaintext)
    if (!CONTAINER_VARIABLE.pattern.test(key))
      inputs.fail('allow-plaintext-environment', 'lines of container.NAME (no values)', key);
  if (source.kind === 'arn') {
    const rendering = [
      ...(images.length > 0 ? ['"images"'] : []),
      ...(imagesFrom ? ['"images-from"'] : []),
      ...(environment.length > 0 ? ['"environment"'] : []),
      ...(secrets.length > 0 ? ['"secrets"'] : []),
    ];
    if (rendering.length > 0)
      throw new ConfigurationError(
        `Input "task-definition-arn" deploys a revision unchanged, so ${rendering.join(', ')} cannot be used with it; ` +
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
    ...(imagesFrom ? { imagesFrom } : {}),
    environment,
    secrets,
    allowPlaintext,
    ...strategyInputs,
    wait,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(desiredCount !== undefined ? { desiredCount } : {}),
    forceNewDeployment: inputs.boolean('force-new-deployment', false),
    runTask: readRunTask(inputs, mode),
    runTaskGiven: RUN_TASK_INPUTS.some((name) => inputs.optional(name) !== undefined),
  };
}

/**
 * Lines of `container.NAME=valueFrom`. A value that is none of the reference forms may be a pasted
 * secret value, so it is never quoted back.
 */
function readSecrets(inputs: InputReader): SecretOverride[] {
  const secrets = inputs
    .keyValueLines('secrets', CONTAINER_VARIABLE, { hideValues: true })
    .map(([key, valueFrom]) => {
      const source = secretSourceOf(valueFrom);
      if (source === undefined) {
        throw new ConfigurationError(
          `Input "secrets": ${key} must be ${SECRET_REFERENCE_FORMS}; its value is none of these (not shown: it could be a secret pasted by mistake).`,
        );
      }
      return { container: containerOf(key), name: variableName(key), valueFrom, source };
    });
  return secrets;
}

/**
 * Inputs that mean something in other modes only are refused rather than silently ignored. Inputs
 * with an action.yml default are always given by the runner, so those count only when they differ
 * from it.
 */
function refuseInputsOfOtherModes(inputs: InputReader, mode: Mode): void {
  const applies = MODE_INPUTS[mode];
  if (applies === 'all-but-continue') {
    const given = CONTINUE_ONLY_INPUTS.filter((name) => givenOtherThanDefault(inputs, name));
    if (given.length > 0)
      throw new ConfigurationError(
        `Input(s) ${given.map((name) => `"${name}"`).join(', ')} apply only to "mode: continue".`,
      );
    return;
  }
  const given = ACTION_INPUTS.filter(
    (name) => !applies.includes(name) && givenOtherThanDefault(inputs, name),
  );
  if (given.length > 0) {
    throw new ConfigurationError(
      `Input(s) ${given.map((name) => `"${name}"`).join(', ')} do not apply to "mode: ${mode}", which reads only ${applies.map((name) => `"${name}"`).join(', ')}.`,
    );
  }
}

function givenOtherThanDefault(inputs: InputReader, name: string): boolean {
  const value = inputs.optional(name);
  if (value === undefined) return false;
  const fallback = INPUT_DEFAULTS[name];
  return fallback === undefined || value.toLowerCase() !== fallback.toLowerCase();
}

/** The action.yml defaults (a test keeps them equal to action.yml's). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  cluster: 'default',
  mode: 'service',
  strategy: 'rolling',
  gate: 'none',
  'gate-timeout-action': 'ROLLBACK',
  'rollback-on-failure': 'true',
  'force-new-deployment': 'false',
  answer: 'continue',
};

/** Every input of action.yml (a test keeps the list equal to action.yml's). */
export const ACTION_INPUTS = [
  'cluster',
  'service',
  'region',
  'mode',
  'task-definition',
  'task-definition-arn',
  'images',
  'images-from',
  'images-from-role',
  'images-from-region',
  'environment',
  'secrets',
  'allow-plaintext-environment',
  'strategy',
  'canary-percent',
  'canary-bake-minutes',
  'linear-step-percent',
  'linear-step-bake-minutes',
  'bake-minutes',
  'alarms',
  'circuit-breaker',
  'gate',
  'gate-timeout',
  'gate-timeout-action',
  'wait',
  'timeout',
  'rollback-on-failure',
  'desired-count',
  'force-new-deployment',
  'subnets',
  'security-groups',
  'assign-public-ip',
  'launch-type',
  'capacity-provider-strategy',
  'command',
  'command-container',
  'service-deployment-arn',
  'answer',
] as const;

const CONTINUE_ONLY_INPUTS = ['service-deployment-arn', 'answer'] as const;

const MODE_INPUTS: Record<Mode, readonly string[] | 'all-but-continue'> = {
  service: 'all-but-continue',
  'run-task': 'all-but-continue',
  validate: 'all-but-continue',
  continue: [
    'mode',
    'cluster',
    'service',
    'region',
    'service-deployment-arn',
    'answer',
    'wait',
    'timeout',
    'rollback-on-failure',
  ],
  'resolve-images': ['mode', 'region', 'images-from', 'images-from-role', 'images-from-region'],
};

const SERVICE_DEPLOYMENT_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\/[A-Za-z0-9_-]+$/;

/**
 * mode continue. The deployment's ARN names its cluster and service, so both may be left out; when
 * given, they must be the ones it names (a copy-paste from another job's outputs fails here, not
 * after an answer went to the wrong deployment).
 */
function readContinue(inputs: InputReader): ContinueInputs {
  const deploymentArn = inputs.required('service-deployment-arn');
  const match = SERVICE_DEPLOYMENT_ARN.exec(deploymentArn);
  if (!match) {
    return inputs.fail(
      'service-deployment-arn',
      'a service deployment ARN (arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID), as ecs-deploy outputs it',
      deploymentArn,
    );
  }
  const [, clusterOfArn = '', serviceOfArn = ''] = match;
  const nameOf = (value: string) => value.slice(value.lastIndexOf('/') + 1);
  const cluster = inputs.optional('cluster');
  if (cluster !== undefined && cluster !== INPUT_DEFAULTS.cluster && nameOf(cluster) !== clusterOfArn) {
    throw new ConfigurationError(
      `Input "cluster" is ${JSON.stringify(cluster)}, but "service-deployment-arn" is a deployment in cluster "${clusterOfArn}"; leave "cluster" out or make them agree.`,
    );
  }
  const service = inputs.optional('service');
  if (service !== undefined && nameOf(service) !== serviceOfArn) {
    throw new ConfigurationError(
      `Input "service" is ${JSON.stringify(service)}, but "service-deployment-arn" is a deployment of service "${serviceOfArn}"; leave "service" out or make them agree.`,
    );
  }
  const text = inputs.string('wait', 'stable');
  let wait: WaitMode;
  if (text.toLowerCase() === 'stable') wait = { kind: 'stable' };
  else {
    const stage = LIFECYCLE_STAGES.find((name) => name === text.toUpperCase());
    if (stage === undefined) {
      return inputs.fail(
        'wait',
        `stable or a lifecycle stage (${LIFECYCLE_STAGES.join(', ')}) with "mode: continue", which answers every pause of the deployment and so has no gate to stop at, and waits at least until ECS confirmed its answer`,
        text,
      );
    }
    wait = { kind: 'stage', stage };
  }
  const timeoutMs = inputs.duration('timeout', undefined, { min: 10_000, max: MAX_TIMEOUT_MS });
  const region = inputs.optional('region');
  return {
    mode: 'continue',
    ...(region ? { region } : {}),
    cluster: clusterOfArn,
    service: serviceOfArn,
    deploymentArn,
    answer: inputs.enumeration('answer', ['continue', 'rollback'] as const, 'continue'),
    wait,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    rollbackOnFailure: inputs.boolean('rollback-on-failure', true),
  };
}

function containerOf(key: string): string {
  return key.slice(0, key.indexOf('.'));
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
  if (mode === 'validate' && file === undefined) {
    throw new ConfigurationError(
      'Input "task-definition" is required when "mode" is validate: the task definition file to check (validate makes no AWS call, so a revision in ECS cannot be read).',
    );
  }
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

const RUN_TASK_INPUTS = [
  'subnets',
  'security-groups',
  'assign-public-ip',
  'launch-type',
  'capacity-provider-strategy',
  'command',
  'command-container',
];

function readRunTask(inputs: InputReader, mode: string): RunTaskInputs {
  if (mode === 'service') {
    const given = RUN_TASK_INPUTS.filter((name) => inputs.optional(name) !== undefined);
    if (given.length > 0) {
      throw new ConfigurationError(
        `Input(s) ${given.map((name) => `"${name}"`).join(', ')} apply only to "mode: run-task" (and are checked by "mode: validate").`,
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
