import type { GitHubClient, RepoRef } from './github-client.js';

export type DeploymentState = 'in_progress' | 'queued' | 'success' | 'failure' | 'error' | 'inactive';

export interface DeploymentRequest {
  ref: string;
  environment: string;
  description?: string;
  /** Extra data shown with the deployment (image, task definition). */
  payload?: Record<string, unknown>;
  productionEnvironment?: boolean;
  transientEnvironment?: boolean;
}

/**
 * A GitHub deployment for an environment, so the repository's Environments page and the pull request
 * show what runs where. Status checks are skipped: the workflow has already gated the job.
 */
export async function createDeployment(
  github: GitHubClient,
  repo: RepoRef,
  request: DeploymentRequest,
): Promise<number> {
  const response = await github.rest.repos.createDeployment({
    ...repo,
    ref: request.ref,
    environment: request.environment,
    auto_merge: false,
    required_contexts: [],
    ...(request.description !== undefined ? { description: request.description } : {}),
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
    ...(request.productionEnvironment !== undefined
      ? { production_environment: request.productionEnvironment }
      : {}),
    ...(request.transientEnvironment !== undefined
      ? { transient_environment: request.transientEnvironment }
      : {}),
  });
  if (response.status !== 201 || !('id' in response.data)) {
    throw new Error(`GitHub did not create the deployment: ${JSON.stringify(response.data).slice(0, 200)}`);
  }
  return response.data.id;
}

export interface DeploymentStatusUpdate {
  state: DeploymentState;
  logUrl?: string;
  environmentUrl?: string;
  description?: string;
}

export async function setDeploymentStatus(
  github: GitHubClient,
  repo: RepoRef,
  deploymentId: number,
  update: DeploymentStatusUpdate,
): Promise<number> {
  const { data } = await github.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: deploymentId,
    state: update.state,
    ...(update.logUrl !== undefined ? { log_url: update.logUrl } : {}),
    ...(update.environmentUrl !== undefined ? { environment_url: update.environmentUrl } : {}),
    // GitHub rejects descriptions over 140 characters.
    ...(update.description !== undefined ? { description: update.description.slice(0, 140) } : {}),
    auto_inactive: update.state === 'success',
  });
  return data.id;
}
