import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { InputReader } from '@ecs-ship/shared/inputs';

/** One container's image, pinned by digest: what runs, not a tag that can move. */
export interface ImageRef {
  container: string;
  uri: string;
  /** sha256:<64 hex>, lower case. */
  digest: string;
}

const CONTAINER = { pattern: /^[A-Za-z0-9_-]{1,255}$/, description: 'container (letters, digits, _ and -)' };
const DIGEST = /@(sha256:[0-9a-f]{64})$/i;

export function digestOf(uri: string): string | undefined {
  return DIGEST.exec(uri.trim())?.[1]?.toLowerCase();
}

/** Lines of `container=repository@sha256:…`; a tag alone is refused, a container given twice too. */
export function readImages(inputs: InputReader, name: string): ImageRef[] {
  const seen = new Set<string>();
  return inputs.keyValueLines(name, CONTAINER).map(([container, uri]) => {
    const digest = digestOf(uri);
    if (digest === undefined)
      inputs.fail(
        name,
        `lines of container=repository@sha256:<64 hex digits> (pinned by digest)`,
        `${container}=${uri}`,
      );
    if (seen.has(container))
      throw new ConfigurationError(`Input "${name}" names container "${container}" twice.`);
    seen.add(container);
    return { container, uri, digest };
  });
}
