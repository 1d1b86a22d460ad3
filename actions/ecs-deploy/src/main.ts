import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction, type ActionContext } from '@ecs-ship/shared/run';
import { deployService, prepareTaskDefinition } from './deploy.js';
import { getInputs } from './inputs.js';
import { newReport, type DeployReport } from './report.js';
import { runOneOffTask } from './run-task.js';
import type { StateStore } from './state.js';
import { buildSummary } from './summary.js';
import type { Deps } from './watch.js';

export async function run(): Promise<void> {
  await runAction({ title: 'ECS deploy' }, async (context) => {
    const inputs = getInputs(context.inputs);
    const config = awsClientConfig({
      ...(inputs.region ? { region: inputs.region } : {}),
      actionName: 'ecs-deploy',
      serviceId: 'ECS',
    });
    const deps: Deps = {
      ecs: new ECSClient(config),
      logger: context.logger,
      clock: context.clock,
      signal: context.signal,
    };
    const state = stateOf(context);
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
      if (inputs.mode === 'service') {
        await deployService(deps, inputs, report, state);
      } else {
        const prepared = await prepareTaskDefinition(deps, inputs, report);
        await runOneOffTask(
          deps,
          inputs,
          { arn: prepared.taskDefinitionArn, definition: prepared.definition },
          report,
          state,
        );
      }
    } finally {
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

function stateOf(context: ActionContext): StateStore {
  return { save: (name, value) => context.saveState(name, value), get: (name) => context.getState(name) };
}
