import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { Deps } from '../deps.js';
import type { DeployInputs, ImageOverride } from '../inputs.js';
import type { DeployReport } from '../report.js';
import type { RegistrableTaskDefinition } from '../revision/task-definition.js';
import { resolveImagesFrom } from './resolve.js';
import { describeImagesFrom } from './spec.js';

/**
 * The `images` a deploy renders with: the input's, or those images-from resolves, restricted to
 * the containers the target revision has. A target container the source lacks keeps its image;
 * a source container the target lacks is left out; both are noted in the summary. A container
 * named in images-from's filter that the target lacks is refused (it was asked for).
 */
export async function imagesForDeploy(
  deps: Pick<Deps, 'sourceEcs' | 'logger'>,
  inputs: Pick<DeployInputs, 'images' | 'imagesFrom'>,
  base: RegistrableTaskDefinition,
  report: DeployReport,
): Promise<ImageOverride[]> {
  const from = inputs.imagesFrom;
  if (from === undefined) return inputs.images;
  if (!deps.sourceEcs) throw new Error('images-from without a source client');
  const region = from.region ?? report.region;
  const resolved = await resolveImagesFrom(
    { ecs: await deps.sourceEcs(), logger: deps.logger },
    from,
    region,
  );
  const target = base.containerDefinitions.map((container) => container.name ?? '');
  const missing = (from.containers ?? []).filter((name) => !target.includes(name));
  if (missing.length > 0)
    throw new ConfigurationError(
      `Input "images-from" names container${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')}, which task definition family "${base.family}" does not have; its containers are ${target.map((name) => `"${name}"`).join(', ')}.`,
    );
  const applied = resolved.containers.filter((container) => target.includes(container.container));
  const ignored = resolved.containers.filter((container) => !target.includes(container.container));
  const kept = from.containers
    ? []
    : target.filter((name) => !resolved.containers.some((container) => container.container === name));
  report.imagesFrom = {
    ...resolved,
    ignored: ignored.map((container) => container.container),
    kept,
  };
  const source = describeImagesFrom(from);
  for (const name of kept)
    report.notes.push(
      `Container ${name} is not in ${source}: it keeps the image of the revision deployed from.`,
    );
  for (const { container } of ignored)
    report.notes.push(
      `Container ${container} of ${source} is not in task definition family "${base.family}": its image is not used.`,
    );
  if (applied.length === 0)
    throw new ConfigurationError(
      `Input "images-from": no container of ${source} (${resolved.containers.map((c) => `"${c.container}"`).join(', ')}) is in task definition family "${base.family}" (${target.map((name) => `"${name}"`).join(', ')}), so there is nothing to promote.`,
    );
  return applied.map((container) => ({ container: container.container, image: container.uri }));
}
