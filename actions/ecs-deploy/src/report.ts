import type { EnvironmentChange, ImageChange } from './revision/render.js';
import type { StageSpan } from './deployment/watch.js';

/** `superseded`: another deployment replaced this run's before it finished (not green: this run's revision is not what runs). */
export type Status = 'succeeded' | 'rolled-back' | 'failed' | 'in-progress' | 'paused' | 'superseded';

/** Everything the outputs and the job summary are built from, filled in as the run goes. */
export interface DeployReport {
  mode: 'service' | 'run-task';
  region: string;
  cluster: string;
  service?: string;
  strategy: string;
  gate: 'none' | 'pause';
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
  base: Omit<DeployReport, 'images' | 'environment' | 'timeline' | 'reasons' | 'notes'>,
): DeployReport {
  return { ...base, images: [], environment: [], timeline: [], reasons: [], notes: [] };
}
