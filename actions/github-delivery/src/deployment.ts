import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { GitHubClient, RepoRef } from '@ecs-ship/shared/github-client';
import {
  createDeployment,
  DELIVERY_TASK,
  getDeployment,
  setDeploymentStatus,
} from '@ecs-ship/shared/github-deployments';
import type { Logger } from '@ecs-ship/shared/logger';
import type { DeploymentInputs } from './inputs.js';
import { describeRecords, recordSucceeded } from './records.js';

export interface DeploymentDeps {
  github: GitHubClient;
  repo: RepoRef;
  logger: Logger;
  /** This run attempt's page, the status's log_url. */
  runUrl: string;
}

export interface DeploymentResult {
  deploymentId: number;
  /** The state GitHub now shows for it. */
  githubState: 'in_progress' | 'success' | 'failure' | 'error';
  statusId: number;
  description?: string;
}

/** What a deployment's payload holds, and what source-check reads back. */
export interface DeploymentPayload {
  images: Record<string, string>;
  services: string[];
  run: string;
}

export function buildPayload(
  inputs: Pick<DeploymentInputs, 'images' | 'services'>,
  runUrl: string,
): DeploymentPayload {
  return {
    images: Object.fromEntries(inputs.images.map((image) => [image.container, image.uri])),
    services: inputs.services,
    run: runUrl,
  };
}

/**
 * `start` records a deployment of the images to the environment and marks it in progress; the
 * other states finish that deployment, after checking it is the one for this environment.
 */
export async function recordDeployment(
  inputs: DeploymentInputs,
  deps: DeploymentDeps,
): Promise<DeploymentResult> {
  const { github, repo, logger, runUrl } = deps;
  if (inputs.state === 'start') {
    const deploymentId = await createDeployment(github, repo, {
      ref: inputs.ref,
      environment: inputs.environment,
      task: DELIVERY_TASK,
      payload: { ...buildPayload(inputs, runUrl) },
      ...(inputs.description !== undefined ? { description: inputs.description } : {}),
      ...(inputs.productionEnvironment !== undefined
        ? { productionEnvironment: inputs.productionEnvironment }
        : {}),
    });
    logger.info(`Created deployment ${deploymentId} of ${inputs.ref} to ${inputs.environment}.`);
    const statusId = await setDeploymentStatus(github, repo, deploymentId, {
      state: 'in_progress',
      logUrl: runUrl,
      ...(inputs.environmentUrl !== undefined ? { environmentUrl: inputs.environmentUrl } : {}),
      ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    });
    return {
      deploymentId,
      githubState: 'in_progress',
      statusId,
      ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    };
  }

  const deploymentId = inputs.deploymentId!;
  const deployment = await getDeployment(github, repo, deploymentId);
  if (deployment.environment.toLowerCase() !== inputs.environment.toLowerCase())
    throw new ConfigurationError(
      `Input "deployment-id" ${deploymentId} is a deployment to "${deployment.environment}", not to "${inputs.environment}" (input "environment").`,
    );
  const description = describeRecords(inputs.records, inputs.description);
  const statusId = await setDeploymentStatus(github, repo, deploymentId, {
    state: inputs.state,
    logUrl: runUrl,
    ...(inputs.environmentUrl !== undefined ? { environmentUrl: inputs.environmentUrl } : {}),
    ...(description !== undefined ? { description } : {}),
  });
  logger.info(
    `Deployment ${deploymentId} to ${inputs.environment} is now ${inputs.state}${description ? `: ${description}` : ''}.`,
  );
  return {
    deploymentId,
    githubState: inputs.state,
    statusId,
    ...(description !== undefined ? { description } : {}),
  };
}

/**
 * A success over records that say a service did not get the new revision would make GitHub (and
 * the next promotion's source-check) believe images run that do not. Refused before any write.
 */
export function checkSuccessAgainstRecords(inputs: DeploymentInputs): void {
  if (inputs.state !== 'success') return;
  const failed = inputs.records.filter((record) => !recordSucceeded(record));
  if (failed.length === 0) return;
  throw new ConfigurationError(
    `Input "state" is success, but the records say ${failed
      .map(
        (record) =>
          `${record.service} ${record.rolledBack ? 'rolled back' : (record.status ?? '')}`.trim() +
          ` (${record.source})`,
      )
      .join(', ')}: report failure instead.`,
  );
}
