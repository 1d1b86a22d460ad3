import type { Deps } from '../deps.js';
import type { ResolveImagesInputs } from '../inputs.js';
import type { DeployReport } from '../report.js';
import { resolveImagesFrom } from './resolve.js';

/** Mode resolve-images: what the source runs, as outputs and a summary; nothing is changed. */
export async function resolveImagesOnly(
  deps: Pick<Deps, 'sourceEcs' | 'logger'>,
  inputs: ResolveImagesInputs,
  report: DeployReport,
): Promise<void> {
  if (!deps.sourceEcs) throw new Error('resolve-images without a source client');
  const resolved = await resolveImagesFrom(
    { ecs: await deps.sourceEcs(), logger: deps.logger },
    inputs.imagesFrom,
    report.region,
  );
  report.imagesFrom = { ...resolved, ignored: [], kept: [] };
  report.imageLines = resolved.containers.map((container) => `${container.container}=${container.uri}`);
  report.status = 'succeeded';
}
