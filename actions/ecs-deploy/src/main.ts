import { ECSClient } from '@aws-sdk/client-ecs';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction, type ActionContext } from '@ecs-ship/shared/run';
import { deployService } from './deploy.js';
import type { Deps } from './deps.js';
import { ecsClientConfig, getInputs } from './inputs.js';
import { newReport, type DeployReport } from './report.js';
import { runTaskMode } from './run-task.js';
import { stateStoreOf } from './state.js';
import { buildSummary } from './summary.js';

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
    if (report.status === 'failed' || report.status === 'rolled-back') {
      const why = report.reasons[0] ? `: ${report.reasons[0]}` : '.';
      throw new OutcomeError(
        report.mode === 'run-task'
          ? `The task failed${why}`
          : `The deployment ${report.status === 'rolled-back' ? 'was rolled back' : 'failed'}${why}`,
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
  set('task-arn', report.task?.arn);
  set('exit-code', report.task?.exitCode);
}
