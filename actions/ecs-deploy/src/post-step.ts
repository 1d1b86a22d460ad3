import { ECSClient } from '@aws-sdk/client-ecs';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction } from '@ecs-ship/shared/run';
import { heading, paragraph } from '@ecs-ship/shared/summary';
import { ecsClientConfig } from './inputs.js';
import { finishInterruptedRun } from './post-cleanup.js';
import { needsCleanup, stateStoreOf } from './state.js';

/**
 * The post step. It runs after every main step (post-if: always()), and acts only when main saved a
 * deployment or task but never reached a verdict: a cancelled run, or a main step that was killed.
 * It reads the state main saved and no input: an input that no longer parses (a task-definition
 * file a later step removed) must not stop the rollback.
 */
export async function runPost(): Promise<void> {
  await runAction({ title: 'ECS deploy (post)' }, async (context) => {
    const state = stateStoreOf(context);
    if (!needsCleanup(state)) {
      context.logger.debug('The main step finished; nothing to clean up.');
      return;
    }
    const region = state.get('region');
    const outcome = await finishInterruptedRun(
      {
        ecs: new ECSClient(ecsClientConfig(region ? { region } : {})),
        logger: context.logger,
        clock: context.clock,
      },
      state,
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
