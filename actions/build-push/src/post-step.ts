import { rm } from 'node:fs/promises';
import { runAction } from '@ecs-ship/shared/run';
import { actionsExecRunner } from './exec.js';

/** GITHUB_STATE names shared by the main step and the post step of the one bundle. */
export const POST_STATE = {
  isPost: 'isPost',
  /** The private directory holding DOCKER_CONFIG (the registry login) and the BuildKit secret files. */
  privateDir: 'private-dir',
  cleanup: 'cleanup',
  /** JSON list of the image references this run may have left in the local engine. */
  localImages: 'local-images',
} as const;

/**
 * The post step (post-if: always()): logs out by deleting the private Docker configuration (the
 * only place the registry credential was written) and, with cleanup, removes the local images a
 * cancelled or failed main step may have left. It reads only saved state, never an input.
 */
export async function runPost(): Promise<void> {
  await runAction({ title: 'Build and push (post)' }, async (context) => {
    const privateDir = context.getState(POST_STATE.privateDir);
    if (privateDir) {
      await rm(privateDir, { recursive: true, force: true });
      context.logger.info('Removed the private Docker configuration (registry login) and secret files.');
    }
    if (context.getState(POST_STATE.cleanup) !== 'true') return;
    const refs = JSON.parse(context.getState(POST_STATE.localImages) || '[]') as string[];
    if (refs.length === 0) return;
    // Refs already removed by the main step (or never built) are not an error.
    const removed = await actionsExecRunner('docker', ['image', 'rm', ...refs], { silent: true });
    context.logger.info(
      removed.exitCode === 0
        ? `Removed ${refs.length} local image reference(s).`
        : 'Local images: nothing left to remove, or the engine is gone.',
    );
  });
}
