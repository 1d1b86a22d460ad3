import { OutcomeError } from '@ecs-ship/shared/errors';
import type { GitHubClient, RepoRef } from '@ecs-ship/shared/github-client';
import { DELIVERY_TASK, findNewestSuccessfulDeployment } from '@ecs-ship/shared/github-deployments';
import type { Logger } from '@ecs-ship/shared/logger';
import { isPlainObject } from '@ecs-ship/shared/structure';
import { digestOf, type ImageRef } from './images.js';

export interface ContainerComparison {
  container: string;
  /** The name the deployment recorded it under, when not the container's (an image name). */
  recordedAs?: string;
  running?: string;
  recorded?: string;
  /** Digests, sha256:… */
  runningDigest?: string;
  recordedDigest?: string;
  outcome: 'match' | 'mismatch' | 'only-running' | 'only-recorded';
}

export interface RecordedDeployment {
  id: number;
  ref: string;
  sha: string;
  createdAt: string;
  run?: string;
  images: Record<string, string>;
}

export interface SourceCheckResult {
  environment: string;
  deployment?: RecordedDeployment;
  /** Deployments looked at before the successful one was found (or all, when none was). */
  examined: number;
  comparisons: ContainerComparison[];
  matched: boolean;
}

/**
 * Per container, what runs against what GitHub recorded; containers on one side only are listed.
 * The payload is keyed by the environments file's image names, resolve-images by container names:
 * `imageNames` (container → image name, the source service's `images:`, from plan's
 * images-from-names) says under which name each container's image was recorded; a container it
 * does not name is looked up under its own name. Nothing is matched by guessing.
 */
export function compareImages(
  running: readonly ImageRef[],
  recorded: Record<string, string>,
  imageNames: Readonly<Record<string, string>> = {},
): ContainerComparison[] {
  const rows: ContainerComparison[] = [];
  const used = new Set<string>();
  for (const image of running) {
    const name = imageNames[image.container] ?? image.container;
    const uri = recorded[name];
    if (uri === undefined) {
      rows.push({
        container: image.container,
        ...(name !== image.container ? { recordedAs: name } : {}),
        running: image.uri,
        runningDigest: image.digest,
        outcome: 'only-running',
      });
      continue;
    }
    used.add(name);
    const recordedDigest = digestOf(uri);
    rows.push({
      container: image.container,
      ...(name !== image.container ? { recordedAs: name } : {}),
      running: image.uri,
      recorded: uri,
      runningDigest: image.digest,
      ...(recordedDigest !== undefined ? { recordedDigest } : {}),
      // A record without a digest cannot vouch for what runs.
      outcome: recordedDigest === image.digest ? 'match' : 'mismatch',
    });
  }
  for (const [container, uri] of Object.entries(recorded)) {
    if (used.has(container)) continue;
    const recordedDigest = digestOf(uri);
    rows.push({
      container,
      recorded: uri,
      ...(recordedDigest !== undefined ? { recordedDigest } : {}),
      outcome: 'only-recorded',
    });
  }
  return rows;
}

/**
 * What the promotion may ship, as `name=uri` lines under the names the deployment recorded (the
 * environments file's image names, which deploy.yml's `images` takes): the images that matched the
 * record, never one it did not vouch for. Without a record to check (require-record: false), the
 * running images under their image names.
 */
export function imagesUnderRecordedNames(
  running: readonly ImageRef[],
  result: SourceCheckResult,
  imageNames: Readonly<Record<string, string>> = {},
): string {
  const lines = new Map<string, string>();
  if (result.deployment === undefined) {
    for (const image of running) lines.set(imageNames[image.container] ?? image.container, image.uri);
  } else {
    for (const row of result.comparisons)
      if (row.outcome === 'match' && row.running !== undefined)
        lines.set(row.recordedAs ?? row.container, row.running);
  }
  return [...lines].map(([name, uri]) => `${name}=${uri}`).join('\n');
}

/** The images of a deployment's payload, or undefined when it has none in our shape. */
export function payloadImages(payload: unknown): Record<string, string> | undefined {
  if (!isPlainObject(payload) || !isPlainObject(payload.images)) return undefined;
  const images: Record<string, string> = {};
  for (const [container, uri] of Object.entries(payload.images)) {
    if (typeof uri !== 'string') return undefined;
    images[container] = uri;
  }
  return images;
}

export interface SourceCheckDeps {
  github: GitHubClient;
  repo: RepoRef;
  logger: Logger;
}

/**
 * What ECS runs in the source environment must be what GitHub recorded as successfully deployed
 * there: a promotion then ships exactly what was tested. Fails on any digest mismatch, when no
 * container is on both sides, and (with `requireRecord`) when there is no successful deployment.
 */
export async function checkSource(
  inputs: {
    environment: string;
    images: ImageRef[];
    requireRecord: boolean;
    imageNames?: Readonly<Record<string, string>>;
  },
  deps: SourceCheckDeps,
): Promise<SourceCheckResult> {
  const { github, repo, logger } = deps;
  const found = await findNewestSuccessfulDeployment(github, repo, inputs.environment, DELIVERY_TASK);
  if (!found) {
    const message = `No deployment to "${inputs.environment}" has success as its latest status: GitHub has no record of what runs there.`;
    if (inputs.requireRecord)
      throw new OutcomeError(
        `${message} Deploy it through the delivery workflow first, or set require-record: false.`,
      );
    logger.warning(`${message} Continuing because require-record is false.`);
    return { environment: inputs.environment, examined: 0, comparisons: [], matched: false };
  }
  const { deployment } = found;
  const run =
    isPlainObject(deployment.payload) && typeof deployment.payload.run === 'string'
      ? deployment.payload.run
      : undefined;
  const images = payloadImages(deployment.payload);
  const where = `deployment ${deployment.id}${run ? ` (run ${run})` : ''}`;
  if (!images)
    throw new OutcomeError(
      `The newest successful deployment to "${inputs.environment}", ${where}, has no images in its payload: it was not recorded by github-delivery mode deployment, so what runs cannot be checked.`,
    );
  const recorded: RecordedDeployment = {
    id: deployment.id,
    ref: deployment.ref,
    sha: deployment.sha,
    createdAt: deployment.createdAt,
    ...(run !== undefined ? { run } : {}),
    images,
  };
  const comparisons = compareImages(inputs.images, images, inputs.imageNames);
  for (const row of comparisons.filter(
    (entry) => entry.outcome === 'only-running' || entry.outcome === 'only-recorded',
  )) {
    logger.info(
      row.outcome === 'only-running'
        ? `Container ${row.container} runs in ${inputs.environment} but is not in ${where}; not compared.`
        : `Container ${row.container} is in ${where} but was not given in "images"; not compared.`,
    );
  }
  const mismatches = comparisons.filter((entry) => entry.outcome === 'mismatch');
  const result = {
    environment: inputs.environment,
    deployment: recorded,
    examined: found.examined,
    comparisons,
  };
  if (mismatches.length > 0) {
    const details = mismatches
      .map(
        (row) =>
          `container ${row.container} runs ${row.runningDigest} but ${where} recorded ${row.recordedDigest ?? `${row.recorded} (no digest)`}`,
      )
      .join('; ');
    throw new SourceCheckError(
      `What runs in "${inputs.environment}" is not what GitHub recorded: ${details}.`,
      {
        ...result,
        matched: false,
      },
    );
  }
  if (!comparisons.some((entry) => entry.outcome === 'match'))
    throw new SourceCheckError(
      `No container of "images" is in ${where} (recorded: ${Object.keys(images).join(', ') || 'none'}): nothing could be checked.`,
      { ...result, matched: false },
    );
  logger.info(`Every container in both matches ${where}.`);
  return { ...result, matched: true };
}

/** A failed check that still carries what was compared, for the outputs and the summary. */
export class SourceCheckError extends OutcomeError {
  constructor(
    message: string,
    readonly result: SourceCheckResult,
  ) {
    super(message);
  }
}
