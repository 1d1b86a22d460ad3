import type {
  DeploymentConfiguration,
  DeploymentLifecycleHookAction,
  LoadBalancer,
  ServiceConnectConfiguration,
} from '@aws-sdk/client-ecs';

/** A service revision: what one deployment runs (ECS keeps one per deployment). */
export interface Revision {
  arn: string;
  taskDefinition: string;
  createdAt: number;
  /** Which of the two target groups serves this revision (undefined without a load balancer). */
  targetGroupArn?: string;
  /** The ECS `Deployment` id (ecs-svc/...) that started its tasks: Service.deployments[].id, tasks' startedBy. */
  ecsDeploymentId: string;
}

export type DeploymentStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOPPED'
  | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED';

export interface HookDetail {
  hookId: string;
  targetType: 'PAUSE';
  lifecycleStage: string;
  status: 'AWAITING_ACTION' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  expiresAt: number;
  timeoutAction: DeploymentLifecycleHookAction;
  /** When the answer (or the expiry) came, in simulated ms. */
  answeredAt?: number;
  answer?: DeploymentLifecycleHookAction;
}

/** One step of a deployment's plan: enter `stage`, pause at its hooks, act, then wait `durationMs`. */
export interface PlanStep {
  stage: string;
  /** Production weight (0..100) of the new revision after this step's action. */
  productionWeight?: number;
  /** Test weight (0..100) of the new revision after this step's action. */
  testWeight?: number;
  /** New tasks reach their requested count during this step. */
  scaleUp?: boolean;
  /** The source revision's tasks are stopped at this step. */
  cleanUp?: boolean;
  /** Rollback: the source revision's tasks are started again during this step. */
  scaleUpSource?: boolean;
  /** Rollback: the target revision's tasks are stopped at this step. */
  cleanUpTarget?: boolean;
  durationMs: number;
}

export interface ServiceDeploymentRecord {
  arn: string;
  serviceArn: string;
  clusterArn: string;
  serviceName: string;
  status: DeploymentStatus;
  statusReason?: string;
  lifecycleStage: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  deploymentConfiguration: DeploymentConfiguration;
  target: Revision;
  sources: Revision[];
  plan: PlanStep[];
  stepIndex: number;
  /** Simulated ms at which the current step was entered. */
  stepEnteredAt: number;
  /** Simulated ms at which the current step's hooks were all answered and its action ran. */
  stepActedAt?: number;
  hooks: HookDetail[];
  /** Hooks of the current step (a subset of `hooks`), created on entering it. */
  currentHooks: HookDetail[];
  productionWeight: number;
  testWeight: number;
  /** Tasks the target revision asks for (the service's desiredCount at start). */
  requestedTaskCount: number;
  targetRunning: number;
  sourceRunning: number;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  /** When ROLLBACK_IN_PROGRESS / STOP_REQUESTED reach their end. */
  terminalAt?: number;
  circuitBreaker: {
    status: 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED' | 'DISABLED';
    failureCount: number;
    threshold: number;
  };
  alarms: {
    status: 'MONITORING' | 'MONITORING_COMPLETE' | 'TRIGGERED' | 'DISABLED';
    alarmNames: string[];
    triggeredAlarmNames: string[];
  };
  /** CreateService's first deployment: no PAUSE hooks, no traffic shift. */
  initial?: boolean;
  /** Rolling deployments whose circuit breaker tripped without rollback: rolloutState FAILED. */
  failed?: boolean;
  /** Simulated ms until which the deployment is left out of list/describe answers (listDelayMs). */
  hiddenUntil?: number;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceRecord {
  arn: string;
  name: string;
  clusterArn: string;
  clusterName: string;
  taskDefinition: string;
  desiredCount: number;
  deploymentConfiguration: DeploymentConfiguration;
  loadBalancers: LoadBalancer[];
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  /** Every other CreateService field, echoed as given (launchType, networkConfiguration...). */
  extra: Record<string, unknown>;
  createdAt: number;
  deployments: ServiceDeploymentRecord[];
  /** The revision the service runs when no deployment is in flight. */
  current: Revision;
  events: ServiceEvent[];
}

export type ServiceStrategy = 'ROLLING' | 'BLUE_GREEN' | 'CANARY' | 'LINEAR';

export function strategyOf(configuration: DeploymentConfiguration): ServiceStrategy {
  const strategy = configuration.strategy ?? 'ROLLING';
  return strategy as ServiceStrategy;
}

/** Deployments not yet in a final state. */
export function isInFlight(deployment: ServiceDeploymentRecord): boolean {
  return ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(
    deployment.status,
  );
}
