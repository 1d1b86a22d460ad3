import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as glob from '@actions/glob';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { SimulatedClock, type Clock } from '@ecs-ship/shared/clock';
import { CancelledError, ConfigurationError, describeError, OutcomeError } from '@ecs-ship/shared/errors';
import { runAction } from '@ecs-ship/shared/run';
import { AlarmWatch } from './alarms.js';
import { CloudWatchSource } from './cloudwatch-source.js';
import { DeploymentControl } from './deployment-control.js';
import { validateGateConfig } from './engine/gate.js';
import type { GateConfig } from './engine/types.js';
import { refusedOutcome, runGateLoop, type GateLoopDependencies, type GateOutcome } from './gate-loop.js';
import { albPlan, getInputs, type CanaryGateInputs } from './inputs.js';
import { allQueries, type MetricPlan } from './metric-definitions.js';
import { OPTIONAL_REPLAY_IDS } from './alb-preset.js';
import { POST_STATE } from './post-step.js';
import { awaitTrafficRoles } from './traffic-roles-wait.js';
import { alignToPeriod } from './periods.js';
import { ReplaySource } from './replay-source.js';
import { buildReport } from './report.js';
import { buildSummary } from './summary.js';

export async function run(): Promise<void> {
  await runAction({ title: 'Canary gate' }, async (context) => {
    const { logger } = context;
    // First of all: whatever happens next, the post step of this same bundle knows it is the post.
    context.saveState(POST_STATE.isPost, 'true');
    const inputs = getInputs(context.inputs);
    const gateConfig = toGateConfig(inputs);
    let plan: MetricPlan = inputs.plan;
    let queries = allQueries(plan);
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
    let refused: GateOutcome | undefined;
    let control: DeploymentControl | undefined;
    let checkTrafficShare = false;
    if (inputs.replay) {
      const files = await (await glob.create(inputs.replay, { matchDirectories: false })).glob();
      const source = await ReplaySource.load(
        files.sort(),
        queries.filter((query) => !OPTIONAL_REPLAY_IDS.has(query.Id ?? '')),
      );
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
      control =
        inputs.action === 'act' && inputs.deployment
          ? await DeploymentControl.attach(new ECSClient(config), logger, inputs.deployment, clock)
          : undefined;
      if (control) {
        result.deploymentArn = control.arn;
        // What the post step needs if this step is cancelled or dies: no inputs are read there.
        context.saveState(POST_STATE.deploymentArn, control.arn);
        context.saveState(POST_STATE.region, config.region);
        context.saveState(POST_STATE.answer, inputs.onCancel);
      }
      if (control && inputs.alb) {
        const roles = await awaitTrafficRoles(control, new ElasticLoadBalancingV2Client(config), {
          expected: {
            ...(inputs.alb.canaryTargetGroup ? { canaryTargetGroup: inputs.alb.canaryTargetGroup } : {}),
            ...(inputs.alb.baselineTargetGroup
              ? { baselineTargetGroup: inputs.alb.baselineTargetGroup }
              : {}),
          },
          clock,
          logger,
          signal: context.signal,
          limitMs: Math.min(inputs.maxDurationMs, ROLES_WAIT_MS),
          intervalMs: ROLES_POLL_MS,
        }).catch((error: unknown) => {
          // Cancelled while learning the roles: still an ending the pause must be answered for.
          if (error instanceof CancelledError || context.signal.aborted) {
            return {
              kind: 'refused' as const,
              rule: 'cancelled' as const,
              reason:
                'The workflow run was cancelled while the gate waited to learn which target group holds the new revision.',
            };
          }
          throw error;
        });
        if (roles.kind === 'refused') {
          refused = refusedOutcome(gateConfig, roles.rule, roles.reason);
        } else {
          plan = albPlan(inputs.alb, roles.roles.canaryTargetGroupArn, roles.roles.baselineTargetGroupArn);
          queries = allQueries(plan);
          checkTrafficShare = true;
        }
      }
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

    const outcome =
      refused ??
      (await runGateLoop(deps, {
        plan,
        checkTrafficShare,
        gate: gateConfig,
        start,
        periodMs: inputs.periodMs,
        publishDelayMs: inputs.publishDelayMs,
        maxDurationMs: inputs.maxDurationMs,
        lookbackMs: inputs.lookbackMs,
        ...(endOfData !== undefined ? { endOfData } : {}),
        // A promoted canary or blue/green has no pause left for the post step to answer.
        onPromotedWithoutPausesLeft: () => context.saveState(POST_STATE.answer, 'done'),
      }));
    result.outcome = outcome;
    // Written before the deployment is answered: if that fails, the step still says what was decided.
    context.setOutput('decision', outcome.decision);
    context.setOutput('reason', outcome.reason);
    if (control) {
      // A timeout is on-timeout's to answer (leave keeps the pause); every other unfinished end is on-cancel's.
      const answer =
        outcome.rule === 'timeout' ? (inputs.onTimeout === 'leave' ? 'leave' : 'rollback') : inputs.onCancel;
      await answerUnfinished(control, outcome, answer, logger);
    }
    if (control) context.saveState(POST_STATE.answer, 'done');

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

    context.setOutput('elapsed-seconds', Math.round(outcome.elapsedMs / 1000));
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

/** How long the gate reads the traffic roles again while ECS cannot tell them yet. */
const ROLES_WAIT_MS = 10 * 60_000;
const ROLES_POLL_MS = 20_000;

/**
 * An inconclusive end (cancelled, an error, a refusal, a timeout without a promotion) must not leave
 * production split at a pause for a day: it is rolled back now, unless on-cancel (or, for a timeout,
 * on-timeout) is leave. A
 * deployment the gate had already promoted is rolled back only when a pause may still follow (a
 * linear deployment's next step): a promoted canary or blue/green whose pause was answered finishes
 * by itself, and undoing a verdict the evidence gave is not what a cancelled watch should do.
 */
async function answerUnfinished(
  control: DeploymentControl,
  outcome: GateOutcome,
  answer: 'rollback' | 'leave',
  logger: { warning(message: string): void; info(message: string): void },
): Promise<void> {
  if (outcome.decision !== 'inconclusive' || outcome.rule === 'superseded') return;
  if (outcome.promoted && !outcome.pauseMayFollow) {
    logger.info(
      `The gate had promoted and no pause is left for it to answer: the deployment is left to finish. ${outcome.reason}`,
    );
    return;
  }
  const input = outcome.rule === 'timeout' ? 'on-timeout' : 'on-cancel';
  if (answer === 'leave') {
    logger.warning(`${input} is leave: the deployment is left as it is. ${outcome.reason}`);
    return;
  }
  try {
    const view = await control.rollback(
      `The gate ended inconclusive (${outcome.rule}); the pause is answered with a rollback (${input} is not leave).`,
    );
    outcome.actions = [...control.actions];
    outcome.deploymentStatus = view.status;
  } catch (error) {
    logger.warning(
      `Could not roll back after the inconclusive end: ${describeError(error)}; the post step tries again.`,
    );
    throw error;
  }
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
