import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction } from '@ecs-ship/shared/run';
import { heading, paragraph } from '@ecs-ship/shared/summary';
import { finishInterruptedRun } from './interrupted.js';
import type { StateStore } from './state.js';

/**
 * The post step. It runs after every main step (post-if: always()), and acts only when main saved a
 * deployment or task but never reached a verdict: a cancelled run, or a main step that was killed.
 */
export async function runPost(): Promise<void> {
  await runAction({ title: 'ECS deploy (post)' }, async (context) => {
    const state: StateStore = {
      save: (name, value) => context.saveState(name, value),
      get: (name) => context.getState(name),
    };
    const region = context.inputs.optional('region');
    const config = awsClientConfig({
      ...(region ? { region } : {}),
      actionName: 'ecs-deploy',
      serviceId: 'ECS',
    });
    const outcome = await finishInterruptedRun(
      { ecs: new ECSClient(config), logger: context.logger, clock: context.clock },
      state,
      {
        rollbackOnFailure: context.inputs.boolean('rollback-on-failure', true),
        timeoutMs: context.inputs.duration('timeout', '30m'),
      },
    );
    if (outcome === 'nothing') return;
    context.setSummary(() => [
      heading('ECS deploy (post): interrupted run'),
      paragraph(`Cleanup: **${outcome}**`),
    ]);
    if (outcome === 'rollback-failed')
      throw new OutcomeError(
        'The interrupted deployment could not be rolled back; check the service in the console.',
      );
  });
}
