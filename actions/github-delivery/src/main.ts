import { OutcomeError } from '@ecs-ship/shared/errors';
import type { StickyComment } from '@ecs-ship/shared/github-comments';
import { createGitHubClient, explainRefusal } from '@ecs-ship/shared/github-client';
import { runAction } from '@ecs-ship/shared/run';
import {
  explainTally,
  fetchRunReviews,
  initiatorsOf,
  tallyApprovals,
  type ApprovalTally,
} from './approvals.js';
import { checkSuccessAgainstRecords, recordDeployment, type DeploymentResult } from './deployment.js';
import { getInputs } from './inputs.js';
import { postPrComment } from './pr-comment.js';
import { runPlan, runRevertPlan } from './plan/plan-step.js';
import { readRunnerContext } from './runner-context.js';
import {
  checkSource,
  imagesUnderRecordedNames,
  SourceCheckError,
  type SourceCheckResult,
} from './source-check.js';
import { approvalsSummary, deploymentSummary, prCommentSummary, sourceCheckSummary } from './summary.js';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await runAction({ title: 'GitHub delivery', secretInputs: ['github-token'] }, async (context) => {
    const { logger } = context;
    const runner = readRunnerContext(env);
    const inputs = getInputs(context.inputs, runner);
    if (inputs.mode === 'plan' || inputs.mode === 'revert-plan') {
      const result = inputs.mode === 'plan' ? runPlan(inputs) : runRevertPlan(inputs);
      for (const [name, value] of Object.entries(result.outputs)) context.setOutput(name, value);
      context.setSummary(() => result.summary);
      return;
    }
    const github = createGitHubClient(inputs.githubToken, env);
    const { repo } = runner;

    switch (inputs.mode) {
      case 'deployment': {
        const outcome: { result?: DeploymentResult } = {};
        context.setSummary(() => deploymentSummary(inputs, outcome.result, runner.runUrl));
        for (const pattern of inputs.unmatchedRecords)
          logger.warning(`Input "records": ${pattern} matched no file.`);
        checkSuccessAgainstRecords(inputs);
        outcome.result = await recordDeployment(inputs, {
          github,
          repo,
          logger,
          runUrl: runner.runUrl,
        }).catch((error: unknown) => {
          throw explainRefusal(error, 'give the job `permissions: deployments: write`');
        });
        context.setOutput('deployment-id', outcome.result.deploymentId);
        return;
      }
      case 'source-check': {
        const outcome: { result?: SourceCheckResult } = {};
        context.setSummary(() => sourceCheckSummary(inputs.environment, inputs.images, outcome.result));
        try {
          outcome.result = await checkSource(inputs, { github, repo, logger });
        } catch (error) {
          if (error instanceof SourceCheckError) outcome.result = error.result;
          throw explainRefusal(error, 'give the job `permissions: deployments: read`');
        } finally {
          context.setOutput('deployment-id', outcome.result?.deployment?.id ?? '');
          context.setOutput('matched', outcome.result?.matched ?? false);
          // Matched, or nothing on record to check (require-record: false): what the promotion ships.
          if (outcome.result && (outcome.result.matched || outcome.result.deployment === undefined))
            context.setOutput(
              'images',
              imagesUnderRecordedNames(inputs.images, outcome.result, inputs.imageNames),
            );
        }
        return;
      }
      case 'approvals': {
        const outcome: { tally?: ApprovalTally } = {};
        context.setSummary(() =>
          approvalsSummary(outcome.tally, inputs.environments, inputs.requiredApprovals),
        );
        const { reviews, initiators } = await fetchRunReviews(github, repo, runner.runId).catch(
          (error: unknown) => {
            throw explainRefusal(error, 'give the job `permissions: actions: read`');
          },
        );
        const people = initiatorsOf(
          initiators,
          {
            ...(runner.actor ? { actor: runner.actor } : {}),
            ...(runner.triggeringActor ? { triggeringActor: runner.triggeringActor } : {}),
          },
          runner.runId,
        );
        const tally = tallyApprovals(reviews, inputs.environments, people, inputs.requiredApprovals);
        outcome.tally = tally;
        context.setOutput('approvers', tally.approvers.join(','));
        if (!tally.ok) throw new OutcomeError(explainTally(tally));
        logger.info(`Approved by ${tally.approvers.join(', ')} (${inputs.requiredApprovals} required).`);
        return;
      }
      case 'pr-comment': {
        const outcome: { result?: StickyComment } = {};
        context.setSummary(() => prCommentSummary(inputs, outcome.result));
        outcome.result = await postPrComment(inputs, { github, repo, logger }).catch((error: unknown) => {
          throw explainRefusal(
            error,
            'give the job `permissions: pull-requests: write`; a pull request from a fork gets a read-only token, so post its results from a workflow_run relay (see the README)',
          );
        });
        context.setOutput('comment-id', outcome.result.id);
        context.setOutput('comment-url', outcome.result.url);
        context.setOutput('skipped', outcome.result.skipped);
        return;
      }
    }
  });
}
