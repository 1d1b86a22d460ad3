import type { Logger } from '@ecs-ship/shared/logger';
import type { CheckResult } from './checks.js';
import type { ResolvedImages } from './images-from/resolve.js';
import type { ImageOverride, Mode } from './inputs.js';
import {
  describeRendered,
  type EnvironmentChange,
  type ImageChange,
  type Rendered,
  type SecretChange,
} from './revision/render.js';
import type { StageSpan } from './deployment/watch.js';

/**
 * `superseded`: another deployment replaced this run's before it finished (not green: this run's
 * revision is not what runs). `valid`: mode validate found nothing to refuse.
 */
export type Status =
  'succeeded' | 'rolled-back' | 'failed' | 'in-progress' | 'paused' | 'superseded' | 'valid';

/** Everything the outputs and the job summary are built from, filled in as the run goes. */
export interface DeployReport {
  mode: Mode;
  region: string;
  /** The target's (the source's in mode resolve-images). */
  cluster: string;
  service?: string;
  /** Unknown until the deployment is read in mode continue. */
  strategy?: string;
  gate?: 'none' | 'pause';
  startedAt: number;
  endedAt?: number;
  /** The wait's timeout: the input, or derived from the strategy. */
  timeout?: { ms: number; derivedFrom?: string };
  taskDefinitionArn?: string;
  previousTaskDefinitionArn?: string;
  /** False when an equal revision was reused. */
  registered?: boolean;
  action?: 'updated' | 'attached' | 'reconfigured' | 'unchanged';
  deploymentArn?: string;
  hookId?: string;
  /** Which target group serves the new revision of this deployment (traffic-outputs.ts). */
  trafficRoles?: { canaryTargetGroupArn: string; baselineTargetGroupArn: string };
  images: ImageChange[];
  environment: EnvironmentChange[];
  secrets: SecretChange[];
  /** The `images` output: the container=uri lines rendered (or resolved, in mode resolve-images). */
  imageLines?: string[];
  /** What images-from resolved, and which containers it did not apply to. */
  imagesFrom?: ResolvedImages & { ignored: string[]; kept: string[] };
  /** Mode validate: every check and its outcome. */
  checks?: CheckResult[];
  /** Mode continue: what the run answered. */
  answer?: 'continue' | 'rollback';
  timeline: StageSpan[];
  status?: Status;
  /** AWS's reasons for a failure, and ours (timeout, cancellation). */
  reasons: string[];
  /** Worth knowing without being a failure (a non-essential container's exit code). */
  notes: string[];
  /** superseded: not rolled back, because the service already runs a newer deployment. */
  rollback?: 'requested' | 'rolled-back' | 'failed' | 'superseded';
  task?: { arn: string; exitCode?: number; lastStatus?: string };
}

export function newReport(
  base: Omit<DeployReport, 'images' | 'environment' | 'secrets' | 'timeline' | 'reasons' | 'notes'>,
): DeployReport {
  return { ...base, images: [], environment: [], secrets: [], timeline: [], reasons: [], notes: [] };
}

/**
 * What rendering changed, into the report (summary and outputs) and the log: images, secret names
 * and sources, variable names, never a value. Credential-like plain text the revision already had
 * is a note: not refused (it is registered already), but worth moving to `secrets`.
 */
export function recordRendered(
  logger: Logger,
  rendered: Rendered,
  images: readonly ImageOverride[],
  report: DeployReport,
): void {
  report.images = rendered.images;
  report.environment = rendered.environment;
  report.secrets = rendered.secrets;
  if (images.length > 0) report.imageLines = images.map((image) => `${image.container}=${image.image}`);
  for (const line of describeRendered(rendered)) logger.info(line);
  if (rendered.plaintextWarnings.length > 0) {
    const note =
      `The revision deployed from has plain-text environment variable(s) that look like credentials: ${rendered.plaintextWarnings.join(', ')}. ` +
      'They are kept as they are; move them to "secrets" (or list them in "allow-plaintext-environment" if they are not secret).';
    report.notes.push(note);
    logger.warning(note);
  }
}
