import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction, type ActionContext } from '@ecs-ship/shared/run';
import { deployService } from './deployment/deploy.js';
import type { Deps } from './deps.js';
import { ecsClientConfig, getInputs } from './inputs.js';
import { runPost } from './post-step.js';
import { newReport, type DeployReport } from './report.js';
import { runTaskMode } from './run-task/run-task.js';
import { stateStoreOf } from './state.js';
import { buildSummary } from './summary.js';

/** The GITHUB_STATE entry by which the one bundle knows it runs as the post step. */
export const POST_MARKER = 'isPost';

/**
 * One bundle serves both steps, as actions/checkout does (action.yml: main and post are both
 * dist/index.js): the main step marks itself in GITHUB_STATE before anything else, and the runner
 * gives the post step main's state, so the post step finds the mark.
 */
export async function runStep(): Promise<void> {
  if (core.getState(POST_MARKER) === 'true') return runPost();
  core.saveState(POST_MARKER, 'true');
  return run();
}

export async function run(): Promise<void> {
  await runAction({ title: 'ECS deploy' }, async (context) => {
    let inputs;
    let config;
    try {
      inputs = getInputs(context.inputs);
      config = ecsClientConfig(inputs);
    } catch (error) {
      context.setOutput('status', 'failed');
      throw error;
    }
    const deps: Deps = {
      ecs: new ECSClient(config),
      ...(inputs.mode === 'service'
        ? {
            elbv2: new ElasticLoadBalancingV2Client(
              awsClientConfig({
                region: config.region,
                actionName: 'ecs-deploy',
                serviceId: 'ELASTIC_LOAD_BALANCING_V2',
              }),
            ),
          }
        : {}),
      logger: context.logger,
      clock: context.clock,
      signal: context.signal,
    };
    const state = stateStoreOf(context);
    const report = newReport({
      mode: inputs.mode,
      region: config.region,
      cluster: inputs.cluster,
      ...(inputs.service ? { service: inputs.service } : {}),
      strategy: inputs.strategy,
      gate: inputs.gate,
      startedAt: context.clock.now(),
    });
    context.setSummary(() => buildSummary(report, context.clock.now()));
    try {
      if (inputs.mode === 'service') await deployService(deps, inputs, report, state);
      else await runTaskMode(deps, inputs, report, state);
    } finally {
      // An error before a verdict (a bad input found by a read, an outage, a bug) is a failure too.
      report.status ??= 'failed';
      report.endedAt = context.clock.now();
      setOutputs(context, report);
    }
    // Reached a verdict: the post step has nothing to undo.
    state.save('finished', 'true');
    if (report.status === 'failed' || report.status === 'rolled-back' || report.status === 'superseded') {
      const why = report.reasons[0] ? `: ${report.reasons[0]}` : '.';
      const what =
        report.status === 'rolled-back'
          ? 'was rolled back'
          : report.status === 'superseded'
            ? 'was superseded by another deployment'
            : 'failed';
      throw new OutcomeError(
        report.mode === 'run-task' ? `The task failed${why}` : `The deployment ${what}${why}`,
      );
    }
  });
}

function setOutputs(context: ActionContext, report: DeployReport): void {
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) context.setOutput(name, value);
  };
  set('status', report.status);
  set('task-definition-arn', report.taskDefinitionArn);
  set('previous-task-definition-arn', report.previousTaskDefinitionArn);
  set('service-deployment-arn', report.deploymentArn);
  set('gate-hook-id', report.hookId);
  set('canary-target-group', report.trafficRoles?.canaryTargetGroupArn);
  set('baseline-target-group', report.trafficRoles?.baselineTargetGroupArn);
  set('task-arn', report.task?.arn);
  set('exit-code', report.task?.exitCode);
}
