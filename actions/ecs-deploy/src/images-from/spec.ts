import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { InputReader } from '@ecs-ship/shared/inputs';

/** The service whose running images a deploy takes instead of `images` (promotion from dev to prod). */
export interface ImagesFrom {
  cluster: string;
  service: string;
  /** Only these containers; all of the source's when unset. */
  containers?: string[];
  /** Assumed with STS AssumeRole for the source reads only (another account). */
  roleArn?: string;
  /** The source's region when it is not the deploy's. */
  region?: string;
}

const NAME = '[A-Za-z0-9_-]{1,255}';
const SPEC = new RegExp(`^(${NAME})/(${NAME})(?::(${NAME}(?:\\s*,\\s*${NAME})*))?$`);
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * `images-from: CLUSTER/SERVICE` (every container) or `CLUSTER/SERVICE:CONTAINER[,CONTAINER]`,
 * with `images-from-role` and `images-from-region` beside it. Undefined when it is not set; the
 * two others are refused without it.
 */
export function readImagesFrom(inputs: InputReader): ImagesFrom | undefined {
  const text = inputs.optional('images-from');
  const roleArn = inputs.optional('images-from-role');
  const region = inputs.optional('images-from-region');
  if (text === undefined) {
    const orphans = [
      ...(roleArn !== undefined ? ['"images-from-role"'] : []),
      ...(region !== undefined ? ['"images-from-region"'] : []),
    ];
    if (orphans.length > 0)
      throw new ConfigurationError(
        `Input${orphans.length > 1 ? 's' : ''} ${orphans.join(' and ')} ${orphans.length > 1 ? 'apply' : 'applies'} to the reads of "images-from", which is not set.`,
      );
    return undefined;
  }
  const match = SPEC.exec(text);
  if (!match)
    return inputs.fail(
      'images-from',
      'CLUSTER/SERVICE (e.g. dev/api) or CLUSTER/SERVICE:CONTAINER[,CONTAINER] (e.g. dev/api:app,worker)',
      text,
    );
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn))
    inputs.fail('images-from-role', 'an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)', roleArn);
  if (region !== undefined && !REGION.test(region))
    inputs.fail('images-from-region', 'an AWS region such as eu-west-1', region);
  const [, cluster = '', service = '', list] = match;
  const containers =
    list === undefined ? undefined : [...new Set(list.split(',').map((name) => name.trim()))];
  return {
    cluster,
    service,
    ...(containers ? { containers } : {}),
    ...(roleArn ? { roleArn } : {}),
    ...(region ? { region } : {}),
  };
}

/** `dev/api` or `dev/api:app,worker`, for messages and the summary. */
export function describeImagesFrom(from: ImagesFrom): string {
  return `${from.cluster}/${from.service}${from.containers ? `:${from.containers.join(',')}` : ''}`;
}
