import {
  type DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
} from '@aws-sdk/client-ecs';
import { isTransientAwsError } from '@ecs-ship/shared/aws-clients';
import { describeError } from '@ecs-ship/shared/errors';
import { poll } from '@ecs-ship/shared/poll';
import type { Deps } from '../deps.js';
import { awaitingHookIds, HookAnswers, type HookPolicy } from './hook-answers.js';
import type { Strategy, WaitMode } from '../inputs.js';
import { predictedSleepMs, updateMarks, type Marks } from './pacing.js';
import { describeChanges, snapshotOf, type Observation, type Snapshot } from './progress-log.js';
import { reachedStage } from './stages.js';

export interface WatchTarget {
  cluster: string;
  service: string;
  /** The native service deployment; without it the service's deployments are watched (the waiter's rule). */
  deploymentArn?: string;
  taskDefinitionArn: string;
  /** What the service ran before: a service that runs it again was rolled back; one that runs neither, superseded. */
  previousTaskDefinitionArn?: string;
  strategy: Strategy;
  /** What was sent, for bake lengths when the deployment does not echo its configuration. */
  deploymentConfiguration?: DeploymentConfiguration;
}

/**
 * `reached`: the stage `wait` names was reached (the deployment goes on). `stopped`: ECS stopped the
 * deployment (another one replaced it, or someone stopped it). `superseded`: the service runs a
 * revision that is neither this run's nor the previous one.
 */
export type Outcome =
  | 'succeeded'
  | 'rolled-back'
  | 'failed'
  | 'stopped'
  | 'superseded'
  | 'paused'
  | 'reached'
  | 'in-progress'
  | 'timeout';

export interface StageSpan {
  stage: string;
  startedAt: number;
  endedAt?: number;
}

export interface WatchResult {
  outcome: Outcome;
  /** The hook awaiting ContinueServiceDeployment when paused. */
  hookId?: string;
  last?: Observation;
  timeline: StageSpan[];
  calls: number;
}

/**
 * Poll spacing, tuned with bench/run.ts on a scripted 30-minute canary. A milestone (status, stage,
 * hook, a revision reaching its goal) tightens to `initialDelayMs`, since the end follows one; idle
 * periods back off to `maxDelayMs`; a bake of known length is slept through (pacing.ts). On that
 * canary it costs fewer calls than the ServicesStable waiter (15–120 s) and sees the end some 14 s
 * after it happens on average, against about a minute.
 */
export const WATCH_TIMING = { initialDelayMs: 10_000, maxDelayMs: 60_000, backoff: 2 };

export interface WatchOptions {
  wait: WaitMode;
  deadline: number;
  /** Which pauses the watch answers itself (hook-answers.ts). */
  hooks: HookPolicy;
}

/** Waits until the deployment ends or reaches what `wait` asks for; logs every change. */
export async function watchDeployment(
  deps: Deps,
  target: WatchTarget,
  options: WatchOptions,
): Promise<WatchResult> {
  const { ecs, logger, clock } = deps;
  const timeline: StageSpan[] = [];
  const answers = new HookAnswers(options.hooks);
  let misses = 0;
  let previous: Snapshot | undefined;
  let last: Observation | undefined;
  let calls = 0;
  let marks: Marks = {};
  let predicted = false;
  const withService = target.deploymentArn === undefined || target.strategy === 'rolling';

  const result = await poll<{ outcome: Outcome; hookId?: string }>(
    async () => {
      const observation: Observation = { at: clock.now() };
      if (target.deploymentArn) {
        calls++;
        const response = await ecs.send(
          new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [target.deploymentArn] }),
        );
        const deployment = response.serviceDeployments?.[0];
        if (!deployment) {
          // Right after UpdateService, ECS may not list the deployment yet (eventual consistency):
          // look again until the deadline instead of failing (a failure here used to make the post
          // step roll back a deployment that had just started).
          misses++;
          const why = response.failures?.[0]?.reason ?? 'no reason given';
          if (misses === 1)
            logger.info(`ECS does not describe ${target.deploymentArn} yet (${why}); looking again.`);
          else logger.debug(`ECS still does not describe ${target.deploymentArn} (${why}, ${misses} looks).`);
          return { done: false, changed: misses === 1, value: { outcome: 'in-progress' } };
        }
        misses = 0;
        observation.deployment = deployment;
      }
      if (withService) {
        calls++;
        const response = await ecs.send(
          new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
        );
        if (response.services?.[0]) observation.service = response.services[0];
      }
      last = observation;
      const snapshot = snapshotOf(observation);
      const before = previous;
      const lines = describeChanges(previous, snapshot);
      for (const line of lines) logger.info(line);
      trackStage(timeline, snapshot.stage, observation.at);
      previous = snapshot;

      const ours = (hookId: string): boolean => answers.isOurs(hookId, observation.deployment);
      const decided = decide(observation, target, options.wait, ours);
      if (decided.outcome === 'in-progress' && target.deploymentArn && observation.deployment) {
        const answered = await answers.answer(deps, target.deploymentArn, observation.deployment);
        if (answered.kind !== 'none') {
          calls++;
          return { done: false, changed: true, value: { outcome: 'in-progress' } };
        }
      }
      const done = decided.outcome !== 'in-progress';
      // After a predicted sleep, look closely: the bake is about to end.
      // Only milestones (status, stage, a hook) tighten the polling: task counts change one task at a
      // time during a scale-up, and tightening on each would spend calls without seeing the end sooner.
      // Revisions reaching their goal (new one fully running, old ones drained) come right before the end.
      const milestone =
        snapshot.status !== before?.status ||
        snapshot.stage !== before?.stage ||
        JSON.stringify(snapshot.hooks) !== JSON.stringify(before?.hooks ?? []) ||
        settled(snapshot) !== (before ? settled(before) : '');
      const changed = milestone || predicted;
      marks = updateMarks(marks, observation.deployment, observation.at);
      const sleep = predictedSleepMs(
        observation.deployment,
        target.deploymentConfiguration,
        marks,
        observation.at,
        WATCH_TIMING.maxDelayMs,
      );
      predicted = sleep !== undefined;
      if (sleep !== undefined && !done)
        logger.debug(`bake in progress: next look in ${Math.round(sleep / 1000)}s`);
      return { done, changed, value: decided, ...(sleep !== undefined ? { nextDelayMs: sleep } : {}) };
    },
    {
      clock,
      deadline: options.deadline,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...WATCH_TIMING,
      isTransient: isTransientAwsError,
      maxConsecutiveErrors: 6,
      onTransientError: (error, count) =>
        logger.warning(`AWS did not answer (${describeError(error)}); retry ${count} of 5.`),
    },
  );
  const end = clock.now();
  const open = timeline.at(-1);
  const finished = result.status === 'done' && !['paused', 'reached'].includes(result.value?.outcome ?? '');
  if (open && open.endedAt === undefined && finished) open.endedAt = end;
  return {
    outcome: result.status === 'timeout' ? 'timeout' : (result.value?.outcome ?? 'failed'),
    ...(result.value?.hookId ? { hookId: result.value.hookId } : {}),
    ...(last ? { last } : {}),
    timeline,
    calls,
  };
}

/** The first AWAITING_ACTION hook that `select` picks (all of them by default). */
function awaitingHook(
  observation: Observation,
  select: (hookId: string) => boolean = () => true,
): string | undefined {
  return awaitingHookIds(observation.deployment).find(select);
}

/**
 * The outcome an observation shows, given what the caller waits for ('in-progress': keep looking).
 * A hook awaiting action that the watch will not answer itself (`continuedByUs` says which it
 * will) ends the wait as `paused`, whatever `wait` is: nobody else in this run will continue it, and
 * waiting on would only end in a timeout and the rollback of a healthy deployment.
 * Without a service deployment, the service tells (the ServicesStable waiter's rule: one deployment,
 * running = desired), and an unknown count is not read as the desired one.
 */
export function decide(
  observation: Observation,
  target: WatchTarget,
  wait: WaitMode,
  continuedByUs: (hookId: string) => boolean = () => false,
): { outcome: Outcome; hookId?: string } {
  const d = observation.deployment;
  if (d) {
    switch (d.status) {
      case 'SUCCESSFUL':
        return { outcome: 'succeeded' };
      case 'ROLLBACK_SUCCESSFUL':
        return { outcome: 'rolled-back' };
      case 'ROLLBACK_FAILED':
        return { outcome: 'failed' };
      case 'STOPPED':
        return { outcome: 'stopped' };
      case 'STOP_REQUESTED':
      case 'ROLLBACK_REQUESTED':
      case 'ROLLBACK_IN_PROGRESS':
        return { outcome: 'in-progress' };
    }
    if (wait.kind === 'stage' && reachedStage(d.lifecycleStage, wait.stage)) {
      const hookId = awaitingHook(observation);
      return hookId ? { outcome: 'paused', hookId } : { outcome: 'reached' };
    }
    const hookId = awaitingHook(observation, (id) => !continuedByUs(id));
    if (hookId) return { outcome: 'paused', hookId };
    return { outcome: 'in-progress' };
  }
  const service = observation.service;
  if (!service) return { outcome: 'in-progress' };
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (service.taskDefinition !== target.taskDefinitionArn) {
    const superseded =
      target.previousTaskDefinitionArn !== undefined &&
      service.taskDefinition !== target.previousTaskDefinitionArn;
    return { outcome: superseded ? 'superseded' : 'rolled-back' };
  }
  if (primary?.rolloutState === 'FAILED') return { outcome: 'failed' };
  const stable =
    (service.deployments?.length ?? 0) === 1 &&
    typeof service.desiredCount === 'number' &&
    service.runningCount === service.desiredCount &&
    // rolloutState is not reported for every service (Classic Load Balancer ones): then the counts tell.
    (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED';
  return { outcome: stable ? 'succeeded' : 'in-progress' };
}

/** Which revisions have reached their goal: the new one fully running, old ones drained. */
function settled(snapshot: Snapshot): string {
  return snapshot.revisions
    .map((revision) =>
      revision.role === 'new'
        ? revision.running >= revision.desired && revision.pending === 0
        : revision.running === 0,
    )
    .join(',');
}

function trackStage(timeline: StageSpan[], stage: string | undefined, at: number): void {
  const open = timeline.at(-1);
  if (!stage || open?.stage === stage) return;
  if (open && open.endedAt === undefined) open.endedAt = at;
  timeline.push({ stage, startedAt: at });
}
