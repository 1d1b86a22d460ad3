import * as core from '@actions/core';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { ConfigurationError, OutcomeError } from '@ecs-ship/shared/errors';
import { runAction, type ActionContext } from '@ecs-ship/shared/run';
import { continueDeployment } from './deployment/continue.js';
import { deployService } from './deployment/deploy.js';
import type { Deps } from './deps.js';
import { resolveImagesOnly } from './images-from/resolve-only.js';
import { sourceEcsClient } from './images-from/source-client.js';
import { ecsClientConfig, getInputs, type ActionInputs, type DeployInputs } from './inputs.js';
import { runPost } from './post-step.js';
import { newReport, type DeployReport } from './report.js';
import { runTaskMode } from './run-task/run-task.js';
import { stateStoreOf } from './state.js';
import { buildSummary } from './summary.js';
import { validateOffline } from './validate.js';

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
    let inputs: ActionInputs;
    try {
      inputs = getInputs(context.inputs);
    } catch (error) {
      context.setOutput('status', 'failed');
      if (error instanceof ConfigurationError && context.inputs.raw('mode').toLowerCase() === 'validate')
        context.setSummary(() => buildSummary(refusedInputs(context, error), context.clock.now()));
      throw error;
    }
    if (inputs.mode === 'validate') return validate(context, inputs);

    let config;
    try {
      config = ecsClientConfig({
        ...(inputs.mode === 'resolve-images' && inputs.imagesFrom.region
          ? { region: inputs.imagesFrom.region }
          : inputs.region
            ? { region: inputs.region }
            : {}),
      });
    } catch (error) {
      context.setOutput('status', 'failed');
      throw error;
    }
    const region = config.region;
    const imagesFrom = inputs.mode === 'continue' ? undefined : inputs.imagesFrom;
    const deps: Deps = {
      ecs: new ECSClient(config),
      ...(inputs.mode === 'service' || inputs.mode === 'continue'
        ? {
            elbv2: new ElasticLoadBalancingV2Client(
              awsClientConfig({ region, actionName: 'ecs-deploy', serviceId: 'ELASTIC_LOAD_BALANCING_V2' }),
            ),
          }
        : {}),
      ...(imagesFrom
        ? {
            sourceEcs: () =>
              sourceEcsClient({
                region: imagesFrom.region ?? region,
                ...(imagesFrom.roleArn ? { roleArn: imagesFrom.roleArn } : {}),
              }),
          }
        : {}),
      logger: context.logger,
      clock: context.clock,
      signal: context.signal,
    };
    const state = stateStoreOf(context);
    const report = newReport({
      mode: inputs.mode,
      region,
      ...(inputs.mode === 'resolve-images'
        ? { cluster: inputs.imagesFrom.cluster, service: inputs.imagesFrom.service }
        : { cluster: inputs.cluster, ...(inputs.service ? { service: inputs.service } : {}) }),
      ...(inputs.mode === 'service' || inputs.mode === 'run-task'
        ? { strategy: inputs.strategy, gate: inputs.gate }
        : {}),
      startedAt: context.clock.now(),
    });
    context.setSummary(() => buildSummary(report, context.clock.now()));
    try {
      switch (inputs.mode) {
        case 'service':
          await deployService(deps, inputs, report, state);
          break;
        case 'run-task':
          await runTaskMode(deps, inputs, report, state);
          break;
        case 'continue':
          await continueDeployment(deps, inputs, report, state);
          break;
        case 'resolve-images':
          await resolveImagesOnly(deps, inputs, report);
          break;
      }
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

/** Mode validate: offline, so no client is made and no credentials or region are needed. */
function validate(context: ActionContext, inputs: DeployInputs): void {
  const report = newReport({
    mode: 'validate',
    region: inputs.region ?? '',
    cluster: inputs.cluster,
    ...(inputs.service ? { service: inputs.service } : {}),
    strategy: inputs.strategy,
    gate: inputs.gate,
    startedAt: context.clock.now(),
  });
  context.setSummary(() => buildSummary(report, context.clock.now()));
  try {
    validateOffline(context.logger, inputs, report);
  } finally {
    report.status ??= 'failed';
    report.endedAt = context.clock.now();
    setOutputs(context, report);
  }
  stateStoreOf(context).save('finished', 'true');
  const failed = (report.checks ?? []).filter((check) => check.status === 'failed');
  if (failed.length > 0)
    throw new OutcomeError(
      `The task definition failed ${failed.length} check(s); first ${failed[0]?.check}: ${failed[0]?.detail ?? ''}`,
    );
}

/** Mode validate with inputs that do not parse: the table still says which check failed. */
function refusedInputs(context: ActionContext, error: ConfigurationError): DeployReport {
  const report = newReport({
    mode: 'validate',
    region: '',
    cluster: context.inputs.string('cluster', 'default'),
    startedAt: context.clock.now(),
  });
  report.status = 'failed';
  report.checks = [{ check: 'inputs', status: 'failed', detail: error.message }];
  report.endedAt = context.clock.now();
  return report;
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
  set('images', report.imageLines?.join('\n'));
  if (report.imagesFrom)
    set(
      'image-digests',
      JSON.stringify(
        Object.fromEntries(
          report.imagesFrom.containers.map((container) => [container.container, container.digest]),
        ),
      ),
    );
}
