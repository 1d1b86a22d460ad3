import type { GitHubClient, RepoRef } from './github-client.js';

export type DeploymentState = 'in_progress' | 'queued' | 'success' | 'failure' | 'error' | 'inactive';

/**
 * The `task` of the deployments github-delivery records. GitHub also creates a deployment (task
 * `deploy`, no payload) for every job that names an environment; this tells ours apart.
 */
export const DELIVERY_TASK = 'deploy:ecs-ship';

export interface DeploymentRequest {
  ref: string;
  /** GitHub's default is `deploy`. */
  task?: string;
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
    ...(request.task !== undefined ? { task: request.task } : {}),
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

export interface DeploymentRecord {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  /** As GitHub stores it: the object given at creation (a JSON string is decoded). */
  payload: unknown;
  createdAt: string;
}

export interface DeploymentStatusRecord {
  id: number;
  state: string;
  logUrl: string;
  description: string;
  createdAt: string;
}

interface ApiDeployment {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  payload: unknown;
  created_at: string;
}

function toRecord(deployment: ApiDeployment): DeploymentRecord {
  let payload = deployment.payload;
  if (typeof payload === 'string' && payload.trim() !== '') {
    try {
      payload = JSON.parse(payload) as unknown;
    } catch {
      // Not JSON: kept as the text it is; readers of the payload refuse it.
    }
  }
  return {
    id: deployment.id,
    environment: deployment.environment,
    ref: deployment.ref,
    sha: deployment.sha,
    payload,
    createdAt: deployment.created_at,
  };
}

export async function getDeployment(
  github: GitHubClient,
  repo: RepoRef,
  deploymentId: number,
): Promise<DeploymentRecord> {
  const { data } = await github.rest.repos.getDeployment({ ...repo, deployment_id: deploymentId });
  return toRecord(data);
}

/** Every deployment of an environment, all pages, newest first. */
export async function listEnvironmentDeployments(
  github: GitHubClient,
  repo: RepoRef,
  environment: string,
  task?: string,
): Promise<DeploymentRecord[]> {
  const deployments: ApiDeployment[] = await github.paginate(github.rest.repos.listDeployments, {
    ...repo,
    environment,
    ...(task !== undefined ? { task } : {}),
    per_page: 100,
  });
  return deployments.map(toRecord).sort((a, b) => b.id - a.id);
}

/** The deployment's latest status, or undefined when it has none yet. */
export async function newestDeploymentStatus(
  github: GitHubClient,
  repo: RepoRef,
  deploymentId: number,
  options: { skipInactive?: boolean } = {},
): Promise<DeploymentStatusRecord | undefined> {
  // GitHub lists statuses newest first, so the first page holds the newest one.
  const { data } = await github.rest.repos.listDeploymentStatuses({
    ...repo,
    deployment_id: deploymentId,
    per_page: 100,
  });
  const newest = [...data]
    .sort((a, b) => b.id - a.id)
    .find((status) => !(options.skipInactive === true && status.state === 'inactive'));
  if (!newest) return undefined;
  return {
    id: newest.id,
    state: newest.state,
    logUrl: newest.log_url ?? newest.target_url ?? '',
    description: newest.description ?? '',
    createdAt: newest.created_at,
  };
}

/**
 * The newest deployment of `environment` whose newest status is `success`: what GitHub records as
 * running there. Older successes are passed over once a newer deployment succeeded. With `task`, only
 * deployments of that task count, and an `inactive` status is looked through: GitHub marks every
 * earlier deployment of an environment inactive when any later one succeeds, including the
 * deployments it creates itself for jobs that name the environment.
 */
export async function findNewestSuccessfulDeployment(
  github: GitHubClient,
  repo: RepoRef,
  environment: string,
  task?: string,
): Promise<{ deployment: DeploymentRecord; status: DeploymentStatusRecord; examined: number } | undefined> {
  const deployments = await listEnvironmentDeployments(github, repo, environment, task);
  let examined = 0;
  for (const deployment of deployments) {
    examined += 1;
    const status = await newestDeploymentStatus(github, repo, deployment.id, {
      skipInactive: task !== undefined,
    });
    if (status?.state === 'success') return { deployment, status, examined };
  }
  return undefined;
}
