import { ConfigurationError } from '@ecs-ship/shared/errors';

/** One `NAME=image@sha256:…` line of a deploy's images. */
export interface ImageLine {
  name: string;
  uri: string;
}

const DIGEST_URI = /^[^\s@]+@sha256:[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;

/**
 * A promotion deploys digests, never tags: a tag can be moved between the build and prod, and ECS
 * would resolve it again at every scale-out.
 */
export function parseImageLines(text: string, input: string): ImageLine[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0)
    throw new ConfigurationError(`Input "${input}" must give at least one NAME=image@sha256:… line.`);
  const seen = new Set<string>();
  return lines.map((line) => {
    const at = line.indexOf('=');
    const name = at > 0 ? line.slice(0, at).trim() : '';
    const uri = at > 0 ? line.slice(at + 1).trim() : '';
    if (!NAME.test(name) || uri === '') {
      throw new ConfigurationError(
        `Input "${input}" lines must be NAME=image@sha256:<digest>; got ${JSON.stringify(line)}.`,
      );
    }
    if (!DIGEST_URI.test(uri)) {
      throw new ConfigurationError(
        `Input "${input}": ${name} must be pinned by digest (repository@sha256:<64 hex>), never a tag; got ${JSON.stringify(uri)}.`,
      );
    }
    if (seen.has(name)) throw new ConfigurationError(`Input "${input}" gives ${name} twice.`);
    seen.add(name);
    return { name, uri };
  });
}

/**
 * The `container=uri` lines ecs-deploy takes for one entry. The entry's `images` maps its containers
 * to image names (`{ worker: app }`), or lists the names whose containers share them (`[app]`);
 * without it the entry takes every image, which suits the common single-image deploy.
 */
export function imageAssignments(item: unknown, label: string, images: ImageLine[]): string {
  const byName = new Map(images.map((image) => [image.name, image.uri]));
  const mapping = (item as { images?: unknown }).images;
  let pairs: Array<[container: string, name: string]>;
  if (mapping === undefined || mapping === null) {
    pairs = images.map((image) => [image.name, image.name]);
  } else if (Array.isArray(mapping)) {
    pairs = mapping.map((name) => [String(name), String(name)]);
  } else if (typeof mapping === 'object') {
    pairs = Object.entries(mapping).map(([container, name]) => [container, String(name)]);
  } else {
    throw new ConfigurationError(
      `${label}: "images" must map containers to image names ({ worker: app }) or list names; got ${JSON.stringify(mapping)}.`,
    );
  }
  if (pairs.length === 0) throw new ConfigurationError(`${label}: "images" names no image.`);
  return pairs
    .map(([container, name]) => {
      const uri = byName.get(name);
      if (uri === undefined) {
        throw new ConfigurationError(
          `${label}: image "${name}" is not among the deploy's images (${[...byName.keys()].join(', ')}).`,
        );
      }
      if (!NAME.test(container))
        throw new ConfigurationError(`${label}: "${container}" is not a container name.`);
      return `${container}=${uri}`;
    })
    .join('\n');
}
