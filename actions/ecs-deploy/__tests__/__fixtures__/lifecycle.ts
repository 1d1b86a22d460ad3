import {
  ContinueServiceDeploymentCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
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
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientResolvedConfig,
  type ServiceInputTypes as ElbInputTypes,
  type ServiceOutputTypes as ElbOutputTypes,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { SimulatedClock } from '@ecs-ship/shared/clock';
import { InputReader } from '@ecs-ship/shared/inputs';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { deployService } from '../../src/deployment/deploy.js';
import { getInputs, type ActionInputs, type DeployInputs } from '../../src/inputs.js';
import { newReport, type DeployReport } from '../../src/report.js';
import { runTaskMode } from '../../src/run-task/run-task.js';
import { MemoryState } from '../../src/state.js';
import type { Deps } from '../../src/deps.js';

export type EcsStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, ECSClientResolvedConfig>;
export type ElbStub = AwsStub<ElbInputTypes, ElbOutputTypes, ElasticLoadBalancingV2ClientResolvedConfig>;

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/web`;
export const OLD_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:41`;
export const NEW_TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:42`;
export const OLD_DEPLOYMENT = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/web/OldDeployment111`;
export const DEPLOYMENT = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/web/NewDeployment222`;
/** The deployment an UpdateService rollback (back to OLD_TD) starts. */
export const ROLLBACK_DEPLOYMENT = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/web/Rollback333`;
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
    ...onlySet(phases, elapsed),
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
  /** The production listener rule: forwards the new revision's weight to `newRevisionIn`'s group. */
  elb: ElbStub;
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
 * switches to `rollbackPhases` (relative to the stop); an UpdateService back to OLD_TD starts
 * ROLLBACK_DEPLOYMENT, scripted by `fallbackPhases`. ContinueServiceDeployment fails, as ECS does,
 * for a hook that is not AWAITING_ACTION.
 */
export function scenario(options: {
  service?: Service;
  phases: Phase[];
  rollbackPhases?: Phase[];
  /** Phases relative to each ContinueServiceDeployment (the n-th list after the n-th continue). */
  continuePhases?: Phase[][];
  /** ROLLBACK_DEPLOYMENT's phases, relative to the UpdateService back to OLD_TD. */
  fallbackPhases?: Phase[];
  /** DescribeServiceDeployments answers ThrottlingException this many times first. */
  throttle?: number;
  /** After UpdateService, DescribeServiceDeployments does not know the deployment this many times first (eventual consistency). */
  describeMisses?: number;
  /** The first this many ContinueServiceDeployment calls fail with a ServerException (HTTP 500), taking nothing. */
  continueFailures?: number;
  signal?: AbortSignal;
  onSleep?: (now: number) => void;
  /** Mock every ECSClient (for run(), which makes its own) instead of the scenario's. */
  everyClient?: boolean;
  /** After the deploy, the service runs this revision instead (someone deployed again meanwhile). */
  supersededBy?: string;
  /** The target group the new revision's tasks register in (ECS alternates them per deployment). */
  newRevisionIn?: string;
  /** Another step started the deployment just before the scenario begins (mode continue): phases run from now. */
  alreadyUpdated?: boolean;
}): Scenario {
  const client = new ECSClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ecs = mockClient(options.everyClient ? ECSClient : client);
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1), options.onSleep);
  const logger = new MemoryLogger();
  const service = options.service ?? serviceShape();
  let updatedAt: number | undefined = options.alreadyUpdated ? clock.now() : undefined;
  let stoppedAt: number | undefined;
  let fallbackAt: number | undefined;
  let configuration = service.deploymentConfiguration;
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
  const fallback = (): ServiceDeployment => ({
    ...deploymentAt(options.fallbackPhases ?? [], clock.now() - (fallbackAt ?? clock.now())),
    serviceDeploymentArn: ROLLBACK_DEPLOYMENT,
  });

  ecs.on(DescribeClustersCommand).resolves({
    clusters: [{ clusterArn: CLUSTER_ARN, clusterName: 'prod', status: 'ACTIVE' }],
    failures: [],
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition?: string }) => {
    if (
      input.taskDefinition === OLD_TD ||
      input.taskDefinition === 'web' ||
      input.taskDefinition === 'web:41'
    )
      return { taskDefinition: currentTaskDefinition, tags: [] };
    if (input.taskDefinition === NEW_TD)
      return { taskDefinition: { ...currentTaskDefinition, taskDefinitionArn: NEW_TD, revision: 42 } };
    throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: object) => ({
    taskDefinition: { ...input, taskDefinitionArn: NEW_TD, revision: 42, status: 'ACTIVE' },
  }));
  ecs.on(DescribeServicesCommand).callsFake(() => {
    if (updatedAt === undefined)
      return { services: [{ ...service, deploymentConfiguration: configuration }], failures: [] };
    if (options.supersededBy !== undefined) {
      return {
        services: [
          { ...service, taskDefinition: options.supersededBy, deploymentConfiguration: configuration },
        ],
        failures: [],
      };
    }
    if (fallbackAt !== undefined) {
      const f = fallback();
      return {
        services: [
          {
            ...service,
            taskDefinition: OLD_TD,
            deploymentConfiguration: configuration,
            currentServiceDeployment: ROLLBACK_DEPLOYMENT,
            deployments: [
              {
                id: 'ecs-svc/3',
                status: 'PRIMARY',
                taskDefinition: OLD_TD,
                desiredCount: 2,
                runningCount: f.targetServiceRevision?.runningTaskCount ?? 0,
                rolloutState: f.status === 'SUCCESSFUL' ? 'COMPLETED' : 'IN_PROGRESS',
              },
            ],
          },
        ],
        failures: [],
      };
    }
    const d = current();
    const done = d.status === 'SUCCESSFUL';
    const rolledBack = d.status === 'ROLLBACK_SUCCESSFUL';
    return {
      services: [
        {
          ...service,
          taskDefinition: rolledBack ? OLD_TD : NEW_TD,
          deploymentConfiguration: configuration,
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
  ecs.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
    if (input.deploymentConfiguration) configuration = input.deploymentConfiguration;
    // Only the configuration: ECS starts no deployment.
    if (input.taskDefinition === undefined && !input.forceNewDeployment)
      return { service: { ...service, deploymentConfiguration: configuration } };
    if (updatedAt !== undefined && input.taskDefinition === OLD_TD) {
      fallbackAt ??= clock.now();
      return {
        service: { ...service, taskDefinition: OLD_TD, currentServiceDeployment: ROLLBACK_DEPLOYMENT },
      };
    }
    updatedAt ??= clock.now();
    return { service: { ...service, taskDefinition: NEW_TD, currentServiceDeployment: DEPLOYMENT } };
  });
  ecs.on(ListServiceDeploymentsCommand).callsFake(() => ({
    serviceDeployments:
      updatedAt === undefined
        ? []
        : [
            {
              serviceDeploymentArn: DEPLOYMENT,
              status: 'IN_PROGRESS',
              createdAt: new Date(updatedAt),
              targetServiceRevisionArn: NEW_REVISION,
            },
          ],
  }));
  ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns?: string[] }) => ({
    serviceRevisions: (input.serviceRevisionArns ?? []).flatMap((arn) =>
      arn === NEW_REVISION || arn === OLD_REVISION
        ? [{ serviceRevisionArn: arn, taskDefinition: arn === NEW_REVISION ? NEW_TD : OLD_TD }]
        : [],
    ),
    failures: [],
  }));
  let throttled = 0;
  let missed = 0;
  let continueFailed = 0;
  ecs.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns?: string[] }) => {
    if (throttled < (options.throttle ?? 0)) {
      throttled++;
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    const wanted = input.serviceDeploymentArns?.[0];
    if (updatedAt !== undefined && missed < (options.describeMisses ?? 0)) {
      missed++;
      return { serviceDeployments: [], failures: [{ arn: wanted, reason: 'MISSING' }] };
    }
    return { serviceDeployments: [wanted === ROLLBACK_DEPLOYMENT ? fallback() : current()], failures: [] };
  });
  ecs.on(StopServiceDeploymentCommand).callsFake(() => {
    stoppedAt ??= clock.now();
    return { serviceDeploymentArn: DEPLOYMENT };
  });
  ecs
    .on(ContinueServiceDeploymentCommand)
    .callsFake((input: { serviceDeploymentArn?: string; hookId?: string }) => {
      if (continueFailed < (options.continueFailures ?? 0)) {
        continueFailed++;
        throw Object.assign(new Error('Internal server error'), {
          name: 'ServerException',
          $metadata: { httpStatusCode: 500 },
        });
      }
      const deployment = input.serviceDeploymentArn === ROLLBACK_DEPLOYMENT ? fallback() : current();
      const hook = deployment.lifecycleHookDetails?.find((candidate) => candidate.hookId === input.hookId);
      if (hook?.status !== 'AWAITING_ACTION') {
        throw Object.assign(
          new Error(
            `Lifecycle hook ${input.hookId ?? '?'} is not awaiting action (${hook?.status ?? 'unknown'}).`,
          ),
          { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } },
        );
      }
      if (input.serviceDeploymentArn !== ROLLBACK_DEPLOYMENT) continuedAt.push(clock.now());
      return { serviceDeploymentArn: input.serviceDeploymentArn };
    });
  const elbClient = new ElasticLoadBalancingV2Client({
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const elb = mockClient(options.everyClient ? ElasticLoadBalancingV2Client : elbClient);
  const forward = () => {
    const canary = options.newRevisionIn ?? TG_GREEN;
    const baseline = canary === TG_GREEN ? TG_BLUE : TG_GREEN;
    const weight = current().targetServiceRevision?.requestedProductionTrafficWeight ?? 0;
    return [
      {
        Type: 'forward' as const,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: TG_BLUE, Weight: canary === TG_BLUE ? weight : 100 - weight },
            { TargetGroupArn: TG_GREEN, Weight: canary === TG_GREEN ? weight : 100 - weight },
          ].filter((group) => group.TargetGroupArn === canary || group.TargetGroupArn === baseline),
        },
      },
    ];
  };
  elb.on(DescribeRulesCommand).callsFake(() => ({ Rules: [{ RuleArn: RULE, Actions: forward() }] }));
  elb.on(DescribeListenersCommand).callsFake(() => ({ Listeners: [{ DefaultActions: forward() }] }));
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });
  ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [] });
  ecs.on(StopTaskCommand).resolves({});

  return {
    ecs,
    elb,
    client,
    clock,
    logger,
    deps: {
      ecs: client,
      elbv2: elbClient,
      logger,
      clock,
      random: () => 0.5,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    state: new MemoryState(),
    updatedAt: () => updatedAt,
  };
}

/** The inputs of any mode, as getInputs reads them. */
export function readAnyInputs(values: Record<string, string>): ActionInputs {
  return getInputs(new InputReader((name) => values[name] ?? '', { workspace: process.cwd() }));
}

/** The inputs of service, run-task or validate mode. */
export function readInputs(values: Record<string, string>): DeployInputs {
  const inputs = readAnyInputs(values);
  if (inputs.mode === 'continue' || inputs.mode === 'resolve-images')
    throw new Error(`readInputs is for deploy modes, not ${inputs.mode}`);
  return inputs;
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

/** Service mode for a scenario and inputs, as main runs it; returns the report. */
export async function deploy(s: Scenario, values: Record<string, string>): Promise<DeployReport> {
  const inputs = readInputs(values);
  const report = reportFor(inputs, s.clock);
  await deployService(s.deps, inputs, report, s.state);
  return report;
}

/** run-task mode for a scenario and inputs, as main runs it; returns the report. */
export async function runTask(s: Scenario, values: Record<string, string>): Promise<DeployReport> {
  const inputs = readInputs({ mode: 'run-task', ...values });
  const report = reportFor(inputs, s.clock);
  await runTaskMode(s.deps, inputs, report, s.state);
  return report;
}

/** Every command the mock received, by SDK command name. */
export function commandNames(stub: EcsStub): string[] {
  return stub.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
}

export const MINUTE = 60_000;
