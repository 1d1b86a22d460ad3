import type { DeploymentLifecycleHook } from '@aws-sdk/client-ecs';
import { buildRollbackPlan } from './deployment-plan.js';
import type { HookDetail, ServiceDeploymentRecord, ServiceRecord } from './ecs-model.js';
import { isInFlight } from './ecs-model.js';
import { newHookId, type EcsState } from './ecs-state.js';
import type { LocalAwsTiming } from './timing.js';
import { groupPair, type TrafficRouter } from './traffic.js';

const MINUTE = 60_000;

/** What the lifecycle needs from its surroundings. */
export interface LifecycleContext {
  state: EcsState;
  timing: LocalAwsTiming;
  traffic: TrafficRouter;
  /** Whether configured PAUSE hooks also wait during a rollback (see buildRollbackPlan). */
  pauseDuringRollback(): boolean;
  /** The names among `alarmNames` whose CloudWatch (moto) state is ALARM. */
  alarmsInAlarm(alarmNames: string[]): Promise<string[]>;
  addEvent(service: ServiceRecord, at: number, message: string): void;
  clockNow(): number;
}

/**
 * Moves every in-flight deployment forward to `now`, step by step at the exact simulated moment
 * each step ends, so a jump of an hour runs the same sequence as an hour of polling.
 */
export async function advanceDeployments(context: LifecycleContext, now: number): Promise<void> {
  for (const deployment of context.state.deployments.values()) {
    if (!isInFlight(deployment)) continue;
    const service = context.state.services.get(deployment.serviceArn);
    if (service === undefined) continue;
    await checkAlarms(context, service, deployment, now);
    // A bounded loop: every pass either finishes a step or stops at something still in the future.
    for (let pass = 0; pass < 10_000; pass++) {
      if (!(await advanceOnce(context, service, deployment, now))) break;
    }
  }
}

/**
 * The next simulated moment at which some deployment changes on its own (a step ends, a pause
 * expires, a failing task is counted); undefined when every deployment waits for a caller or is done.
 * Lets in-process tests jump from event to event instead of polling minute by minute.
 */
export function nextChangeAt(context: LifecycleContext): number | undefined {
  let next: number | undefined;
  const consider = (at: number | undefined) => {
    if (at !== undefined && (next === undefined || at < next)) next = at;
  };
  for (const deployment of context.state.deployments.values()) {
    if (!isInFlight(deployment)) continue;
    if (deployment.status === 'STOP_REQUESTED') {
      consider(deployment.terminalAt);
      continue;
    }
    const step = deployment.plan[deployment.stepIndex];
    if (step === undefined) continue;
    if (deployment.stepActedAt === undefined) {
      for (const hook of deployment.currentHooks)
        if (hook.status === 'AWAITING_ACTION') consider(hook.expiresAt);
      continue;
    }
    if (step.scaleUp && context.state.taskFaults.failing.has(deployment.target.taskDefinition)) {
      consider(context.clockNow() + context.timing.taskFailureIntervalMs);
      continue;
    }
    consider(deployment.stepActedAt + step.durationMs);
  }
  return next;
}

async function advanceOnce(
  context: LifecycleContext,
  service: ServiceRecord,
  deployment: ServiceDeploymentRecord,
  now: number,
): Promise<boolean> {
  switch (deployment.status) {
    case 'PENDING': {
      deployment.status = 'IN_PROGRESS';
      deployment.startedAt = deployment.createdAt;
      enterStep(deployment, 0, deployment.createdAt, true);
      touch(deployment, deployment.createdAt);
      return true;
    }
    case 'ROLLBACK_REQUESTED': {
      const at = deployment.rollback?.startedAt ?? now;
      deployment.status = 'ROLLBACK_IN_PROGRESS';
      const sourceNeedsScaleUp = deployment.sourceRunning < deployment.requestedTaskCount;
      deployment.plan = buildRollbackPlan(context.timing, sourceNeedsScaleUp, context.pauseDuringRollback());
      enterStep(deployment, 0, at, context.pauseDuringRollback());
      touch(deployment, at);
      context.addEvent(
        service,
        at,
        `(service ${service.name}) rolling back service deployment ${deployment.arn}.`,
      );
      return true;
    }
    case 'STOP_REQUESTED': {
      const end = deployment.terminalAt ?? now;
      if (now < end) return false;
      deployment.status = 'STOPPED';
      deployment.stoppedAt = end;
      deployment.finishedAt = end;
      touch(deployment, end);
      return false;
    }
    case 'IN_PROGRESS':
    case 'ROLLBACK_IN_PROGRESS':
      return advanceStep(context, service, deployment, now);
    default:
      return false;
  }
}

async function advanceStep(
  context: LifecycleContext,
  service: ServiceRecord,
  deployment: ServiceDeploymentRecord,
  now: number,
): Promise<boolean> {
  const rollingBack = deployment.status === 'ROLLBACK_IN_PROGRESS';
  const step = deployment.plan[deployment.stepIndex];
  if (step === undefined) return false;
  if (deployment.stepActedAt === undefined) {
    const waiting = deployment.currentHooks.filter((hook) => hook.status === 'AWAITING_ACTION');
    const expired = waiting
      .filter((hook) => hook.expiresAt <= now)
      .sort((a, b) => a.expiresAt - b.expiresAt)[0];
    if (expired !== undefined) {
      expired.status = 'TIMED_OUT';
      expired.answeredAt = expired.expiresAt;
      expired.answer = expired.timeoutAction;
      touch(deployment, expired.expiresAt);
      if (expired.timeoutAction === 'ROLLBACK' && !rollingBack)
        requestRollback(
          deployment,
          expired.expiresAt,
          `Lifecycle hook ${expired.hookId} timed out at ${step.stage}; its timeout action is ROLLBACK.`,
        );
      return true;
    }
    if (waiting.length > 0) return false;
    const actedAt = Math.max(
      deployment.stepEnteredAt,
      ...deployment.currentHooks.map((hook) => hook.answeredAt ?? 0),
    );
    deployment.stepActedAt = actedAt;
    if (step.productionWeight !== undefined || step.testWeight !== undefined)
      await setTraffic(
        context,
        service,
        deployment,
        step.productionWeight ?? deployment.productionWeight,
        step.testWeight ?? deployment.testWeight,
        actedAt,
      );
    touch(deployment, actedAt);
    return true;
  }
  if (step.scaleUp) {
    const failing = context.state.taskFaults.failing.get(deployment.target.taskDefinition);
    if (failing !== undefined) return failTasks(context, service, deployment, now, failing.since);
  }
  const end = deployment.stepActedAt + step.durationMs;
  if (now < end) return false;
  if (step.scaleUp) deployment.targetRunning = deployment.requestedTaskCount;
  if (step.scaleUpSource) deployment.sourceRunning = deployment.requestedTaskCount;
  if (step.cleanUp) deployment.sourceRunning = 0;
  if (step.cleanUpTarget) deployment.targetRunning = 0;
  const next = deployment.stepIndex + 1;
  if (next < deployment.plan.length) {
    enterStep(deployment, next, end, !deployment.initial && (!rollingBack || context.pauseDuringRollback()));
    touch(deployment, end);
    return true;
  }
  deployment.finishedAt = end;
  touch(deployment, end);
  completeMonitors(deployment);
  if (rollingBack) {
    deployment.status = 'ROLLBACK_SUCCESSFUL';
    const source = deployment.sources[0];
    if (source !== undefined) {
      service.current = source;
      service.taskDefinition = source.taskDefinition;
    }
    context.addEvent(service, end, `(service ${service.name}) rolled back to ${service.taskDefinition}.`);
    context.addEvent(service, end, `(service ${service.name}) has reached a steady state.`);
    return false;
  }
  deployment.status = 'SUCCESSFUL';
  service.current = deployment.target;
  context.addEvent(
    service,
    end,
    `(service ${service.name}) (service deployment ${deployment.arn}) completed.`,
  );
  context.addEvent(service, end, `(service ${service.name}) has reached a steady state.`);
  return false;
}

/**
 * A revision whose tasks fail: one failure every taskFailureIntervalMs; at the circuit breaker's
 * threshold the deployment rolls back (rollback: true) or fails (rolloutState FAILED).
 */
function failTasks(
  context: LifecycleContext,
  service: ServiceRecord,
  deployment: ServiceDeploymentRecord,
  now: number,
  failingSince: number,
): boolean {
  const from = Math.max(deployment.stepActedAt ?? now, failingSince);
  const interval = context.timing.taskFailureIntervalMs;
  const breaker = deployment.deploymentConfiguration.deploymentCircuitBreaker;
  const threshold = deployment.circuitBreaker.threshold;
  const failuresByNow = Math.max(0, Math.floor((now - from) / interval));
  deployment.targetRunning = 0;
  if (breaker?.enable !== true || failuresByNow < threshold) {
    deployment.circuitBreaker.failureCount = failuresByNow;
    return false;
  }
  const trippedAt = from + threshold * interval;
  deployment.circuitBreaker.failureCount = threshold;
  deployment.circuitBreaker.status = 'TRIGGERED';
  const failing = context.state.taskFaults.failing.get(deployment.target.taskDefinition);
  const reason =
    `ECS deployment circuit breaker: ${threshold} tasks failed to start` +
    (failing ? ` (${failing.reason}, exit code ${failing.exitCode}).` : '.');
  failDeployment(deployment, trippedAt, reason, breaker.rollback === true);
  context.addEvent(service, trippedAt, `(service ${service.name}) ${reason}`);
  return true;
}

/**
 * CloudWatch alarms (deploymentConfiguration.alarms): ECS watches them during the deployment; here
 * their state is read from moto (set with SetAlarmState; moto does not evaluate alarms itself).
 */
async function checkAlarms(
  context: LifecycleContext,
  service: ServiceRecord,
  deployment: ServiceDeploymentRecord,
  now: number,
): Promise<void> {
  const configured = deployment.deploymentConfiguration.alarms;
  if (deployment.status !== 'IN_PROGRESS' || configured?.enable !== true) return;
  if (deployment.alarms.alarmNames.length === 0) return;
  const triggered = await context.alarmsInAlarm(deployment.alarms.alarmNames);
  if (triggered.length === 0) return;
  deployment.alarms.status = 'TRIGGERED';
  deployment.alarms.triggeredAlarmNames = triggered;
  const reason = `CloudWatch alarm(s) ${triggered.join(', ')} in ALARM during the deployment.`;
  failDeployment(deployment, now, reason, configured.rollback === true);
  context.addEvent(service, now, `(service ${service.name}) ${reason}`);
}

function failDeployment(
  deployment: ServiceDeploymentRecord,
  at: number,
  reason: string,
  rollback: boolean,
): void {
  if (rollback) {
    requestRollback(deployment, at, reason);
    return;
  }
  deployment.status = 'STOPPED';
  deployment.statusReason = reason;
  deployment.failed = true;
  deployment.stoppedAt = at;
  deployment.finishedAt = at;
  closeWaitingHooks(deployment, at);
  touch(deployment, at);
}

function completeMonitors(deployment: ServiceDeploymentRecord): void {
  if (deployment.circuitBreaker.status === 'MONITORING')
    deployment.circuitBreaker.status = 'MONITORING_COMPLETE';
  if (deployment.alarms.status === 'MONITORING') deployment.alarms.status = 'MONITORING_COMPLETE';
}

function enterStep(deployment: ServiceDeploymentRecord, index: number, at: number, withHooks: boolean): void {
  const step = deployment.plan[index];
  if (step === undefined) return;
  deployment.stepIndex = index;
  deployment.stepEnteredAt = at;
  deployment.stepActedAt = undefined;
  deployment.lifecycleStage = step.stage;
  const hooks = withHooks
    ? pauseHooksAt(deployment.deploymentConfiguration.lifecycleHooks ?? [], step.stage)
    : [];
  deployment.currentHooks = hooks.map((hook): HookDetail => {
    const minutes = hook.timeoutConfiguration?.timeoutInMinutes ?? 1440;
    return {
      hookId: newHookId(),
      targetType: 'PAUSE',
      lifecycleStage: step.stage,
      status: 'AWAITING_ACTION',
      expiresAt: at + minutes * MINUTE,
      timeoutAction: hook.timeoutConfiguration?.action ?? 'ROLLBACK',
    };
  });
  deployment.hooks.push(...deployment.currentHooks);
}

/** PAUSE hooks only: Lambda hooks are not modelled (they pass at once). */
function pauseHooksAt(hooks: DeploymentLifecycleHook[], stage: string): DeploymentLifecycleHook[] {
  return hooks.filter(
    (hook) =>
      hook.targetType === 'PAUSE' && (hook.lifecycleStages ?? []).some((candidate) => candidate === stage),
  );
}

/** ROLLBACK_REQUESTED; pauses still waiting are closed as FAILED so nobody answers them. */
export function requestRollback(deployment: ServiceDeploymentRecord, at: number, reason: string): void {
  const source = deployment.sources[0];
  deployment.status = 'ROLLBACK_REQUESTED';
  deployment.statusReason = reason;
  deployment.rollback = { reason, startedAt: at, serviceRevisionArn: source?.arn ?? deployment.target.arn };
  closeWaitingHooks(deployment, at);
  touch(deployment, at);
}

export function closeWaitingHooks(deployment: ServiceDeploymentRecord, at: number): void {
  for (const hook of deployment.hooks) {
    if (hook.status !== 'AWAITING_ACTION') continue;
    hook.status = 'FAILED';
    hook.answeredAt = at;
  }
}

function touch(deployment: ServiceDeploymentRecord, at: number): void {
  deployment.updatedAt = Math.max(deployment.updatedAt, at);
}

/**
 * Sets the new revision's production and test weights; with a load balancer the listener rules are
 * rewritten through moto (never the service's loadBalancers), with Service Connect only the model.
 */
export async function setTraffic(
  context: LifecycleContext,
  service: ServiceRecord,
  deployment: ServiceDeploymentRecord,
  productionWeight: number,
  testWeight: number,
  at: number,
): Promise<void> {
  deployment.productionWeight = productionWeight;
  deployment.testWeight = testWeight;
  const newGroup = deployment.target.targetGroupArn;
  if (newGroup === undefined) return;
  for (const lb of service.loadBalancers) {
    const pair = groupPair(lb);
    const advanced = lb.advancedConfiguration;
    if (pair === undefined || advanced === undefined || !pair.includes(newGroup)) continue;
    const oldGroup = pair[0] === newGroup ? pair[1] : pair[0];
    try {
      if (advanced.productionListenerRule)
        await context.traffic.shift(
          advanced.productionListenerRule,
          oldGroup,
          newGroup,
          productionWeight,
          at,
        );
      if (advanced.testListenerRule && advanced.testListenerRule !== advanced.productionListenerRule)
        await context.traffic.shift(advanced.testListenerRule, oldGroup, newGroup, testWeight, at);
    } catch (err) {
      context.addEvent(
        service,
        at,
        `(service ${service.name}) failed to modify listener rules: ${(err as Error).message}`,
      );
    }
  }
}
