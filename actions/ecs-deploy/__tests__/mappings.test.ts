import type { DeploymentConfiguration, Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { InputReader } from '@ecs-ship/shared/inputs';
import { SecretRegistry } from '@ecs-ship/shared/secrets';
import {
  buildDeploymentConfiguration,
  rollbackConfiguration,
  sameDeploymentConfiguration,
} from '../src/deployment/deployment-config.js';
import { checkDeploymentConfiguration } from '../src/deployment/deployment-config-check.js';
import { resolveTimeout, timeoutPlan } from '../src/deployment/deployment-timeout.js';
import { getInputs } from '../src/inputs.js';
import type { DeployInputs, Strategy } from '../src/inputs.js';
import { checkStrategy } from '../src/preflight.js';
import { describeChanges, snapshotOf, type Observation } from '../src/deployment/progress-log.js';
import { renderTaskDefinition, type Overrides } from '../src/revision/render.js';
import { fromDescribed, sameTaskDefinition, toRegistrable } from '../src/revision/task-definition.js';
import { reachedStage, type LifecycleStage } from '../src/deployment/stages.js';
import { decide, type WatchTarget } from '../src/deployment/watch.js';
import {
  currentTaskDefinition,
  readInputs,
  serviceShape,
  trafficShiftingService,
} from './__fixtures__/lifecycle.js';

const strategyOf = (values: Record<string, string>) =>
  readInputs({ cluster: 'prod', service: 'web', ...values });
const overrides = (given: Partial<Overrides>): Overrides => ({
  images: [],
  environment: [],
  secrets: [],
  allowPlaintext: [],
  ...given,
});

describe('inputs → deploymentConfiguration', () => {
  it.each([
    [{}, { strategy: 'ROLLING', deploymentCircuitBreaker: { enable: true, rollback: true } }],
    [
      { 'circuit-breaker': 'false' },
      { strategy: 'ROLLING', deploymentCircuitBreaker: { enable: false, rollback: false } },
    ],
    [
      { 'rollback-on-failure': 'false' },
      { strategy: 'ROLLING', deploymentCircuitBreaker: { enable: true, rollback: false } },
    ],
    [
      { strategy: 'canary' },
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 } },
    ],
    [
      { strategy: 'canary', 'canary-percent': '2.5%', 'canary-bake-minutes': '15', 'bake-minutes': '3' },
      {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 2.5, canaryBakeTimeInMinutes: 15 },
        bakeTimeInMinutes: 3,
      },
    ],
    [
      { strategy: 'linear' },
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 } },
    ],
    [{ strategy: 'blue-green' }, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }],
    [
      { strategy: 'blue-green', 'bake-minutes': '0' },
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
    ],
    [
      {
        strategy: 'blue-green',
        alarms: 'a\nb',
        gate: 'pause',
        'gate-timeout': '2h',
        'gate-timeout-action': 'CONTINUE',
      },
      {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 5,
        alarms: { alarmNames: ['a', 'b'], enable: true, rollback: true },
        lifecycleHooks: [
          {
            targetType: 'PAUSE',
            lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
            timeoutConfiguration: { timeoutInMinutes: 120, action: 'CONTINUE' },
          },
        ],
      },
    ],
  ])('%j', (values, expected) => {
    const config = buildDeploymentConfiguration(strategyOf(values));
    expect(config).toEqual(expected);
  });

  it('keeps what it does not manage, replaces its own PAUSE hook and drops the other strategy settings', () => {
    const lambdaHook = {
      targetType: 'AWS_LAMBDA' as const,
      hookTargetArn: 'arn:aws:lambda:us-east-1:1:function:smoke',
      roleArn: 'arn:aws:iam::1:role/hooks',
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
    };
    const config = buildDeploymentConfiguration(strategyOf({ strategy: 'linear' }), {
      maximumPercent: 150,
      minimumHealthyPercent: 50,
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 1 },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      lifecycleHooks: [
        lambdaHook,
        { targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'] },
      ],
    });
    expect(config).toEqual({
      maximumPercent: 150,
      minimumHealthyPercent: 50,
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 },
      lifecycleHooks: [lambdaHook],
    });
  });
});

describe('deploymentConfiguration comparison and rollback', () => {
  const pause = {
    targetType: 'PAUSE' as const,
    lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT' as const],
  };
  it.each([
    [
      'the same, in another key order',
      { strategy: 'ROLLING' as const, maximumPercent: 200 },
      { maximumPercent: 200, strategy: 'ROLLING' as const },
      true,
    ],
    [
      'alarm names in another order',
      { alarms: { alarmNames: ['a', 'b'], enable: true, rollback: true } },
      { alarms: { alarmNames: ['b', 'a'], enable: true, rollback: true } },
      true,
    ],
    [
      'rolling with a bake time ECS reports',
      { strategy: 'ROLLING' as const },
      { strategy: 'ROLLING' as const, bakeTimeInMinutes: 0, lifecycleHooks: [] },
      true,
    ],
    ['another strategy', { strategy: 'CANARY' as const }, { strategy: 'ROLLING' as const }, false],
    [
      'a gate added',
      { strategy: 'CANARY' as const, lifecycleHooks: [pause] },
      { strategy: 'CANARY' as const },
      false,
    ],
    [
      'the circuit breaker switched on',
      { deploymentCircuitBreaker: { enable: true, rollback: true } },
      { deploymentCircuitBreaker: { enable: false, rollback: false } },
      false,
    ],
  ])('%s', (_name, a, b, same) => {
    expect(sameDeploymentConfiguration(a, b)).toBe(same);
  });

  it('an unchanged revision with the same inputs asks for nothing new', () => {
    const inputs = strategyOf({ strategy: 'canary', gate: 'pause', alarms: 'a' });
    const current = buildDeploymentConfiguration(
      inputs,
      trafficShiftingService('CANARY').deploymentConfiguration,
    );
    expect(sameDeploymentConfiguration(buildDeploymentConfiguration(inputs, current), current)).toBe(true);
  });

  it('gate none removes our PAUSE hook with an empty list, and a rollback drops every PAUSE hook', () => {
    const gated = buildDeploymentConfiguration(
      strategyOf({ strategy: 'canary', gate: 'pause' }),
      trafficShiftingService('CANARY').deploymentConfiguration,
    );
    expect(gated.lifecycleHooks).toHaveLength(1);
    expect(buildDeploymentConfiguration(strategyOf({ strategy: 'canary' }), gated).lifecycleHooks).toEqual(
      [],
    );
    expect(rollbackConfiguration(gated)).toEqual({ ...gated, lifecycleHooks: [] });
  });
});

describe('decide', () => {
  const target: WatchTarget = {
    cluster: 'prod',
    service: 'web',
    taskDefinitionArn: 'td:2',
    strategy: 'canary',
  };
  const observation = (lifecycleStage: string): Observation => ({
    at: 0,
    deployment: {
      status: 'IN_PROGRESS',
      lifecycleStage: lifecycleStage as never,
      lifecycleHookDetails: [{ hookId: 'h1', status: 'AWAITING_ACTION' }],
    },
  });
  it.each([
    [
      'a hook nobody in this run continues, waiting for the end',
      { kind: 'stable' as const },
      () => false,
      { outcome: 'paused', hookId: 'h1' },
    ],
    ['a hook the watch continues itself', { kind: 'gate' as const }, () => true, { outcome: 'in-progress' }],
    [
      'a hook at the stage waited for',
      { kind: 'stage' as const, stage: 'POST_TEST_TRAFFIC_SHIFT' as const },
      () => true,
      { outcome: 'paused', hookId: 'h1' },
    ],
    [
      'a hook before the stage waited for',
      { kind: 'stage' as const, stage: 'BAKE_TIME' as const },
      () => false,
      { outcome: 'paused', hookId: 'h1' },
    ],
  ])('%s', (_name, wait, continuedByUs, expected) => {
    expect(decide(observation('POST_TEST_TRAFFIC_SHIFT'), target, wait, continuedByUs)).toEqual(expected);
  });
});

describe('lifecycle stages', () => {
  it.each<[string, LifecycleStage, boolean]>([
    ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', true],
    ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', false],
    ['PRODUCTION_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', true],
    ['SCALE_UP', 'POST_SCALE_UP', false],
  ])(
    '%s has reached %s: %s (a pause may report PRE_PRODUCTION_TRAFFIC_SHIFT)',
    (current, wanted, reached) => {
      expect(reachedStage(current, wanted)).toBe(reached);
    },
  );
});

describe('inputs are validated with what was expected and what was given', () => {
  it.each([
    [{ service: '' }, 'Input "service" is required'],
    [
      { strategy: 'bluegreen' },
      'Input "strategy" must be one of rolling, canary, linear, blue-green; got "bluegreen".',
    ],
    [
      { strategy: 'canary', 'canary-percent': '0.05' },
      'Input "canary-percent" must be a percentage from 0.1 to 100',
    ],
    [{ strategy: 'canary', 'canary-percent': '2.55' }, 'a multiple of 0.1'],
    [
      { strategy: 'linear', 'linear-step-percent': '2' },
      'Input "linear-step-percent" must be a percentage from 3 to 100',
    ],
    [
      { 'canary-percent': '5' },
      'Input "canary-percent" applies to strategy canary, but "strategy" is rolling',
    ],
    [{ strategy: 'canary', 'canary-bake-minutes': '1441' }, 'from 0 to 1440'],
    [{ gate: 'pause' }, 'Input "gate: pause" needs strategy canary, linear or blue-green'],
    [{ wait: 'gate', strategy: 'canary' }, 'needs "gate: pause"'],
    [
      { strategy: 'canary', gate: 'pause', wait: 'stable' },
      'Inputs "gate: pause" and "wait: stable" cannot be combined',
    ],
    [
      { strategy: 'linear', gate: 'pause', wait: 'PRODUCTION_TRAFFIC_SHIFT' },
      'Inputs "gate: pause" and "wait: PRODUCTION_TRAFFIC_SHIFT" cannot be combined',
    ],
    [
      { strategy: 'blue-green', gate: 'pause', wait: 'bake_time' },
      'Inputs "gate: pause" and "wait: BAKE_TIME" cannot be combined',
    ],
    [
      { mode: 'run-task', 'assign-public-ip': 'true' },
      'Input "assign-public-ip" configures awsvpc networking, which needs "subnets"',
    ],
    [{ wait: 'soon' }, 'Input "wait" must be stable, none, gate or a lifecycle stage'],
    [{ wait: 'BAKE_TIME' }, 'only canary, linear and blue-green deployments report'],
    [{ timeout: '5' }, 'Input "timeout" must be a duration'],
    [{ images: 'app' }, 'Input "images" must be lines of container=value'],
    [{ environment: 'LOG_LEVEL=debug' }, 'Input "environment" must be lines of container.NAME=value'],
    [
      {
        'task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
        images: 'app=x:1',
      },
      'deploys a revision unchanged',
    ],
    [{ 'task-definition-arn': 'not an arn' }, 'Input "task-definition-arn" must be a task definition ARN'],
    [{ 'task-definition': 'missing.json' }, 'Input "task-definition" must be the path of an existing file'],
    [{ subnets: 'subnet-1' }, 'apply only to "mode: run-task"'],
    [
      { mode: 'run-task', 'launch-type': 'FARGATE', 'capacity-provider-strategy': 'FARGATE_SPOT=1' },
      'are exclusive',
    ],
    [{ mode: 'run-task', subnets: 'sub-1' }, 'Input "subnets" must be subnet IDs'],
    [{ mode: 'run-task', command: '[1,2]' }, 'a non-empty JSON array of strings'],
    [
      { strategy: 'canary', 'circuit-breaker': 'true' },
      'Input "circuit-breaker" applies to strategy rolling',
    ],
  ])('%j', (values, message) => {
    expect(() => strategyOf(values)).toThrow(ConfigurationError);
    expect(() => strategyOf(values)).toThrow(message);
  });

  it.each([
    [{ strategy: 'canary', gate: 'pause' }, { kind: 'gate' }],
    [{ strategy: 'canary' }, { kind: 'stable' }],
    [{ strategy: 'blue-green', gate: 'pause', wait: 'none' }, { kind: 'none' }],
    [
      { strategy: 'blue-green', gate: 'pause', wait: 'post_test_traffic_shift' },
      { kind: 'stage', stage: 'POST_TEST_TRAFFIC_SHIFT' },
    ],
  ])('wait for %j is %j', (values, wait) => {
    expect(strategyOf(values).wait).toEqual(wait);
  });

  it('never quotes an environment value in an error, and masks values of credential-like names only', () => {
    const read = (environment: string) => {
      const secrets = new SecretRegistry();
      const reader = new InputReader(
        (name) => ({ cluster: 'prod', service: 'web', environment })[name] ?? '',
        {
          secrets,
        },
      );
      return { secrets, read: () => getInputs(reader) as DeployInputs };
    };
    const malformed = read('app.DB URL=postgres://admin:hunter22@db');
    expect(malformed.read).toThrow('Input "environment" must be lines of container.NAME=value');
    expect(malformed.read).not.toThrow('hunter22');

    const named = read(
      'api-key-service.LOG_LEVEL=debug-verbose\napp.API_TOKEN=tok-1234\napp.STRIPE_KEY=sk_live_99',
    );
    expect(named.read().environment.map((variable) => variable.name)).toEqual([
      'LOG_LEVEL',
      'API_TOKEN',
      'STRIPE_KEY',
    ]);
    expect(named.secrets.has('tok-1234')).toBe(true);
    expect(named.secrets.has('sk_live_99')).toBe(true);
    // "key" is in the container's name, not the variable's.
    expect(named.secrets.has('debug-verbose')).toBe(false);
  });

  it('reads run-task inputs', () => {
    const inputs = readInputs({
      mode: 'run-task',
      'task-definition-arn': 'web:42',
      subnets: 'subnet-0a1, subnet-0b2',
      'security-groups': 'sg-0c3',
      'assign-public-ip': 'false',
      'capacity-provider-strategy': 'FARGATE_SPOT=3\nFARGATE=1:1',
      command: '["npm", "run", "migrate"]',
    });
    expect(inputs.runTask).toEqual({
      subnets: ['subnet-0a1', 'subnet-0b2'],
      securityGroups: ['sg-0c3'],
      assignPublicIp: 'DISABLED',
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ],
      command: ['npm', 'run', 'migrate'],
    });
  });
});

describe('describe-task-definition output → registrable task definition', () => {
  const described = {
    taskDefinition: JSON.parse(JSON.stringify(currentTaskDefinition)) as object,
    tags: [{ key: 'team', value: 'web' }],
  };
  it.each([
    ['the describe output with its wrapper', described],
    ['the bare task definition', described.taskDefinition],
  ])('%s', (_name, document) => {
    const registrable = toRegistrable(document, 'file');
    expect(Object.keys(registrable).sort()).toEqual([
      'containerDefinitions',
      'cpu',
      'executionRoleArn',
      'family',
      'memory',
      'networkMode',
      'requiresCompatibilities',
    ]);
    expect(registrable).not.toHaveProperty('revision');
    expect(registrable).not.toHaveProperty('tags');
  });

  it.each([
    [[], 'must be a task definition (a map)'],
    [{ family: 'web' }, '"containerDefinitions" must be a non-empty list'],
    [{ family: 'web app', containerDefinitions: [{ name: 'a', image: 'b' }] }, '"family" must be a name'],
    [
      { family: 'web', containerDefinitions: [{ name: 'a' }] },
      'containerDefinitions[0]: "image" must be a non-empty string',
    ],
    [
      {
        family: 'web',
        containerDefinitions: [
          { name: 'a', image: 'b' },
          { name: 'a', image: 'c' },
        ],
      },
      'appears twice',
    ],
    [{ family: 'web', containerDefinition: [] }, 'unknown field "containerDefinition"'],
  ])('refuses %j', (document, message) => {
    expect(() => toRegistrable(document, 'file')).toThrow(message);
  });

  it('compares revisions by what ECS stores, not by defaults and order', () => {
    const registered = fromDescribed(currentTaskDefinition);
    const written = toRegistrable(
      {
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: 256,
        memory: 512,
        executionRoleArn: currentTaskDefinition.executionRoleArn,
        containerDefinitions: [
          {
            name: 'app',
            image: currentTaskDefinition.containerDefinitions?.[0]?.image,
            portMappings: [{ containerPort: 8080 }],
            secrets: currentTaskDefinition.containerDefinitions?.[0]?.secrets,
            environment: [{ name: 'LOG_LEVEL', value: 'info' }],
          },
        ],
      },
      'file',
    );
    expect(sameTaskDefinition(written, registered)).toBe(true);
    const changed = renderTaskDefinition(
      written,
      overrides({ environment: [{ container: 'app', name: 'LOG_LEVEL', value: 'debug' }] }),
    );
    expect(sameTaskDefinition(changed.taskDefinition, registered)).toBe(false);
  });
});

describe('rendering images and environment', () => {
  const registrable = fromDescribed(currentTaskDefinition);
  it('replaces images (a digest stays pinned) and sets variables, reporting names only', () => {
    const pinned = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:' + 'a'.repeat(64);
    const rendered = renderTaskDefinition(
      registrable,
      overrides({
        images: [{ container: 'app', image: pinned }],
        environment: [
          { container: 'app', name: 'LOG_LEVEL', value: 'debug' },
          { container: 'app', name: 'FEATURE_X', value: 's3cr3t-value' },
        ],
      }),
    );
    expect(rendered.taskDefinition.containerDefinitions[0]?.image).toBe(pinned);
    expect(rendered.taskDefinition.containerDefinitions[0]?.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'FEATURE_X', value: 's3cr3t-value' },
    ]);
    expect(rendered.environment).toEqual([{ container: 'app', names: ['LOG_LEVEL', 'FEATURE_X'] }]);
    expect(JSON.stringify(rendered.images) + JSON.stringify(rendered.environment)).not.toContain('s3cr3t');
    expect(registrable.containerDefinitions[0]?.environment).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
  });

  it.each([
    [
      [{ container: 'worker', image: 'x:1' }],
      [],
      'Input "images" names container "worker", which task definition family "web" does not have; its containers are "app".',
    ],
    [[], [{ container: 'app', name: 'DB_PASSWORD', value: 'x' }], 'already takes from "secrets"'],
  ])('refuses %j %j', (images, environment, message) => {
    expect(() => renderTaskDefinition(registrable, overrides({ images, environment }))).toThrow(message);
  });
});

describe('strategy preflight', () => {
  it.each<[Strategy, Service, string | undefined]>([
    ['rolling', serviceShape(), undefined],
    ['canary', trafficShiftingService('CANARY'), undefined],
    ['canary', serviceShape(), 'the service has no load balancer'],
    [
      'blue-green',
      serviceShape({ loadBalancers: [{ targetGroupArn: 'tg', containerName: 'app', containerPort: 80 }] }),
      'has no advancedConfiguration',
    ],
    [
      'rolling',
      serviceShape({ deploymentController: { type: 'CODE_DEPLOY' } }),
      'uses the CODE_DEPLOY deployment controller',
    ],
    [
      'linear',
      serviceShape({ deploymentController: { type: 'EXTERNAL' } }),
      'EXTERNAL services are deployed through task sets',
    ],
  ])('%s on %#', (strategy, service, message) => {
    if (message === undefined) expect(() => checkStrategy(service, strategy, false)).not.toThrow();
    else expect(() => checkStrategy(service, strategy, false)).toThrow(message);
  });
});

describe('progress log', () => {
  it('logs only what changed', () => {
    const first = snapshotOf({
      at: 0,
      deployment: {
        status: 'IN_PROGRESS',
        lifecycleStage: 'SCALE_UP',
        targetServiceRevision: {
          arn: 'a/r/9',
          runningTaskCount: 0,
          pendingTaskCount: 2,
          requestedTaskCount: 2,
        },
      },
    });
    const same = snapshotOf({
      at: 1,
      deployment: {
        status: 'IN_PROGRESS',
        lifecycleStage: 'SCALE_UP',
        targetServiceRevision: {
          arn: 'a/r/9',
          runningTaskCount: 0,
          pendingTaskCount: 2,
          requestedTaskCount: 2,
        },
      },
    });
    const next = snapshotOf({
      at: 2,
      deployment: {
        status: 'IN_PROGRESS',
        lifecycleStage: 'POST_SCALE_UP',
        targetServiceRevision: {
          arn: 'a/r/9',
          runningTaskCount: 2,
          pendingTaskCount: 0,
          requestedTaskCount: 2,
        },
      },
    });
    expect(describeChanges(undefined, first)).toEqual([
      'status IN_PROGRESS',
      'stage SCALE_UP',
      'new revision 9: running 0, pending 2, desired 2',
    ]);
    expect(describeChanges(first, same)).toEqual([]);
    expect(describeChanges(same, next)).toEqual([
      'stage SCALE_UP → POST_SCALE_UP',
      'new revision 9: running 2, pending 0, desired 2',
    ]);
  });
});

describe('issue #8: the merge keeps what no input asks to change (item 6)', () => {
  const approval = {
    targetType: 'PAUSE' as const,
    lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
    timeoutConfiguration: { timeoutInMinutes: 120, action: 'ROLLBACK' as const },
  };
  const ourGate = {
    targetType: 'PAUSE' as const,
    lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT' as const],
    timeoutConfiguration: { timeoutInMinutes: 45, action: 'ROLLBACK' as const },
  };

  it("keeps the circuit breaker's thresholdConfiguration and resetOnHealthyTask", () => {
    const config = buildDeploymentConfiguration(strategyOf({}), {
      strategy: 'ROLLING',
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        resetOnHealthyTask: false,
        thresholdConfiguration: { type: 'COUNT', value: 3 },
      },
    });
    expect(config.deploymentCircuitBreaker).toEqual({
      enable: true,
      rollback: true,
      resetOnHealthyTask: false,
      thresholdConfiguration: { type: 'COUNT', value: 3 },
    });
  });

  it.each([
    ['gate: pause adds ours beside the user approval hook', { gate: 'pause' }, [approval, ourGate]],
    ['gate: none removes only ours', {}, [approval]],
  ])('%s', (_name, values, hooks) => {
    const config = buildDeploymentConfiguration(strategyOf({ strategy: 'canary', ...values }), {
      strategy: 'CANARY',
      lifecycleHooks: [approval, ourGate],
    });
    expect(config.lifecycleHooks).toEqual(hooks);
  });

  it('keeps canary and linear settings the service has; an input overrides field by field', () => {
    const current = {
      strategy: 'LINEAR' as const,
      linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: 15 },
      canaryConfiguration: { canaryPercent: 2, canaryBakeTimeInMinutes: 30 },
      bakeTimeInMinutes: 8,
    };
    expect(buildDeploymentConfiguration(strategyOf({ strategy: 'linear' }), current)).toMatchObject({
      linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: 15 },
      bakeTimeInMinutes: 8,
    });
    expect(
      buildDeploymentConfiguration(
        strategyOf({ strategy: 'linear', 'linear-step-bake-minutes': '3' }),
        current,
      ).linearConfiguration,
    ).toEqual({ stepPercent: 20, stepBakeTimeInMinutes: 3 });
    const canary = buildDeploymentConfiguration(
      strategyOf({ strategy: 'canary', 'canary-percent': '10' }),
      current,
    );
    expect(canary.canaryConfiguration).toEqual({ canaryPercent: 10, canaryBakeTimeInMinutes: 30 });
    expect(canary.linearConfiguration).toBeUndefined();
  });

  it('drops rolling-only earlySuccessCriteria and the circuit breaker for the other strategies', () => {
    const config = buildDeploymentConfiguration(strategyOf({ strategy: 'blue-green' }), {
      strategy: 'ROLLING',
      earlySuccessCriteria: { enable: true, healthyPercent: 50, sourceServiceRevisionCleanup: 'DEFERRED' },
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(config.earlySuccessCriteria).toBeUndefined();
    expect(config.deploymentCircuitBreaker).toBeUndefined();
    expect(
      buildDeploymentConfiguration(strategyOf({}), {
        earlySuccessCriteria: { enable: true, healthyPercent: 50, sourceServiceRevisionCleanup: 'DEFERRED' },
      }).earlySuccessCriteria,
    ).toEqual({ enable: true, healthyPercent: 50, sourceServiceRevisionCleanup: 'DEFERRED' });
  });

  it.each([
    [
      'hooks ECS echoes with their default timeout, in another order',
      {
        strategy: 'CANARY' as const,
        lifecycleHooks: [ourGate, { ...approval, timeoutConfiguration: undefined }],
      },
      {
        strategy: 'CANARY' as const,
        lifecycleHooks: [
          { ...approval, timeoutConfiguration: { timeoutInMinutes: 1440, action: 'ROLLBACK' as const } },
          ourGate,
        ],
      },
      true,
    ],
    [
      'a canary configuration left out and one at ECS defaults',
      { strategy: 'CANARY' as const },
      { strategy: 'CANARY' as const, canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 } },
      true,
    ],
    [
      'a disabled breaker ECS reports for a canary service',
      { strategy: 'CANARY' as const },
      { strategy: 'CANARY' as const, deploymentCircuitBreaker: { enable: false, rollback: false } },
      true,
    ],
    [
      'resetOnHealthyTask left out and true',
      { deploymentCircuitBreaker: { enable: true, rollback: true } },
      { deploymentCircuitBreaker: { enable: true, rollback: true, resetOnHealthyTask: true } },
      true,
    ],
    [
      'another threshold',
      {
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          thresholdConfiguration: { type: 'COUNT' as const, value: 3 },
        },
      },
      { deploymentCircuitBreaker: { enable: true, rollback: true } },
      false,
    ],
  ])('the same configuration? %s', (_name, a, b, same) => {
    expect(sameDeploymentConfiguration(a, b)).toBe(same);
  });

  it("a rollback by update drops only the action's gate, not the user's hooks", () => {
    expect(
      rollbackConfiguration({ strategy: 'CANARY', lifecycleHooks: [approval, ourGate] }).lifecycleHooks,
    ).toEqual([approval]);
  });

  it.each([
    [
      { strategy: 'linear', 'linear-step-percent': '3.05' },
      undefined,
      'Input "linear-step-percent" must be a multiple of 0.1 from 3 to 100; got "3.05".',
    ],
    [
      { strategy: 'linear' },
      { strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 2.5 } },
      `The value of service "web"'s deploymentConfiguration.linearConfiguration.stepPercent (set outside this action) must be a multiple of 0.1 from 3 to 100; it is 2.5. Set input "linear-step-percent" to override it.`,
    ],
    [
      { strategy: 'canary' },
      { strategy: 'CANARY' as const, bakeTimeInMinutes: 2000 },
      `The value of service "web"'s deploymentConfiguration.bakeTimeInMinutes (set outside this action) must be a whole number of minutes from 0 to 1440; it is 2000.`,
    ],
  ])('refuses what ECS would refuse, naming where it came from: %j', (values, current, message) => {
    const refuse = () => {
      const inputs = strategyOf(values);
      checkDeploymentConfiguration(buildDeploymentConfiguration(inputs, current), inputs, 'web');
    };
    expect(refuse).toThrow(ConfigurationError);
    expect(refuse).toThrow(message);
  });
});

describe('issue #8: timeouts fit the strategy (item 3)', () => {
  const MINUTE = 60_000;
  const plan = (values: Record<string, string>, current?: DeploymentConfiguration) => {
    const inputs = strategyOf(values);
    return timeoutPlan(buildDeploymentConfiguration(inputs, current), inputs.wait);
  };
  it.each<[string, Record<string, string>, DeploymentConfiguration | undefined, number, number]>([
    ['rolling', {}, undefined, 30, 0],
    // 9 step bakes (none after the step that reaches 100%) + an unset bake counted as 5 + 15 + 5.
    ['linear at ECS defaults', { strategy: 'linear' }, undefined, 79, 59],
    ['linear with a gate: only up to the gate', { strategy: 'linear', gate: 'pause' }, undefined, 30, 11],
    ['canary at ECS defaults', { strategy: 'canary' }, undefined, 35, 15],
    ['canary with a gate', { strategy: 'canary', gate: 'pause' }, undefined, 30, 15],
    ['blue-green, 60-minute bake', { strategy: 'blue-green', 'bake-minutes': '60' }, undefined, 80, 65],
    [
      'blue-green with a gate: the bake comes after it',
      { strategy: 'blue-green', 'bake-minutes': '60', gate: 'pause' },
      undefined,
      30,
      5,
    ],
    ['wait: none', { strategy: 'linear', wait: 'none' }, undefined, 30, 0],
  ])('%s: default %i min, at least %i min', (_name, values, current, defaultMinutes, minimumMinutes) => {
    const derived = plan(values, current);
    expect(derived.defaultMs / MINUTE).toBe(defaultMinutes);
    expect(derived.minimumMs / MINUTE).toBe(minimumMinutes);
  });

  it('refuses a plan no timeout within 6 hours can fit, and caps the derived default at 6 hours', () => {
    const inputs = strategyOf({
      strategy: 'linear',
      'linear-step-percent': '3',
      'linear-step-bake-minutes': '30',
    });
    const derived = timeoutPlan(buildDeploymentConfiguration(inputs), inputs.wait);
    expect(() => resolveTimeout(undefined, derived, inputs.wait)).toThrow(
      'needs at least 16h35m with "wait: stable"',
    );
    const long = strategyOf({
      strategy: 'linear',
      'linear-step-percent': '4',
      'linear-step-bake-minutes': '14',
    });
    // 24 bakes of 14 minutes + 5 = 5h41m at least; the derived 6h1m is capped at the 6 hours a job may run.
    const capped = timeoutPlan(buildDeploymentConfiguration(long), long.wait);
    expect(capped.minimumMs / MINUTE).toBe(341);
    expect(resolveTimeout(undefined, capped, long.wait)).toBe(360 * MINUTE);
  });

  it.each([
    [{}, 45],
    [{ 'gate-timeout': '2h' }, 120],
    [{ 'gate-timeout': '14d' }, 20160],
  ])('gate-timeout %j is %i minutes', (values, minutes) => {
    expect(strategyOf({ strategy: 'canary', gate: 'pause', ...values }).gateTimeoutMinutes).toBe(minutes);
  });

  it('refuses a gate-timeout that cannot fit the gate’s shortest judgement', () => {
    expect(() => strategyOf({ strategy: 'canary', gate: 'pause', 'gate-timeout': '2m' })).toThrow(
      'Input "gate-timeout" must be at least 5m; got "2m".',
    );
  });
});

describe('issue #8: Service Connect (item 14)', () => {
  it.each<Strategy>(['canary', 'linear', 'blue-green'])(
    '%s on a Service Connect service without load balancer',
    (strategy) => {
      const service = serviceShape();
      service.deployments = (service.deployments ?? []).map((deployment) => ({
        ...deployment,
        serviceConnectConfiguration: { enabled: true, namespace: 'prod', services: [{ portName: 'http' }] },
      }));
      expect(() => checkStrategy(service, strategy, false)).not.toThrow();
    },
  );
});
