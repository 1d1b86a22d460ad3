import {
  ContinueServiceDeploymentCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type ECSClientResolvedConfig,
  type Service,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type ServiceDeployment,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { InputReader } from '@ecs-ship/shared/inputs';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { getInputs, type DeployInputs } from '../../src/inputs.js';
import { newReport, type DeployReport } from '../../src/report.js';
import { MemoryState } from '../../src/state.js';
import type { Deps } from '../../src/watch.js';

export type EcsStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, ECSClientResolvedConfig>;

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/web`;
export const OLD_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:41`;
export const NEW_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:42`;
export const OLD_DEPLOYMENT = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/web/OldDeployment111`;
export const DEPLOYMENT = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/web/NewDeployment222`;
export const OLD_REVISION = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod/web/1111111111`;
export const NEW_REVISION = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/prod/web/2222222222`;
export const TG_BLUE = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web-blue/aaaa`;
export const TG_GREEN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web-green/bbbb`;
export const RULE = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/web/cccc/dddd/eeee`;
export const ECS_LB_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers`;

export const currentTaskDefinition: TaskDefinition = {
  taskDefinitionArn: OLD_TD,
  family: 'web',
  revision: 41,
  status: 'ACTIVE',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  cpu: '256',
  memory: '512',
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-execution`,
  containerDefinitions: [
    {
      name: 'app',
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:1.0.0`,
      essential: true,
      cpu: 0,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
      environment: [{ name: 'LOG_LEVEL', value: 'info' }],
      secrets: [
        { name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf` },
      ],
      mountPoints: [],
      volumesFrom: [],
    },
  ],
  registeredAt: new Date('2026-01-01T00:00:00Z'),
  registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`,
};

export function serviceShape(overrides: Partial<Service> = {}): Service {
  return {
    serviceArn: SERVICE_ARN,
    serviceName: 'web',
    clusterArn: CLUSTER_ARN,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    taskDefinition: OLD_TD,
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING' },
    currentServiceDeployment: OLD_DEPLOYMENT,
    deployments: [
      {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        taskDefinition: OLD_TD,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        rolloutState: 'COMPLETED',
      },
    ],
    events: [
      {
        id: 'e1',
        createdAt: new Date('2026-01-01T00:00:00Z'),
        message: '(service web) has reached a steady state.',
      },
    ],
    ...overrides,
  };
}

/** A service wired for blue/green, canary and linear: an ALB with an advancedConfiguration. */
export function trafficShiftingService(strategy: 'BLUE_GREEN' | 'CANARY' | 'LINEAR'): Service {
  return serviceShape({
    deploymentConfiguration: {
      strategy,
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      bakeTimeInMinutes: 0,
    },
    loadBalancers: [
      {
        targetGroupArn: TG_BLUE,
        containerName: 'app',
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: TG_GREEN,
          productionListenerRule: RULE,
          testListenerRule: RULE,
          roleArn: ECS_LB_ROLE,
        },
      },
    ],
  });
}

/** One step of a scripted lifecycle: from `atMs` after UpdateService, DescribeServiceDeployments returns this. */
export interface Phase {
  atMs: number;
  deployment: Partial<ServiceDeployment>;
}

export function deploymentAt(phases: readonly Phase[], elapsed: number): ServiceDeployment {
  let current: Partial<ServiceDeployment> = {};
  for (const phase of phases) if (phase.atMs <= elapsed) current = { ...current, ...phase.deployment };
  return {
    serviceDeploymentArn: DEPLOYMENT,
    serviceArn: SERVICE_ARN,
    clusterArn: CLUSTER_ARN,
    createdAt: new Date(0),
    sourceServiceRevisions: [
      { arn: OLD_REVISION, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 },
    ],
    targetServiceRevision: {
      arn: NEW_REVISION,
      requestedTaskCount: 0,
      runningTaskCount: 0,
      pendingTaskCount: 0,
    },
    status: 'PENDING',
    ...current,
  };
}

/** Only the fields the phases set by `elapsed` (so later scripts override, not reset, the earlier ones). */
function onlySet(phases: readonly Phase[], elapsed: number): Partial<ServiceDeployment> {
  let current: Partial<ServiceDeployment> = {};
  for (const phase of phases) if (phase.atMs <= elapsed) current = { ...current, ...phase.deployment };
  return current;
}

export const revisions = (
  target: { running: number; pending?: number; desired?: number; production?: number; test?: number },
  source: { running: number; production?: number } = { running: 2 },
): Partial<ServiceDeployment> => ({
  targetServiceRevision: {
    arn: NEW_REVISION,
    requestedTaskCount: target.desired ?? 2,
    runningTaskCount: target.running,
    pendingTaskCount: target.pending ?? 0,
    ...(target.production !== undefined ? { requestedProductionTrafficWeight: target.production } : {}),
    ...(target.test !== undefined ? { requestedTestTrafficWeight: target.test } : {}),
  },
  sourceServiceRevisions: [
    {
      arn: OLD_REVISION,
      requestedTaskCount: 2,
      runningTaskCount: source.running,
      pendingTaskCount: 0,
      ...(source.production !== undefined ? { requestedProductionTrafficWeight: source.production } : {}),
    },
  ],
});

export interface Scenario {
  ecs: EcsStub;
  client: ECSClient;
  clock: SimulatedClock;
  logger: MemoryLogger;
  deps: Deps;
  state: MemoryState;
  /** Simulated time of UpdateService (or undefined before it). */
  updatedAt(): number | undefined;
}

/**
 * An ECS mock in real API shapes: the service before the deploy, then, once UpdateService has been
 * sent, the scripted lifecycle as a function of simulated time. StopServiceDeployment ROLLBACK
 * switches to `rollbackPhases` (relative to the stop).
 */
export function scenario(options: {
  service?: Service;
  phases: Phase[];
  rollbackPhases?: Phase[];
  /** Phases relative to each ContinueServiceDeployment (the n-th list after the n-th continue). */
  continuePhases?: Phase[][];
  /** DescribeServiceDeployments answers ThrottlingException this many times first. */
  throttle?: number;
  signal?: AbortSignal;
  onSleep?: (now: number) => void;
}): Scenario {
  const client = new ECSClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ecs = mockClient(client);
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1), options.onSleep);
  const logger = new MemoryLogger();
  const service = options.service ?? serviceShape();
  let updatedAt: number | undefined;
  let stoppedAt: number | undefined;
  const continuedAt: number[] = [];
  const current = (): ServiceDeployment => {
    const since = clock.now() - (updatedAt ?? clock.now());
    let base = deploymentAt(options.phases, since);
    continuedAt.forEach((at, index) => {
      base = { ...base, ...onlySet(options.continuePhases?.[index] ?? [], clock.now() - at) };
    });
    if (stoppedAt === undefined) return base;
    return { ...base, ...onlySet(options.rollbackPhases ?? [], clock.now() - stoppedAt) };
  };

  ecs.on(DescribeClustersCommand).resolves({
    clusters: [{ clusterArn: CLUSTER_ARN, clusterName: 'prod', status: 'ACTIVE' }],
    failures: [],
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition?: string }) => {
    if (input.taskDefinition === OLD_TD || input.taskDefinition === 'web')
      return { taskDefinition: currentTaskDefinition, tags: [] };
    if (input.taskDefinition === NEW_TD)
      return { taskDefinition: { ...currentTaskDefinition, taskDefinitionArn: NEW_TD, revision: 42 } };
    throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: object) => ({
    taskDefinition: { ...input, taskDefinitionArn: NEW_TD, revision: 42, status: 'ACTIVE' },
  }));
  ecs.on(DescribeServicesCommand).callsFake(() => {
    if (updatedAt === undefined) return { services: [service], failures: [] };
    const d = current();
    const done = d.status === 'SUCCESSFUL';
    const rolledBack = d.status === 'ROLLBACK_SUCCESSFUL';
    return {
      services: [
        {
          ...service,
          taskDefinition: rolledBack ? OLD_TD : NEW_TD,
          currentServiceDeployment: DEPLOYMENT,
          deployments: [
            {
              id: 'ecs-svc/2',
              status: 'PRIMARY',
              taskDefinition: NEW_TD,
              desiredCount: 2,
              runningCount: d.targetServiceRevision?.runningTaskCount ?? 0,
              pendingCount: d.targetServiceRevision?.pendingTaskCount ?? 0,
              rolloutState: done ? 'COMPLETED' : rolledBack ? 'FAILED' : 'IN_PROGRESS',
            },
            ...(done
              ? []
              : [
                  {
                    id: 'ecs-svc/1',
                    status: 'ACTIVE',
                    taskDefinition: OLD_TD,
                    desiredCount: 2,
                    runningCount: 2,
                    pendingCount: 0,
                  },
                ]),
          ],
          events: service.events,
        },
      ],
      failures: [],
    };
  });
  ecs.on(UpdateServiceCommand).callsFake(() => {
    updatedAt ??= clock.now();
    return { service: { ...service, taskDefinition: NEW_TD, currentServiceDeployment: DEPLOYMENT } };
  });
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      { serviceDeploymentArn: DEPLOYMENT, status: 'IN_PROGRESS', targetServiceRevisionArn: NEW_REVISION },
    ],
  });
  let throttled = 0;
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(() => {
    if (throttled < (options.throttle ?? 0)) {
      throttled++;
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return { serviceDeployments: [current()], failures: [] };
  });
  ecs.on(StopServiceDeploymentCommand).callsFake(() => {
    stoppedAt ??= clock.now();
    return { serviceDeploymentArn: DEPLOYMENT };
  });
  ecs.on(ContinueServiceDeploymentCommand).callsFake(() => {
    continuedAt.push(clock.now());
    return { serviceDeploymentArn: DEPLOYMENT };
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });
  ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [] });
  ecs.on(StopTaskCommand).resolves({});

  return {
    ecs,
    client,
    clock,
    logger,
    deps: {
      ecs: client,
      logger,
      clock,
      random: () => 0.5,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    state: new MemoryState(),
    updatedAt: () => updatedAt,
  };
}

export function readInputs(values: Record<string, string>): DeployInputs {
  return getInputs(new InputReader((name) => values[name] ?? '', { workspace: process.cwd() }));
}

export function reportFor(inputs: DeployInputs, clock: { now(): number }): DeployReport {
  return newReport({
    mode: inputs.mode,
    region: REGION,
    cluster: inputs.cluster,
    ...(inputs.service ? { service: inputs.service } : {}),
    strategy: inputs.strategy,
    gate: inputs.gate,
    startedAt: clock.now(),
  });
}

/** Every command the mock received, by SDK command name. */
export function commandNames(stub: EcsStub): string[] {
  return stub.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
}

export const MINUTE = 60_000;
