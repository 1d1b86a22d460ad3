import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type CapacityProviderStrategyItem,
  type DeploymentConfiguration,
  type DesiredStatus,
  type LaunchType,
  type ECSClient,
  type LoadBalancer,
  type ServiceConnectConfiguration,
} from '@aws-sdk/client-ecs';
import { AwsError, invalidParameter } from './aws-error.js';
import { buildCreatePlan, buildPlan } from './deployment-plan.js';
import {
  closeWaitingHooks,
  requestRollback,
  setTraffic,
  type LifecycleContext,
} from './deployment-lifecycle.js';
import { storedConfiguration, validateConfiguration } from './deployment-configuration.js';
import {
  isInFlight,
  strategyOf,
  type Revision,
  type ServiceDeploymentRecord,
  type ServiceRecord,
} from './ecs-model.js';
import { seconds, serializeDeployment, serializeDeploymentBrief, serializeService } from './ecs-serialize.js';
import { serializeTask, serviceTasks, type ServiceTask } from './ecs-tasks.js';
import { familyRevision, serializeOneOffTask } from './one-off-tasks.js';
import {
  findOneOffTask,
  listOneOffTasks,
  runTask,
  stopTask,
  type ResolvedCluster,
  type RunTaskContext,
} from './run-task-operations.js';
import { groupPair, percentOf } from './traffic.js';

type Input = Record<string, unknown>;

export interface OperationOptions {
  omitTrafficWeights: boolean;
  listDelayMs: number;
  reportPreProductionStage: boolean;
  /** Leave DescribeServiceRevisions' resolvedConfiguration (which group serves a revision) out. */
  omitResolvedConfiguration: boolean;
}

/** CreateService ... StopServiceDeployment, RunTask and StopTask as ECS answers them, over the emulator's state. */
export class EcsOperations {
  private readonly tasks: RunTaskContext;

  constructor(
    private readonly context: LifecycleContext,
    private readonly ecs: ECSClient,
    /** Read on every call: tests change them between calls. */
    private readonly options: () => OperationOptions,
  ) {
    this.tasks = {
      state: context.state,
      timing: context.timing,
      ecs,
      resolveCluster: (cluster) => this.resolveCluster(cluster),
    };
  }

  readonly modelled = new Set([
    'CreateService',
    'UpdateService',
    'DescribeServices',
    'ListServiceDeployments',
    'DescribeServiceDeployments',
    'DescribeServiceRevisions',
    'ContinueServiceDeployment',
    'StopServiceDeployment',
    'DeleteService',
    'ListTasks',
    'DescribeTasks',
    'RunTask',
    'StopTask',
  ]);

  /**
   * Whether the emulator answers this request itself. Tasks: RunTask and DescribeTasks always
   * (moto is asked about task ARNs the model does not know); ListTasks unless it filters by container
   * instance (moto's); StopTask of a one-off task. Tasks moto started (StartTask) stay moto's.
   */
  owns(operation: string, input: Input): boolean {
    if (!this.modelled.has(operation)) return false;
    if (operation === 'ListTasks') return input.containerInstance === undefined;
    if (operation === 'StopTask') return findOneOffTask(this.state, input.task) !== undefined;
    return true;
  }

  async handle(operation: string, input: Input, now: number): Promise<unknown> {
    switch (operation) {
      case 'CreateService':
        return this.createService(input, now);
      case 'UpdateService':
        return this.updateService(input, now);
      case 'DescribeServices':
        return this.describeServices(input);
      case 'DeleteService':
        return this.deleteService(input, now);
      case 'ListServiceDeployments':
        return this.listServiceDeployments(input, now);
      case 'DescribeServiceDeployments':
        return this.describeServiceDeployments(input, now);
      case 'DescribeServiceRevisions':
        return this.describeServiceRevisions(input);
      case 'ContinueServiceDeployment':
        return this.continueServiceDeployment(input, now);
      case 'StopServiceDeployment':
        return this.stopServiceDeployment(input, now);
      case 'ListTasks':
        return this.listTasks(input, now);
      case 'DescribeTasks':
        return this.describeTasks(input, now);
      case 'RunTask':
        return runTask(this.tasks, input, now);
      case 'StopTask':
        return stopTask(this.tasks, input, now);
      default:
        throw new AwsError('UnsupportedFeatureException', `${operation} is not modelled`);
    }
  }

  private get state() {
    return this.context.state;
  }

  private async resolveCluster(cluster: unknown): Promise<ResolvedCluster> {
    const given = typeof cluster === 'string' && cluster !== '' ? cluster : 'default';
    const answer = await this.ecs.send(new DescribeClustersCommand({ clusters: [given] }));
    const found = answer.clusters?.find((c) => c.status !== 'INACTIVE');
    if (found?.clusterArn === undefined || found.clusterName === undefined)
      throw new AwsError('ClusterNotFoundException', `Cluster not found: ${given}`);
    return {
      arn: found.clusterArn,
      name: found.clusterName,
      defaultCapacityProviderStrategy: (found.defaultCapacityProviderStrategy ??
        []) as CapacityProviderStrategyItem[],
    };
  }

  private async resolveTaskDefinition(taskDefinition: unknown): Promise<string> {
    if (typeof taskDefinition !== 'string' || taskDefinition === '')
      throw invalidParameter('taskDefinition must be a task definition family, family:revision or ARN');
    try {
      const answer = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      const arn = answer.taskDefinition?.taskDefinitionArn;
      if (arn === undefined) throw new Error('no taskDefinitionArn');
      return arn;
    } catch {
      throw new AwsError('ClientException', `Unable to describe task definition ${taskDefinition}`);
    }
  }

  private async findService(input: Input, key: 'service' | 'serviceName'): Promise<ServiceRecord> {
    const cluster = await this.resolveCluster(input.cluster);
    const name = input[key];
    const service = typeof name === 'string' ? this.state.findService(cluster.name, name) : undefined;
    if (service === undefined)
      throw new AwsError('ServiceNotFoundException', `Service not found: ${String(name)}`);
    return service;
  }

  private async createService(input: Input, now: number): Promise<unknown> {
    const cluster = await this.resolveCluster(input.cluster);
    const name = input.serviceName;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(name))
      throw invalidParameter(
        `serviceName must be 1-255 letters, digits, hyphens or underscores; got ${String(name)}`,
      );
    if (this.state.findService(cluster.name, name) !== undefined)
      throw invalidParameter('Creation of service was not idempotent.');
    const taskDefinition = await this.resolveTaskDefinition(input.taskDefinition);
    const loadBalancers = (input.loadBalancers as LoadBalancer[] | undefined) ?? [];
    const serviceConnect = input.serviceConnectConfiguration as ServiceConnectConfiguration | undefined;
    const configuration = storedConfiguration(
      input.deploymentConfiguration as DeploymentConfiguration | undefined,
    );
    validateConfiguration(configuration, { loadBalancers, serviceConnect: serviceConnect?.enabled === true });
    const desiredCount = typeof input.desiredCount === 'number' ? input.desiredCount : 1;
    const {
      cluster: _c,
      serviceName: _n,
      taskDefinition: _t,
      desiredCount: _d,
      loadBalancers: _l,
      deploymentConfiguration: _dc,
      serviceConnectConfiguration: _s,
      clientToken: _ct,
      ...extra
    } = input;
    const service: ServiceRecord = {
      arn: this.state.serviceArn(cluster.name, name),
      name,
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      taskDefinition,
      desiredCount,
      deploymentConfiguration: configuration,
      loadBalancers,
      serviceConnectConfiguration: serviceConnect,
      extra,
      createdAt: now,
      deployments: [],
      current: { arn: '', taskDefinition, createdAt: now, ecsDeploymentId: '' },
      events: [],
    };
    const servingGroup = await this.servingGroup(service);
    service.current = this.state.newRevision(service, taskDefinition, now, servingGroup);
    this.state.services.set(service.arn, service);
    // The first deployment starts the tasks; there is no traffic to shift from and no pause.
    const first = this.newDeployment(service, service.current, [], now);
    first.initial = true;
    first.plan = buildCreatePlan(this.context.timing);
    first.sourceRunning = 0;
    first.productionWeight = 100;
    first.testWeight = 100;
    this.context.addEvent(
      service,
      now,
      `(service ${name}) has started 0 tasks: creating service deployment ${first.arn}.`,
    );
    return { service: serializeService(service, this.crashLooping) };
  }

  private async updateService(input: Input, now: number): Promise<unknown> {
    const service = await this.findService(input, 'service');
    const loadBalancers = (input.loadBalancers as LoadBalancer[] | undefined) ?? service.loadBalancers;
    const serviceConnect =
      (input.serviceConnectConfiguration as ServiceConnectConfiguration | undefined) ??
      service.serviceConnectConfiguration;
    const configuration =
      input.deploymentConfiguration === undefined
        ? service.deploymentConfiguration
        : storedConfiguration(input.deploymentConfiguration as DeploymentConfiguration);
    validateConfiguration(configuration, { loadBalancers, serviceConnect: serviceConnect?.enabled === true });
    const taskDefinition =
      input.taskDefinition === undefined
        ? service.taskDefinition
        : await this.resolveTaskDefinition(input.taskDefinition);
    if (typeof input.desiredCount === 'number') service.desiredCount = input.desiredCount;
    service.deploymentConfiguration = configuration;
    service.loadBalancers = loadBalancers;
    service.serviceConnectConfiguration = serviceConnect;
    const {
      cluster: _c,
      service: _s,
      taskDefinition: _t,
      desiredCount: _d,
      loadBalancers: _l,
      deploymentConfiguration: _dc,
      serviceConnectConfiguration: _sc,
      forceNewDeployment: _f,
      ...extra
    } = input;
    Object.assign(service.extra, extra);
    if (taskDefinition !== service.taskDefinition || input.forceNewDeployment === true)
      await this.startDeployment(service, taskDefinition, now);
    return { service: serializeService(service, this.crashLooping) };
  }

  /** The group that serves production now: the higher weight in the production rule. */
  private async servingGroup(service: ServiceRecord): Promise<string | undefined> {
    for (const lb of service.loadBalancers) {
      const pair = groupPair(lb);
      if (pair === undefined) continue;
      const rule = lb.advancedConfiguration?.productionListenerRule;
      if (rule === undefined) return pair[0];
      const weights = await this.context.traffic.readWeights(rule);
      if (weights.length === 0) return pair[0];
      return percentOf(weights, pair[1]) > percentOf(weights, pair[0]) ? pair[1] : pair[0];
    }
    return service.loadBalancers[0]?.targetGroupArn;
  }

  /**
   * A new deployment of `taskDefinition`. One still in flight is superseded: it ends STOPPED, and
   * production goes wholly to the group carrying the larger share, whose revision is the new
   * deployment's source (ECS's exact handling of a superseded split is not documented).
   */
  private async startDeployment(service: ServiceRecord, taskDefinition: string, now: number): Promise<void> {
    let sources: Revision[] = [service.current];
    for (const old of service.deployments.filter(isInFlight)) {
      const wasRollingBack = old.status.startsWith('ROLLBACK');
      old.status = 'STOPPED';
      old.statusReason = `Superseded: a newer service deployment was started by UpdateService at ${new Date(now).toISOString()}.`;
      old.stoppedAt = now;
      old.finishedAt = now;
      old.updatedAt = now;
      closeWaitingHooks(old, now);
      const targetServes = !wasRollingBack && !old.initial && old.productionWeight > 50;
      const base = old.sources[0];
      if (old.initial || base === undefined) sources = [old.target];
      else sources = targetServes ? [old.target, base] : [base, old.target];
      if (!old.initial && (old.productionWeight > 0 || old.testWeight > 0))
        await setTraffic(this.context, service, old, targetServes ? 100 : 0, targetServes ? 100 : 0, now);
      const serving = sources[0];
      if (serving !== undefined) service.current = serving;
    }
    const serving = await this.servingGroup(service);
    const pair = service.loadBalancers.map(groupPair).find((p) => p !== undefined);
    // Blue/green, canary and linear place new tasks in the group not serving production (the groups
    // alternate, REFERENCE.md 6); a rolling update replaces tasks in the same group.
    const rolling = strategyOf(service.deploymentConfiguration) === 'ROLLING';
    const newGroup = pair === undefined || rolling ? serving : pair[0] === serving ? pair[1] : pair[0];
    const target = this.state.newRevision(service, taskDefinition, now, newGroup);
    service.taskDefinition = taskDefinition;
    const deployment = this.newDeployment(service, target, sources, now);
    this.context.addEvent(
      service,
      now,
      `(service ${service.name}) has started a service deployment: ${deployment.arn}.`,
    );
  }

  private newDeployment(
    service: ServiceRecord,
    target: Revision,
    sources: Revision[],
    now: number,
  ): ServiceDeploymentRecord {
    const configuration = structuredClone(service.deploymentConfiguration);
    const hasTest = service.loadBalancers.some(
      (lb) => lb.advancedConfiguration?.testListenerRule !== undefined,
    );
    const breaker = configuration.deploymentCircuitBreaker;
    const deployment: ServiceDeploymentRecord = {
      arn: this.state.newDeploymentArn(service.clusterName, service.name),
      serviceArn: service.arn,
      clusterArn: service.clusterArn,
      serviceName: service.name,
      status: 'PENDING',
      lifecycleStage: 'RECONCILE_SERVICE',
      createdAt: now,
      updatedAt: now,
      deploymentConfiguration: configuration,
      target,
      sources,
      plan: buildPlan(configuration, this.context.timing, hasTest),
      stepIndex: 0,
      stepEnteredAt: now,
      hooks: [],
      currentHooks: [],
      productionWeight: 0,
      testWeight: 0,
      requestedTaskCount: service.desiredCount,
      targetRunning: 0,
      sourceRunning: service.desiredCount,
      circuitBreaker: {
        status: breaker?.enable === true ? 'MONITORING' : 'DISABLED',
        failureCount: 0,
        threshold: circuitBreakerThreshold(service.desiredCount, breaker?.thresholdConfiguration),
      },
      alarms: {
        status: configuration.alarms?.enable === true ? 'MONITORING' : 'DISABLED',
        alarmNames: configuration.alarms?.alarmNames ?? [],
        triggeredAlarmNames: [],
      },
      hiddenUntil: this.options().listDelayMs > 0 ? now + this.options().listDelayMs : undefined,
    };
    service.deployments.push(deployment);
    this.state.deployments.set(deployment.arn, deployment);
    return deployment;
  }

  private readonly crashLooping = (taskDefinition: string): boolean =>
    this.state.taskFaults.crashLooping.has(taskDefinition);

  private allServiceTasks(): ServiceTask[] {
    return [...this.state.services.values()].flatMap((service) => serviceTasks(this.state, service));
  }

  /** Minimal: the service is gone at once (no draining), its deployments with it. */
  private async deleteService(input: Input, now: number): Promise<unknown> {
    const service = await this.findService(input, 'service');
    if (service.desiredCount > 0 && input.force !== true)
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
    const answer = serializeService(service, this.crashLooping);
    this.state.services.delete(service.arn);
    for (const deployment of service.deployments) {
      if (isInFlight(deployment)) {
        deployment.status = 'STOPPED';
        deployment.statusReason = 'The service was deleted.';
        deployment.finishedAt = now;
        closeWaitingHooks(deployment, now);
      }
    }
    return { service: { ...answer, status: 'DRAINING', desiredCount: 0 } };
  }

  private async describeServices(input: Input): Promise<unknown> {
    const cluster = await this.resolveCluster(input.cluster);
    const names = (input.services as string[] | undefined) ?? [];
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const name of names) {
      const service = this.state.findService(cluster.name, name);
      if (service === undefined)
        failures.push({
          arn: name.startsWith('arn:') ? name : this.state.serviceArn(cluster.name, name),
          reason: 'MISSING',
        });
      else services.push(serializeService(service, this.crashLooping));
    }
    return { services, failures };
  }

  private async listServiceDeployments(input: Input, now: number): Promise<unknown> {
    const service = await this.findService(input, 'service');
    const statuses = input.status as string[] | undefined;
    const createdAt = input.createdAt as { before?: number; after?: number } | undefined;
    // Newest first; deployments created in the same millisecond keep their creation order reversed.
    const matching = [...service.deployments]
      .reverse()
      .filter((d) => (d.hiddenUntil ?? 0) <= now)
      .filter((d) => statuses === undefined || statuses.length === 0 || statuses.includes(d.status))
      .filter((d) => createdAt?.after === undefined || d.createdAt / 1000 >= createdAt.after)
      .filter((d) => createdAt?.before === undefined || d.createdAt / 1000 <= createdAt.before)
      .sort((a, b) => b.createdAt - a.createdAt);
    const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
    const max = typeof input.maxResults === 'number' ? input.maxResults : 20;
    const page = matching.slice(start, start + max);
    return {
      serviceDeployments: page.map(serializeDeploymentBrief),
      nextToken: start + max < matching.length ? String(start + max) : undefined,
    };
  }

  private describeServiceDeployments(input: Input, now: number): unknown {
    const arns = (input.serviceDeploymentArns as string[] | undefined) ?? [];
    if (arns.length === 0) throw invalidParameter('serviceDeploymentArns must name at least one deployment');
    const serviceDeployments: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of arns) {
      const deployment = this.state.deployments.get(arn);
      if (deployment === undefined || (deployment.hiddenUntil ?? 0) > now)
        failures.push({ arn, reason: 'MISSING' });
      else serviceDeployments.push(serializeDeployment(deployment, this.options()));
    }
    return { serviceDeployments, failures };
  }

  /**
   * The revision as ECS keeps it: the service's wiring, the container images (imageDigest: what the
   * image resolved to when the revision was created) and resolvedConfiguration.loadBalancers, the group this revision's tasks are in (SDK
   * ResolvedConfiguration doc: "which target groups serve traffic").
   */
  private async describeServiceRevisions(input: Input): Promise<unknown> {
    const arns = (input.serviceRevisionArns as string[] | undefined) ?? [];
    const serviceRevisions: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of arns) {
      const revision = this.state.revisions.get(arn);
      if (revision === undefined) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const service = this.state.services.get(revision.serviceArn);
      const definition = await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: revision.taskDefinition }),
      );
      const rule = service?.loadBalancers.find((lb) => groupPair(lb)?.includes(revision.targetGroupArn ?? ''))
        ?.advancedConfiguration?.productionListenerRule;
      serviceRevisions.push({
        serviceRevisionArn: revision.arn,
        serviceArn: revision.serviceArn,
        clusterArn: revision.clusterArn,
        taskDefinition: revision.taskDefinition,
        createdAt: seconds(revision.createdAt),
        launchType: service?.extra.launchType,
        networkConfiguration: service?.extra.networkConfiguration,
        loadBalancers: service?.loadBalancers,
        serviceConnectConfiguration: service?.serviceConnectConfiguration,
        containerImages: (definition.taskDefinition?.containerDefinitions ?? []).map((container) => ({
          containerName: container.name,
          image: container.image,
          imageDigest: this.state.imageDigests.at(container.image ?? '', revision.createdAt),
        })),
        ...(this.options().omitResolvedConfiguration || revision.targetGroupArn === undefined
          ? {}
          : {
              resolvedConfiguration: {
                loadBalancers: [{ targetGroupArn: revision.targetGroupArn, productionListenerRule: rule }],
              },
            }),
      });
    }
    return { serviceRevisions, failures };
  }

  private deploymentOf(arn: unknown): ServiceDeploymentRecord {
    const deployment = typeof arn === 'string' ? this.state.deployments.get(arn) : undefined;
    if (deployment === undefined)
      throw new AwsError(
        'ServiceDeploymentNotFoundException',
        `Service deployment not found: ${String(arn)}`,
      );
    return deployment;
  }

  private continueServiceDeployment(input: Input, now: number): unknown {
    const deployment = this.deploymentOf(input.serviceDeploymentArn);
    const hook = deployment.hooks.find((h) => h.hookId === input.hookId);
    if (hook === undefined)
      throw invalidParameter(`Lifecycle hook ${String(input.hookId)} was not found for this deployment`);
    if (hook.status !== 'AWAITING_ACTION')
      throw invalidParameter(`Lifecycle hook ${hook.hookId} is ${hook.status}, not AWAITING_ACTION`);
    const action = (input.action as string | undefined) ?? 'CONTINUE';
    if (action !== 'CONTINUE' && action !== 'ROLLBACK')
      throw invalidParameter(`action must be CONTINUE or ROLLBACK; got ${action}`);
    hook.status = 'SUCCEEDED';
    hook.answeredAt = now;
    hook.answer = action;
    deployment.updatedAt = now;
    // During a rollback (pauseDuringRollback) either answer lets the rollback go on.
    if (action === 'ROLLBACK' && deployment.status === 'IN_PROGRESS')
      requestRollback(
        deployment,
        now,
        `Rollback requested through lifecycle hook ${hook.hookId} at ${hook.lifecycleStage}`,
      );
    return { serviceDeploymentArn: deployment.arn };
  }

  private stopServiceDeployment(input: Input, now: number): unknown {
    const deployment = this.deploymentOf(input.serviceDeploymentArn);
    const stopType = (input.stopType as string | undefined) ?? 'ROLLBACK';
    if (stopType !== 'ROLLBACK' && stopType !== 'ABORT')
      throw invalidParameter(`stopType must be ABORT or ROLLBACK; got ${stopType}`);
    if (deployment.status !== 'IN_PROGRESS' && deployment.status !== 'PENDING')
      throw new AwsError(
        'ConflictException',
        `The service deployment is ${deployment.status} and cannot be stopped`,
      );
    if (stopType === 'ROLLBACK') {
      if (deployment.sources.length === 0)
        throw invalidParameter('The service deployment has no source revision to roll back to');
      requestRollback(deployment, now, 'Rollback requested through StopServiceDeployment');
    } else {
      deployment.status = 'STOP_REQUESTED';
      deployment.statusReason = 'Stopped through StopServiceDeployment (ABORT)';
      deployment.terminalAt = now + this.context.timing.stopMs;
      deployment.updatedAt = now;
      closeWaitingHooks(deployment, now);
    }
    return { serviceDeploymentArn: deployment.arn };
  }

  /**
   * ListTasks by serviceName or an ecs-svc/ startedBy: that service's tasks. Otherwise every task
   * of the cluster the filters select (family, startedBy, launchType, desiredStatus RUNNING by
   * default): service tasks, one-off tasks, then whatever moto started itself; pages of maxResults.
   */
  private async listTasks(input: Input, now: number): Promise<unknown> {
    const cluster = await this.resolveCluster(input.cluster);
    const { region, account } = this.state.identity;
    const arnOf = (task: ServiceTask) => `arn:aws:ecs:${region}:${account}:task/${cluster.name}/${task.id}`;
    const wantStopped = input.desiredStatus === 'STOPPED';
    if (typeof input.serviceName === 'string' || String(input.startedBy ?? '').startsWith('ecs-svc/')) {
      const tasks = this.allServiceTasks().filter(
        (task) =>
          task.service.clusterArn === cluster.arn &&
          (input.serviceName === undefined || task.service.name === input.serviceName) &&
          (input.startedBy === undefined || task.revision.ecsDeploymentId === input.startedBy) &&
          (task.lastStatus === 'STOPPED') === wantStopped,
      );
      return { taskArns: tasks.map(arnOf) };
    }
    const family = typeof input.family === 'string' ? input.family : undefined;
    const startedBy = typeof input.startedBy === 'string' ? input.startedBy : undefined;
    const launchType = typeof input.launchType === 'string' ? input.launchType : undefined;
    const desiredStatus = typeof input.desiredStatus === 'string' ? input.desiredStatus : 'RUNNING';
    const services = this.allServiceTasks().filter(
      (task) =>
        task.service.clusterArn === cluster.arn &&
        (family === undefined || familyRevision(task.revision.taskDefinition).family === family) &&
        (startedBy === undefined || task.revision.ecsDeploymentId === startedBy) &&
        (launchType === undefined || task.service.extra.launchType === launchType) &&
        (task.lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING') === desiredStatus,
    );
    const oneOff = listOneOffTasks(
      this.state,
      cluster.arn,
      { family, startedBy, launchType, desiredStatus },
      now,
    ).sort((a, b) => a.createdAt - b.createdAt);
    const fromMoto = await this.ecs.send(
      new ListTasksCommand({
        cluster: cluster.arn,
        family,
        startedBy,
        launchType: launchType as LaunchType | undefined,
        desiredStatus: desiredStatus as DesiredStatus,
      }),
    );
    const all = [
      ...services.map(arnOf),
      ...oneOff.map((task) => task.arn),
      ...(fromMoto.taskArns ?? []).filter((arn) => findOneOffTask(this.state, arn) === undefined),
    ];
    const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
    const max = typeof input.maxResults === 'number' ? input.maxResults : 100;
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw invalidParameter(`maxResults must be from 1 to 100; got ${String(input.maxResults)}.`);
    return {
      taskArns: all.slice(start, start + max),
      ...(start + max < all.length ? { nextToken: String(start + max) } : {}),
    };
  }

  /**
   * Service tasks and one-off tasks from the model; any other task ARN is asked of moto, and one
   * neither knows is a MISSING failure (moto leaves it out of both lists; ECS reports it).
   */
  private async describeTasks(input: Input, now: number): Promise<unknown> {
    const cluster = await this.resolveCluster(input.cluster);
    const wanted = (input.tasks as string[] | undefined) ?? [];
    const byId = new Map(this.allServiceTasks().map((task) => [task.id, task]));
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    const others: string[] = [];
    for (const arn of wanted) {
      const oneOff = findOneOffTask(this.state, arn);
      if (oneOff !== undefined) {
        if (oneOff.clusterArn === cluster.arn)
          tasks.push(serializeOneOffTask(oneOff, this.state.identity, now));
        else failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const task = byId.get(arn.split('/').pop() ?? arn);
      if (task === undefined) {
        others.push(arn);
        continue;
      }
      const definition = await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: task.revision.taskDefinition }),
      );
      tasks.push(
        serializeTask(
          task,
          this.state.identity,
          cluster.name,
          definition.taskDefinition?.containerDefinitions ?? [],
          this.state.imageDigests,
        ),
      );
    }
    if (others.length > 0) {
      const fromMoto = await this.ecs.send(new DescribeTasksCommand({ cluster: cluster.arn, tasks: others }));
      tasks.push(...(fromMoto.tasks ?? []).map(jsonTask));
      failures.push(...(fromMoto.failures ?? []));
      const answered = [
        ...(fromMoto.tasks ?? []).map((task) => task.taskArn ?? ''),
        ...(fromMoto.failures ?? []).map((failure) => failure.arn ?? ''),
      ];
      for (const arn of others)
        if (!answered.some((known) => known === arn || known.endsWith(`/${arn}`)))
          failures.push({ arn, reason: 'MISSING' });
    }
    return { tasks, failures };
  }
}

/** An SDK Task back in awsJson form (dates as epoch seconds). */
function jsonTask(task: object): unknown {
  return JSON.parse(
    JSON.stringify(task, (_key, value: unknown) => value),
    (_key, value: unknown) =>
      typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)
        ? Date.parse(value) / 1000
        : value,
  );
}

/**
 * ECS's circuit breaker threshold (SDK doc comments of ServiceDeploymentCircuitBreaker and
 * ThresholdConfiguration): BOUNDED_PERCENT (default, value 50) is value% of desired within 3..200,
 * UNBOUNDED_PERCENT the same without bounds, COUNT the value itself.
 */
export function circuitBreakerThreshold(
  desiredCount: number,
  configuration: { type?: string; value?: number } | undefined,
): number {
  const type = configuration?.type ?? 'BOUNDED_PERCENT';
  const value = configuration?.value ?? 50;
  if (type === 'COUNT') return Math.max(1, value);
  const raw = Math.ceil((value / 100) * desiredCount);
  if (type === 'UNBOUNDED_PERCENT') return Math.max(1, raw);
  return Math.min(200, Math.max(3, raw));
}
