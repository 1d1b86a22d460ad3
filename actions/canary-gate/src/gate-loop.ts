import type { Clock } from '@ecs-ship/shared/clock';
import { formatDuration } from '@ecs-ship/shared/duration';
import type { Logger } from '@ecs-ship/shared/logger';
import type { AlarmState, AlarmWatch } from './alarms.js';
import type { DeploymentControl, DeploymentView } from './deployment-control.js';
import { createGate } from './engine/gate.js';
import type { GateConfig, GateReport, GateState } from './engine/types.js';
import { metricLine } from './format.js';
import { allQueries, type MetricPlan } from './metric-definitions.js';
import type { MetricSource } from './metric-source.js';
import { isPeriodComplete, observePeriod } from './periods.js';

export interface GateLoopDependencies {
  source: MetricSource;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  /** Absent with action decide-only and in replay: the gate only decides. */
  control?: DeploymentControl;
  /** Absent in replay. */
  alarms?: AlarmWatch;
}

export interface GateLoopSettings {
  plan: MetricPlan;
  gate: GateConfig;
  /** First period start (aligned). */
  start: number;
  periodMs: number;
  publishDelayMs: number;
  maxDurationMs: number;
  /** Replay: the last period in the files; the loop ends there. */
  endOfData?: number;
  /** How often alarms and a promoted deployment's pauses are checked between periods. */
  checkIntervalMs?: number;
}

export type FinalDecision = 'promote' | 'rollback' | 'inconclusive';

export interface TimelineEntry {
  periodStart: number;
  canaryRequests: number;
  baselineRequests: number;
  values: Record<string, { canary?: number; baseline?: number }>;
  decision: string;
  leaning: string;
}

export interface GateOutcome {
  decision: FinalDecision;
  reason: string;
  /** What decided: the engine's rule, an alarm, the deployment itself, or running out of time or data. */
  rule: string;
  state: GateState;
  report: GateReport;
  elapsedMs: number;
  timeline: TimelineEntry[];
  actions: string[];
  triggeredAlarms: AlarmState[];
  deploymentStatus?: string;
}

const DEFAULT_CHECK_INTERVAL_MS = 20_000;

/**
 * Reads each period as soon as CloudWatch has published it, feeds it to the sequential test, and
 * acts on the deployment the moment the evidence (or an alarm) decides.
 */
export async function runGateLoop(
  deps: GateLoopDependencies,
  settings: GateLoopSettings,
): Promise<GateOutcome> {
  const { source, clock, logger, control, alarms } = deps;
  const { plan, periodMs, publishDelayMs } = settings;
  const gate = createGate(settings.gate);
  const queries = allQueries(plan);
  const started = clock.now();
  const deadline = settings.start + settings.maxDurationMs + periodMs + publishDelayMs;
  const checkIntervalMs = settings.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const timeline: TimelineEntry[] = [];
  let next = settings.start;
  let promoted = false;
  let lastView: DeploymentView | undefined;

  const finish = (
    decision: FinalDecision,
    rule: string,
    reason: string,
    extra: Partial<GateOutcome> = {},
  ): GateOutcome => ({
    decision,
    rule,
    reason,
    state: gate.state(),
    report: gate.report(),
    elapsedMs: clock.now() - started,
    timeline,
    actions: control?.actions ?? [],
    triggeredAlarms: [],
    ...(lastView ? { deploymentStatus: lastView.status } : {}),
    ...extra,
  });

  for (;;) {
    if (deps.signal?.aborted)
      return finish('inconclusive', 'cancelled', 'The workflow run was cancelled before the gate decided.');
    const now = clock.now();

    if (alarms) {
      const triggered = (await alarms.states()).filter((alarm) => alarm.state === 'ALARM');
      if (triggered.length > 0) {
        const reason = `Alarm ${triggered.map((alarm) => `"${alarm.name}"`).join(', ')} went into ALARM${
          triggered[0]?.reason ? ` (${triggered[0].reason})` : ''
        }, so the canary is rolled back without waiting for the statistics.`;
        if (control) await control.rollback(lastView ?? (await control.describe()), reason);
        return finish('rollback', 'alarm', reason, { triggeredAlarms: triggered });
      }
    }

    let state = gate.state();
    if (
      isPeriodComplete(next, periodMs, publishDelayMs, now) &&
      (settings.endOfData === undefined || next <= settings.endOfData)
    ) {
      let end = next;
      while (isPeriodComplete(end, periodMs, publishDelayMs, now)) end += periodMs;
      const series = await source.read(queries, { start: settings.start, end });
      while (next < end && (settings.endOfData === undefined || next <= settings.endOfData)) {
        const observation = observePeriod(plan, series, next);
        state = gate.observe(observation);
        timeline.push({
          periodStart: next,
          canaryRequests: observation.canaryRequests,
          baselineRequests: observation.baselineRequests,
          values: observation.values,
          decision: state.decision,
          leaning: state.leaning,
        });
        logPeriod(
          logger,
          settings,
          observation.periodStart,
          observation.canaryRequests,
          observation.baselineRequests,
          state,
        );
        next += periodMs;
        if (state.decision !== 'continue') break;
      }
    }

    if (control) {
      const view = await control.describe();
      if (
        !lastView ||
        view.stage !== lastView.stage ||
        view.canaryWeight !== lastView.canaryWeight ||
        view.status !== lastView.status
      ) {
        logger.info(
          `Deployment ${view.status}${view.stage ? ` at ${view.stage}` : ''}${
            view.canaryWeight !== undefined
              ? `, new revision at ${view.canaryWeight}% of production traffic`
              : ''
          }${view.awaitingHookIds.length > 0 ? ', paused for the gate' : ''}.`,
        );
      }
      lastView = view;
      if (await control.continueFirstPause(view)) lastView = { ...view, awaitingHookIds: [] };
      if (view.finished) {
        if (view.status === 'SUCCESSFUL') {
          return promoted
            ? finish('promote', state.rule, state.reason)
            : finish(
                'inconclusive',
                'deployment-finished',
                `ECS finished the deployment (${view.status}) before the evidence was conclusive: ${state.leaning}.`,
              );
        }
        return finish(
          'rollback',
          'deployment-ended',
          `ECS ended the deployment as ${view.status} before the gate decided.`,
        );
      }
    }

    if (state.decision === 'rollback') {
      if (control) await control.rollback(lastView ?? (await control.describe()), state.reason);
      return finish('rollback', state.rule, state.reason);
    }
    if (state.decision === 'inconclusive') return finish('inconclusive', state.rule, state.reason);
    if (state.decision === 'promote') {
      if (!control) return finish('promote', state.rule, state.reason);
      if (!promoted) logger.info(`Promote: ${state.reason}`);
      promoted = true;
      // A linear deployment pauses again before each step: keep continuing until ECS finishes.
      if (lastView) await control.continuePauses(lastView);
    }

    const afterSleep = clock.now();
    if (settings.endOfData !== undefined && next > settings.endOfData) {
      return finish(
        'inconclusive',
        'end-of-data',
        `The replayed data ended after ${timeline.length} period(s) before the evidence was conclusive: ${state.leaning}.`,
      );
    }
    if (afterSleep >= deadline) {
      if (promoted)
        return finish(
          'promote',
          state.rule,
          `${state.reason} ECS was still shifting traffic when the gate's time ran out.`,
        );
      // The engine applies on-timeout at max-duration periods; this is the wall-clock guard for when
      // periods stop completing (CloudWatch stalls), with the same rule.
      const reason = `No decision within ${formatDuration(settings.maxDurationMs)}: ${state.leaning}.`;
      if (settings.gate.onTimeout === 'promote') {
        if (control && lastView) await control.continuePauses(lastView);
        return finish('promote', 'timeout', `${reason} on-timeout is promote.`);
      }
      if (settings.gate.onTimeout === 'rollback') {
        if (control) await control.rollback(lastView ?? (await control.describe()), reason);
        return finish('rollback', 'timeout', `${reason} on-timeout is rollback.`);
      }
      return finish('inconclusive', 'timeout', reason);
    }
    const nextPeriodReady = next + periodMs + publishDelayMs;
    const wait = Math.max(
      0,
      Math.min(
        nextPeriodReady - afterSleep,
        alarms || promoted ? checkIntervalMs : Infinity,
        deadline - afterSleep,
      ),
    );
    await clock.sleep(wait, deps.signal);
  }
}

function logPeriod(
  logger: Logger,
  settings: GateLoopSettings,
  periodStart: number,
  canary: number,
  baseline: number,
  state: GateState,
): void {
  const share = canary + baseline > 0 ? ((100 * canary) / (canary + baseline)).toFixed(1) : '0';
  const metrics = settings.plan.metrics
    .map((metric) => {
      const metricState = state.metrics.find((entry) => entry.name === metric.spec.name);
      return metricState ? metricLine(metric.spec, metricState) : undefined;
    })
    .filter(Boolean)
    .join(' · ');
  const time = new Date(periodStart).toISOString().slice(11, 16);
  logger.info(
    `[${time}] canary ${canary} req (${share}%), baseline ${baseline} · ${metrics} · ${state.decision === 'continue' ? state.leaning : state.decision}`,
  );
}
