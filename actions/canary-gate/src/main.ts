import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import * as glob from '@actions/glob';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { SimulatedClock, type Clock } from '@ecs-ship/shared/clock';
import { ConfigurationError, OutcomeError } from '@ecs-ship/shared/errors';
import { runAction } from '@ecs-ship/shared/run';
import { AlarmWatch } from './alarms.js';
import { CloudWatchSource } from './cloudwatch-source.js';
import { DeploymentControl } from './deployment-control.js';
import { validateGateConfig } from './engine/gate.js';
import type { GateConfig } from './engine/types.js';
import { runGateLoop, type GateLoopDependencies, type GateOutcome } from './gate-loop.js';
import { getInputs, type CanaryGateInputs } from './inputs.js';
import { allQueries } from './metric-definitions.js';
import { alignToPeriod } from './periods.js';
import { ReplaySource } from './replay-source.js';
import { buildReport } from './report.js';
import { buildSummary } from './summary.js';

export async function run(): Promise<void> {
  await runAction({ title: 'Canary gate' }, async (context) => {
    const { logger } = context;
    const inputs = getInputs(context.inputs);
    const gateConfig = toGateConfig(inputs);
    const queries = allQueries(inputs.plan);
    const mode = inputs.replay ? 'replay' : 'live';
    const result: { outcome?: GateOutcome; deploymentArn?: string } = {};
    context.setSummary(() =>
      result.outcome
        ? buildSummary({
            outcome: result.outcome,
            specs: gateConfig.metrics,
            mode,
            ...(result.deploymentArn ? { deploymentArn: result.deploymentArn } : {}),
          })
        : [],
    );

    let deps: GateLoopDependencies;
    let clock: Clock = context.clock;
    let start: number;
    let endOfData: number | undefined;
    if (inputs.replay) {
      const files = await (await glob.create(inputs.replay, { matchDirectories: false })).glob();
      const source = await ReplaySource.load(files.sort(), queries);
      const first = source.firstTimestamp ?? 0;
      start = alignToPeriod(inputs.startTime ?? first, inputs.periodMs);
      endOfData = source.lastTimestamp;
      clock = new SimulatedClock(start);
      deps = { source, clock, logger, signal: context.signal };
      logger.info(
        `Replaying ${files.length} file(s) from ${new Date(start).toISOString()}; no action is taken on any deployment.`,
      );
    } else {
      const config = awsClientConfig({
        actionName: 'canary-gate',
        ...(inputs.region ? { region: inputs.region } : {}),
      });
      const cloudwatch = new CloudWatchClient(config);
      const alarms = inputs.alarms.length > 0 ? new AlarmWatch(cloudwatch, inputs.alarms) : undefined;
      await alarms?.verify();
      const control =
        inputs.action === 'act' && inputs.deployment
          ? await DeploymentControl.attach(new ECSClient(config), logger, inputs.deployment)
          : undefined;
      if (control) result.deploymentArn = control.arn;
      start = alignToPeriod(inputs.startTime ?? clock.now(), inputs.periodMs);
      deps = {
        source: new CloudWatchSource(cloudwatch, logger),
        clock,
        logger,
        signal: context.signal,
        ...(control ? { control } : {}),
        ...(alarms ? { alarms } : {}),
      };
      logger.info(
        `Judging ${gateConfig.metrics.map((metric) => metric.label ?? metric.name).join(', ')} from ${new Date(start).toISOString()}${
          control ? ` for ${control.arn}` : ' (decide only)'
        }; false-rollback rate ${inputs.falseRollbackRate}.`,
      );
    }

    const outcome = await runGateLoop(deps, {
      plan: inputs.plan,
      gate: gateConfig,
      start,
      periodMs: inputs.periodMs,
      publishDelayMs: inputs.publishDelayMs,
      maxDurationMs: inputs.maxDurationMs,
      ...(endOfData !== undefined ? { endOfData } : {}),
    });
    result.outcome = outcome;

    const report = buildReport(outcome, {
      mode,
      queries,
      ...(result.deploymentArn ? { deploymentArn: result.deploymentArn } : {}),
      apiCalls: { getMetricData: deps.source.calls, describeAlarms: deps.alarms?.calls ?? 0 },
    });
    const directory = path.join(process.env.RUNNER_TEMP ?? process.cwd(), `canary-gate-${Date.now()}`);
    await mkdir(directory, { recursive: true });
    const reportFile = path.join(directory, 'canary-gate-report.json');
    await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);

    context.setOutput('decision', outcome.decision);
    context.setOutput('elapsed-seconds', Math.round(outcome.elapsedMs / 1000));
    context.setOutput('reason', outcome.reason);
    context.setOutput('report', reportFile);
    logger.info(`Decision: ${outcome.decision}. ${outcome.reason}`);

    if (outcome.decision === 'rollback' && inputs.failOnRollback)
      throw new OutcomeError(`Canary rolled back: ${outcome.reason}`);
    // Inconclusive means the gate could not judge (no decision by max-duration with on-timeout fail,
    // the deployment ended first, data ran out, an error): never a green step.
    if (outcome.decision === 'inconclusive')
      throw new OutcomeError(`Canary gate inconclusive: ${outcome.reason}`);
  });
}

function toGateConfig(inputs: CanaryGateInputs): GateConfig {
  const config: GateConfig = {
    metrics: inputs.plan.metrics.map((metric) => metric.spec),
    falseRollbackRate: inputs.falseRollbackRate,
    minDurationPeriods: Math.ceil(inputs.minDurationMs / inputs.periodMs),
    maxDurationPeriods: Math.floor(inputs.maxDurationMs / inputs.periodMs),
    minRequests: inputs.minRequests,
    onTimeout: inputs.onTimeout,
    periodSeconds: inputs.periodMs / 1000,
  };
  try {
    validateGateConfig(config);
  } catch (error) {
    throw new ConfigurationError(`The gate's settings are inconsistent: ${(error as Error).message}`);
  }
  return config;
}
