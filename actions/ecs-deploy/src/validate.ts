import type { Logger } from '@ecs-ship/shared/logger';
import { Checks } from './checks.js';
import { describeImagesFrom } from './images-from/spec.js';
import type { DeployInputs } from './inputs.js';
import { planOffline } from './offline-checks.js';
import { fileLabel } from './preflight.js';
import { recordRendered, type DeployReport } from './report.js';
import { toRegistrable } from './revision/task-definition.js';

/**
 * Mode validate: the checks a deploy makes before its first change (offline-checks.ts), run on the
 * task-definition file alone with no AWS call and no credentials, every one of them recorded for
 * the summary's table. What needs AWS is left to the deploy: the service's own settings (the
 * strategy is merged over ECS's defaults here), the revision in ECS, what images-from resolves.
 */
export function validateOffline(logger: Logger, inputs: DeployInputs, report: DeployReport): void {
  const checks = Checks.collectAll();
  checks.run(
    'inputs',
    () => undefined,
    () => 'every input parses and fits the others',
  );
  const source = inputs.source;
  if (source.kind !== 'file') throw new Error('mode validate without a task-definition file');
  const file = fileLabel(source.path);
  const planned = planOffline(
    {
      inputs,
      base: { load: () => toRegistrable(source.document, file), file },
      images: inputs.images,
      deployment: { current: undefined, serviceName: inputs.service ?? '(the service)' },
      runTask: inputs.runTaskGiven,
    },
    checks,
  );
  if (!inputs.runTaskGiven) checks.skip('run-task', 'no run-task input given');
  if (inputs.imagesFrom)
    checks.skip(
      'images-from',
      `${describeImagesFrom(inputs.imagesFrom)} is resolved by the deploy: what a service runs can only be read from ECS`,
    );
  // What a deploy would change, once nothing stops it.
  if (planned.rendered && !checks.failed) recordRendered(logger, planned.rendered, inputs.images, report);
  report.checks = checks.results;
  report.status = checks.failed ? 'failed' : 'valid';
  for (const result of checks.results)
    (result.status === 'failed' ? logger.error : logger.info).call(
      logger,
      `${result.check}: ${result.status}${result.detail ? ` — ${result.detail}` : ''}`,
    );
}
