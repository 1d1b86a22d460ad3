import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { runAction } from '@ecs-ship/shared/run';
import { DeploymentControl } from './deployment-control.js';

/** GITHUB_STATE names shared by the main step and the post step of the one bundle. */
export const POST_STATE = {
  isPost: 'isPost',
  deploymentArn: 'deployment-arn',
  region: 'region',
  /** rollback or leave while the main step runs; done once it answered (or had nothing to answer). */
  answer: 'answer',
} as const;

/**
 * The post step (post-if: always()): when the main step was cancelled or died before it answered
 * the deployment's pause, answer it now as on-cancel said. It reads only the saved state, never an
 * input, so nothing that changed since the main step can stop the rollback.
 */
export async function runPost(): Promise<void> {
  await runAction({ title: 'Canary gate (post)' }, async (context) => {
    const arn = context.getState(POST_STATE.deploymentArn);
    const answer = context.getState(POST_STATE.answer);
    if (!arn || answer === 'done' || answer === '') return;
    if (answer === 'leave') {
      context.logger.warning(`The gate did not finish; on-cancel is leave, so ${arn} is left as it is.`);
      return;
    }
    const region = context.getState(POST_STATE.region);
    const ecs = new ECSClient(awsClientConfig({ actionName: 'canary-gate', ...(region ? { region } : {}) }));
    const control = DeploymentControl.forArn(ecs, context.logger, arn, context.clock);
    await control.rollback('The gate did not finish (cancelled or failed); on-cancel is rollback.');
    context.logger.info(`Post step: ${control.actions.join(', ') || 'nothing to answer'}.`);
  });
}
