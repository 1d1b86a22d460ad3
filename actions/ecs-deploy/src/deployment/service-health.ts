import type { Service } from '@aws-sdk/client-ecs';

/** How long an unchanged service may take to reach its desired count (a task being replaced, a scale-out). */
export const SETTLE_WINDOW_MS = 5 * 60_000;

/**
 * Why the service is not healthy, or nothing when it is: every desired task running, none pending,
 * one deployment, and its rollout not failed. An unknown count is not read as the desired one.
 * This is what a run that deploys nothing (the revision and configuration are the service's
 * already) must check before it says `succeeded`: a crash-looping service is not green.
 */
export function serviceProblems(service: Service): string[] {
  const problems: string[] = [];
  const { desiredCount, runningCount, pendingCount } = service;
  if (typeof desiredCount !== 'number' || typeof runningCount !== 'number')
    problems.push('DescribeServices did not report its running and desired counts');
  else if (runningCount !== desiredCount || (pendingCount ?? 0) > 0)
    problems.push(
      `it runs ${runningCount} of ${desiredCount} desired task(s)${pendingCount ? `, ${pendingCount} pending` : ''}`,
    );
  const deployments = service.deployments ?? [];
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (!primary) problems.push('DescribeServices reported no primary deployment');
  if (deployments.length > 1) problems.push(`${deployments.length} deployments are active`);
  if (primary?.rolloutState === 'FAILED')
    problems.push(
      `its last deployment failed${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}`,
    );
  return problems;
}
