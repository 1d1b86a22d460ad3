import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { describeError } from '@ecs-ship/shared/errors';
import type { Deps } from '../deps.js';
import { shortTaskDefinition } from '../revision/task-definition.js';
import type { WatchTarget } from './watch.js';

/**
 * Why ECS stopped our deployment: superseded (the service's current deployment is another one, or
 * it runs a revision that is neither ours nor the previous one), or stopped by someone
 * (StopServiceDeployment ABORT). Either way it is not ours to roll back.
 */
export async function whyStopped(
  deps: Pick<Deps, 'ecs' | 'logger'>,
  target: WatchTarget,
): Promise<{ superseded: boolean; reason: string }> {
  try {
    const service = (
      await deps.ecs.send(
        new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
      )
    ).services?.[0];
    const current = service?.currentServiceDeployment;
    const running = service?.taskDefinition;
    const otherDeployment = current !== undefined && current !== target.deploymentArn;
    const otherRevision =
      running !== undefined &&
      running !== target.taskDefinitionArn &&
      running !== target.previousTaskDefinitionArn;
    if (otherDeployment || otherRevision) {
      return {
        superseded: true,
        reason:
          `Superseded: ECS stopped this deployment because ${otherDeployment ? `deployment ${current}` : 'another deployment'} replaced it; ` +
          `the service runs ${shortTaskDefinition(running)}, not ${shortTaskDefinition(target.taskDefinitionArn)} that this run deployed. ` +
          'Nothing was rolled back: the newer deployment is not ours to undo.',
      };
    }
  } catch (error) {
    deps.logger.warning(
      `Could not read the service to tell why the deployment stopped: ${describeError(error)}`,
    );
  }
  return {
    superseded: false,
    reason: 'ECS stopped the deployment (StopServiceDeployment, not by this run); it is not rolled back.',
  };
}
