import {
  ContinueServiceDeploymentCommand,
  type ServiceDeployment,
  type DeploymentLifecycleHookAction,
} from '@aws-sdk/client-ecs';
import { ConfigurationError, describeError } from '@ecs-ship/shared/errors';
import type { Deps } from '../deps.js';
import type { Strategy } from '../inputs.js';

/**
 * Which paused hooks the watch answers itself, and how.
 * - `first-gate`: a deployment going forward. Only a canary's or linear deployment's pause before
 *   its first production shift is continued: no production traffic has reached the new revision,
 *   so there is nothing to judge. The weight must be known to be 0; an unknown weight is not
 *   taken for 0 (the pause is left for the gate, so an unjudged canary is never promoted).
 * - `rollback`: following a rollback, which must not stall at a pause. `ROLLBACK` for a pause of
 *   the deployment being rolled back (a pause it still shows means the rollback has not taken
 *   effect: CONTINUE would push the new revision forward); `CONTINUE` for a pause of the rollback's
 *   own deployment back to the previous revision (ROLLBACK there would return to the new one).
 * - `continue-all`: mode continue with `answer: continue`. Someone (canary-gate, a smoke test, a
 *   person) decided the deployment goes on: every pause of it is continued, a later one of a
 *   linear deployment too, the user's own approval hooks included.
 */
export type HookPolicy =
  | { kind: 'first-gate'; strategy: Strategy }
  | { kind: 'rollback'; answer: DeploymentLifecycleHookAction }
  | { kind: 'continue-all' };

interface Answer {
  action: DeploymentLifecycleHookAction;
  /** ECS took it: the call succeeded, or the hook no longer awaits action. */
  confirmed: boolean;
  /** The last call failed: the next look tells whether ECS took it anyway. */
  unanswered: boolean;
}

/** What a look at the deployment led to. */
export type Answered =
  { kind: 'none' } | { kind: 'sent'; hookId: string } | { kind: 'not-taken'; hookId: string; error: string };

/**
 * The pauses this watch answers, until ECS confirms each answer. A hook is answered once it is
 * picked, whatever later looks show (its weight may change once the shift starts), and an answer
 * ECS did not take (a throttle, a 5xx, a dropped connection, an error ECS returns while it catches
 * up) is sent again at the next look that still shows the hook awaiting action, until the deadline.
 */
export class HookAnswers {
  private readonly answers = new Map<string, Answer>();

  constructor(private readonly policy: HookPolicy) {}

  /** True when the watch answers (or has answered) this hook itself: it does not end the wait. */
  isOurs(hookId: string, deployment: ServiceDeployment | undefined): boolean {
    return this.answers.has(hookId) || this.actionFor(deployment) !== undefined;
  }

  /**
   * Answers the first awaiting hook that is ours and not yet confirmed. ECS takes an answer only
   * while the deployment is IN_PROGRESS (ContinueServiceDeployment's documentation), so none is
   * sent during ROLLBACK_IN_PROGRESS and the like.
   */
  async answer(
    deps: Pick<Deps, 'ecs' | 'logger'>,
    deploymentArn: string,
    deployment: ServiceDeployment,
  ): Promise<Answered> {
    const awaiting = awaitingHookIds(deployment);
    for (const [hookId, answer] of this.answers) {
      if (!answer.confirmed && !awaiting.includes(hookId)) {
        answer.confirmed = true;
        if (answer.unanswered)
          deps.logger.info(`lifecycle hook ${hookId} no longer awaits action: taken as answered.`);
      }
    }
    if (deployment.status !== undefined && deployment.status !== 'IN_PROGRESS') return { kind: 'none' };
    const hookId = awaiting.find(
      (id) => this.isOurs(id, deployment) && this.answers.get(id)?.confirmed !== true,
    );
    if (hookId === undefined) return { kind: 'none' };
    let answer = this.answers.get(hookId);
    if (!answer) {
      const action = this.actionFor(deployment);
      if (action === undefined) return { kind: 'none' };
      answer = { action, confirmed: false, unanswered: false };
      this.answers.set(hookId, answer);
    }
    try {
      await deps.ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: deploymentArn,
          hookId,
          action: answer.action,
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'AccessDeniedException') {
        throw new ConfigurationError(
          `ContinueServiceDeployment was refused (${describeError(error)}): the role needs ecs:ContinueServiceDeployment (see the README's IAM policy).`,
        );
      }
      if (alreadyAnswered(error)) {
        answer.confirmed = true;
        deps.logger.info(`lifecycle hook ${hookId} was answered already (${describeError(error)}).`);
        return { kind: 'sent', hookId };
      }
      const text = describeError(error);
      answer.unanswered = true;
      deps.logger.warning(
        `ECS did not take ${answer.action} for lifecycle hook ${hookId} (${text}); sending it again at the next look if the hook still awaits action.`,
      );
      return { kind: 'not-taken', hookId, error: text };
    }
    answer.confirmed = true;
    answer.unanswered = false;
    deps.logger.info(this.describe(hookId, answer.action));
    return { kind: 'sent', hookId };
  }

  private actionFor(deployment: ServiceDeployment | undefined): DeploymentLifecycleHookAction | undefined {
    if (this.policy.kind === 'rollback') return this.policy.answer;
    if (this.policy.kind === 'continue-all') return 'CONTINUE';
    return isFirstGate(deployment, this.policy.strategy) ? 'CONTINUE' : undefined;
  }

  private describe(hookId: string, action: DeploymentLifecycleHookAction): string {
    if (this.policy.kind === 'first-gate')
      return `gate before the first production traffic shift: no production traffic has reached the new revision yet, so continuing (hook ${hookId}).`;
    if (this.policy.kind === 'continue-all') return `lifecycle hook ${hookId}: continued (answer: continue).`;
    return action === 'ROLLBACK'
      ? `lifecycle hook ${hookId} paused the deployment being rolled back: answered ROLLBACK, never CONTINUE, so the new revision is not pushed forward.`
      : `lifecycle hook ${hookId} paused the rollback's own deployment (back to the previous revision): continuing it.`;
  }
}

export function awaitingHookIds(deployment: ServiceDeployment | undefined): string[] {
  return (deployment?.lifecycleHookDetails ?? [])
    .filter((hook) => hook.status === 'AWAITING_ACTION' && hook.hookId !== undefined)
    .map((hook) => hook.hookId as string);
}

/**
 * Canary and linear pause before their first shift too, while the new revision has no production
 * traffic. The weight must be reported as 0: an unknown weight could be any step's.
 */
export function isFirstGate(deployment: ServiceDeployment | undefined, strategy: Strategy): boolean {
  if (strategy !== 'canary' && strategy !== 'linear') return false;
  return deployment?.targetServiceRevision?.requestedProductionTrafficWeight === 0;
}

/**
 * ECS answers an answer to a hook that no longer awaits action with an InvalidParameterException
 * (the SDK model documents the exception, not its text): ours or someone else's answer was taken.
 */
function alreadyAnswered(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'InvalidParameterException' &&
    /not (in )?(the )?awaiting[ _]action|already|no longer/i.test(error.message)
  );
}
