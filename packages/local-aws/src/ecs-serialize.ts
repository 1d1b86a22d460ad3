import type { Revision, ServiceDeploymentRecord, ServiceRecord } from './ecs-model.js';
import { isInFlight } from './ecs-model.js';

/** awsJson timestamps are epoch seconds. */
export function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

export interface SerializeOptions {
  omitTrafficWeights: boolean;
  /** Report PRE_PRODUCTION_TRAFFIC_SHIFT as such (SDK doc) or as the stage before it (SDK enum). */
  reportPreProductionStage: boolean;
}

export function serializeDeployment(
  d: ServiceDeploymentRecord,
  options: SerializeOptions,
): Record<string, unknown> {
  const weights = (production: number, test: number): Record<string, number> =>
    options.omitTrafficWeights
      ? {}
      : { requestedProductionTrafficWeight: production, requestedTestTrafficWeight: test };
  return {
    serviceDeploymentArn: d.arn,
    serviceArn: d.serviceArn,
    clusterArn: d.clusterArn,
    createdAt: seconds(d.createdAt),
    startedAt: seconds(d.startedAt),
    finishedAt: seconds(d.finishedAt),
    stoppedAt: seconds(d.stoppedAt),
    updatedAt: seconds(d.updatedAt),
    status: d.status,
    statusReason: d.statusReason,
    lifecycleStage: reportedStage(d, options.reportPreProductionStage),
    deploymentConfiguration: d.deploymentConfiguration,
    targetServiceRevision: {
      arn: d.target.arn,
      requestedTaskCount: d.requestedTaskCount,
      runningTaskCount: d.targetRunning,
      pendingTaskCount: Math.max(0, (isInFlight(d) ? d.requestedTaskCount : 0) - d.targetRunning),
      ...weights(d.productionWeight, d.testWeight),
    },
    sourceServiceRevisions: d.sources.map((source, index) => ({
      arn: source.arn,
      requestedTaskCount: index === 0 ? d.requestedTaskCount : 0,
      runningTaskCount: index === 0 ? d.sourceRunning : 0,
      pendingTaskCount: 0,
      ...weights(index === 0 ? 100 - d.productionWeight : 0, index === 0 ? 100 - d.testWeight : 0),
    })),
    lifecycleHookDetails: d.hooks.map((hook) => ({
      hookId: hook.hookId,
      targetType: hook.targetType,
      lifecycleStage: hook.lifecycleStage,
      status: hook.status,
      expiresAt: seconds(hook.expiresAt),
      timeoutAction: hook.timeoutAction,
    })),
    rollback: d.rollback && {
      reason: d.rollback.reason,
      startedAt: seconds(d.rollback.startedAt),
      serviceRevisionArn: d.rollback.serviceRevisionArn,
    },
    deploymentCircuitBreaker: d.circuitBreaker,
    alarms: {
      status: d.alarms.status,
      alarmNames: d.alarms.alarmNames,
      triggeredAlarmNames: d.alarms.triggeredAlarmNames,
    },
  };
}

/**
 * The SDK's doc comment lists PRE_PRODUCTION_TRAFFIC_SHIFT as a lifecycleStage, its enum does not:
 * with reportPreProductionStage false the stage before it is reported instead.
 */
function reportedStage(d: ServiceDeploymentRecord, reportPreProductionStage: boolean): string {
  if (reportPreProductionStage || d.lifecycleStage !== 'PRE_PRODUCTION_TRAFFIC_SHIFT')
    return d.lifecycleStage;
  for (let index = d.stepIndex - 1; index >= 0; index--) {
    const stage = d.plan[index]?.stage;
    if (stage !== undefined && stage !== 'PRE_PRODUCTION_TRAFFIC_SHIFT') return stage;
  }
  return 'POST_TEST_TRAFFIC_SHIFT';
}

export function serializeDeploymentBrief(d: ServiceDeploymentRecord): Record<string, unknown> {
  return {
    serviceDeploymentArn: d.arn,
    serviceArn: d.serviceArn,
    clusterArn: d.clusterArn,
    createdAt: seconds(d.createdAt),
    startedAt: seconds(d.startedAt),
    finishedAt: seconds(d.finishedAt),
    targetServiceRevisionArn: d.target.arn,
    status: d.status,
    statusReason: d.statusReason,
  };
}

export interface EcsDeploymentView {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  revision: Revision;
  running: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * Service.deployments[]: PRIMARY for the revision being deployed (or run), ACTIVE for the one it
 * replaces; a crash-looping revision runs one task short of what it asks for.
 */
export function serviceDeploymentsView(
  service: ServiceRecord,
  crashLooping: (taskDefinition: string) => boolean,
): EcsDeploymentView[] {
  const cap = (revision: Revision, running: number): number =>
    crashLooping(revision.taskDefinition)
      ? Math.min(running, Math.max(0, service.desiredCount - 1))
      : running;
  const latest = service.deployments[service.deployments.length - 1];
  if (latest === undefined || (!isInFlight(latest) && latest.status !== 'STOPPED')) {
    const current = service.current;
    return [
      {
        id: current.ecsDeploymentId,
        status: 'PRIMARY',
        revision: current,
        running: cap(current, service.desiredCount),
        rolloutState: 'COMPLETED',
        rolloutStateReason: 'ECS deployment completed.',
        createdAt: latest?.createdAt ?? service.createdAt,
        updatedAt: latest?.updatedAt ?? service.createdAt,
      },
    ];
  }
  const rollingBack = latest.status.startsWith('ROLLBACK');
  const target: EcsDeploymentView = {
    id: latest.target.ecsDeploymentId,
    status: rollingBack ? 'ACTIVE' : 'PRIMARY',
    revision: latest.target,
    running: cap(latest.target, latest.targetRunning),
    rolloutState: latest.status === 'STOPPED' ? 'FAILED' : 'IN_PROGRESS',
    ...(latest.status === 'STOPPED' ? { rolloutStateReason: latest.statusReason } : {}),
    createdAt: latest.createdAt,
    updatedAt: latest.updatedAt,
  };
  const sources: EcsDeploymentView[] = latest.sources.map((source, index) => ({
    id: source.ecsDeploymentId,
    status: rollingBack && index === 0 ? 'PRIMARY' : 'ACTIVE',
    revision: source,
    running: index === 0 ? cap(source, latest.sourceRunning) : 0,
    rolloutState: rollingBack && index === 0 ? 'IN_PROGRESS' : 'COMPLETED',
    createdAt: source.createdAt,
    updatedAt: latest.updatedAt,
  }));
  return rollingBack ? [...sources.slice(0, 1), target, ...sources.slice(1)] : [target, ...sources];
}

export function serializeService(
  service: ServiceRecord,
  crashLooping: (taskDefinition: string) => boolean,
): Record<string, unknown> {
  const views = serviceDeploymentsView(service, crashLooping);
  const running = views.reduce((sum, view) => sum + view.running, 0);
  const latest = service.deployments[service.deployments.length - 1];
  return {
    ...service.extra,
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: service.loadBalancers,
    serviceConnectConfiguration: service.serviceConnectConfiguration,
    status: 'ACTIVE',
    desiredCount: service.desiredCount,
    runningCount: running,
    pendingCount: Math.max(0, service.desiredCount - running),
    taskDefinition: service.taskDefinition,
    deploymentConfiguration: service.deploymentConfiguration,
    deploymentController: { type: 'ECS' },
    currentServiceDeployment: latest?.arn,
    deployments: views.map((view) => ({
      id: view.id,
      status: view.status,
      taskDefinition: view.revision.taskDefinition,
      serviceRevisionArn: view.revision.arn,
      desiredCount: view.status === 'PRIMARY' ? service.desiredCount : 0,
      runningCount: view.running,
      pendingCount: view.status === 'PRIMARY' ? Math.max(0, service.desiredCount - view.running) : 0,
      failedTasks: 0,
      createdAt: seconds(view.createdAt),
      updatedAt: seconds(view.updatedAt),
      rolloutState: view.rolloutState,
      rolloutStateReason: view.rolloutStateReason,
      serviceConnectConfiguration: service.serviceConnectConfiguration,
    })),
    events: service.events.slice(0, 100).map((event) => ({
      id: event.id,
      createdAt: seconds(event.createdAt),
      message: event.message,
    })),
    createdAt: seconds(service.createdAt),
  };
}
