import type { Service } from '@aws-sdk/client-ecs';
import { formatDuration } from '@ecs-ship/shared/duration';
import { CancelledError, describeError } from '@ecs-ship/shared/errors';
import type { Deps } from '../deps.js';
import type { WaitMode } from '../inputs.js';
import type { DeployReport } from '../report.js';
import { shortTaskDefinition } from '../revision/task-definition.js';
import type { StateStore } from '../state.js';
import { gatherFailureReasons } from './failure-reasons.js';
import type { HookPolicy } from './hook-answers.js';
import { requestRollback, rollBack, type RollbackResult, type RollbackTarget } from './rollback.js';
import { whyStopped } from './superseded.js';
import { recordTrafficRoles } from './traffic-outputs.js';
import { watchDeployment, type WatchResult } from './watch.js';

export interface Following {
  target: RollbackTarget;
  /** The service as read before the deployment (for the target-group outputs). */
  service: Service;
  wait: WaitMode;
  deadline: number;
  timeoutMs: number;
  /** Where the timeout came from, for the reason a timeout gives: 'input "timeout"' or the plan. */
  timeoutSource: string;
  hooks: HookPolicy;
  rollbackOnFailure: boolean;
}

/**
 * Follows a deployment with the watcher until `wait` is met, and turns what it saw into the
 * report: the status, AWS's reasons, the timeline, the target-group outputs. On failure or
 * timeout it rolls back (when `rollbackOnFailure`; a deployment ECS rolled back itself is not
 * rolled back twice); on cancellation it asks for the rollback at once. Service mode follows the
 * deployment it started with this; mode continue one another step started.
 */
export async function followDeployment(
  deps: Deps,
  following: Following,
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  const { logger } = deps;
  const { target, service, timeoutMs } = following;
  let watch: WatchResult;
  try {
    watch = await logger.group(
      `Waiting for the deployment (wait: ${describeWait(following.wait)}, timeout ${formatDuration(timeoutMs)})`,
      () =>
        watchDeployment(deps, target, {
          wait: following.wait,
          deadline: following.deadline,
          hooks: following.hooks,
        }),
    );
  } catch (error) {
    if (error instanceof CancelledError) await onCancelled(deps, following, report, state);
    throw error;
  }
  report.timeline.push(...watch.timeline);
  if (watch.hookId) report.hookId = watch.hookId;
  if (['succeeded', 'paused', 'reached', 'in-progress'].includes(watch.outcome))
    await recordTrafficRoles(deps, service, report, watch.last?.deployment);

  switch (watch.outcome) {
    case 'succeeded':
      report.status = 'succeeded';
      return;
    case 'paused':
      report.status = 'paused';
      logger.info(
        `Paused at lifecycle hook ${watch.hookId ?? '?'}: continue or roll back with ContinueServiceDeployment (canary-gate does, or ecs-deploy's mode continue).`,
      );
      return;
    case 'reached':
    case 'in-progress':
      report.status = 'in-progress';
      return;
    case 'rolled-back':
      report.status = 'rolled-back';
      report.reasons.push(...(await gatherFailureReasons(deps, target, watch.last)));
      return;
    case 'superseded':
    case 'stopped': {
      // Another deployment replaced ours (or someone stopped it): not ours to roll back.
      const stopped =
        watch.outcome === 'superseded'
          ? {
              superseded: true,
              reason: `Superseded: the service now runs ${shortTaskDefinition(watch.last?.service?.taskDefinition)}, not ${shortTaskDefinition(target.taskDefinitionArn)} that this run deployed. Nothing was rolled back: the newer deployment is not ours to undo.`,
            }
          : await whyStopped(deps, target);
      report.status = stopped.superseded ? 'superseded' : 'failed';
      report.reasons.push(stopped.reason);
      logger.error(stopped.reason);
      return;
    }
    case 'failed':
    case 'timeout': {
      if (watch.outcome === 'timeout')
        report.reasons.push(`Not finished after ${formatDuration(timeoutMs)} (${following.timeoutSource}).`);
      report.reasons.push(...(await gatherFailureReasons(deps, target, watch.last)));
      for (const reason of report.reasons) logger.error(reason);
      // One ECS could not roll back leaves the service half-deployed: the rollback falls back to UpdateService.
      const native = watch.last?.deployment?.status;
      const ours = watch.outcome === 'timeout' || native === undefined || native === 'ROLLBACK_FAILED';
      if (!following.rollbackOnFailure || !ours) {
        report.status = 'failed';
        return;
      }
      recordRollback(
        report,
        await logger.group('Rolling back', () => rollBack(deps, target, deps.clock.now() + timeoutMs)),
      );
      return;
    }
  }
}

/** A rollback's outcome into the report: its status, reason and stages (prefixed "rollback:"). */
export function recordRollback(report: DeployReport, rollback: RollbackResult): void {
  report.rollback = rollback.outcome;
  if (rollback.reason) report.reasons.push(rollback.reason);
  report.status = rollback.outcome === 'rolled-back' ? 'rolled-back' : 'failed';
  if (rollback.watch)
    report.timeline.push(
      ...rollback.watch.timeline.map((span) => ({ ...span, stage: `rollback: ${span.stage}` })),
    );
}

/** Cancelled mid-wait: ask for the rollback at once (the runner kills us seconds later); the post step waits for it. */
export async function onCancelled(
  deps: Deps,
  following: Pick<Following, 'target' | 'rollbackOnFailure'>,
  report: DeployReport,
  state: StateStore,
): Promise<void> {
  report.status = 'failed';
  report.reasons.push('The workflow run was cancelled during the deployment.');
  if (!following.rollbackOnFailure) return;
  try {
    // The run is cancelled already; the request itself must still go out.
    const { signal: _cancelled, ...uncancelled } = deps;
    const request = await requestRollback(uncancelled, following.target);
    if (request.kind === 'watching') {
      report.rollback = 'requested';
      state.save('rollback-requested', request.by);
      // What the post step follows: the rollback's own deployment when it has one.
      state.save('deployment-arn', request.target.deploymentArn ?? '');
    } else {
      report.reasons.push(request.reason);
      // Nothing for the post step to wait for or undo.
      state.save('finished', 'true');
    }
  } catch (error) {
    deps.logger.error(
      `Could not request the rollback: ${describeError(error)}; the post step will try again.`,
    );
  }
}

export function describeWait(wait: WaitMode): string {
  return wait.kind === 'stage' ? wait.stage : wait.kind;
}
