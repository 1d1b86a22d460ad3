import { isTransientAwsError } from '@ecs-ship/shared/aws-clients';
import type { Clock } from '@ecs-ship/shared/clock';
import { formatDuration } from '@ecs-ship/shared/duration';
import { CancelledError, describeError } from '@ecs-ship/shared/errors';
import type { Logger } from '@ecs-ship/shared/logger';
import type { AlarmState, AlarmWatch } from './alarms.js';
import { IncompleteMetricsError } from './cloudwatch-source.js';
import type { DeploymentControl, DeploymentView } from './deployment-control.js';
import { createGate, type Gate } from './engine/gate.js';
import type { GateConfig, GateReport, GateState, PeriodObservation } from './engine/types.js';
import { shortComparison } from './engine/explain.js';
import type { MetricPlan } from './metric-definitions.js';
import type { MetricSource } from './metric-source.js';
import { PeriodReader } from './period-reader.js';
import { periodLabel } from './periods.js';

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
  values: PeriodObservation['values'];
  decision: string;
  leaning: string;
}

export interface GateOutcome {
  decision: FinalDecision;
  reason: string;
  /** What decided: the engine's rule, an alarm, the deployment itself, time, data, an error. */
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
/** Failed polls in a row (throttling, a dropped connection, a partial read) before giving up. */
const MAX_CONSECUTIVE_ERRORS = 4;

/**
 * Reads each period as soon as CloudWatch has published it, feeds it to the sequential test, and
 * acts on the deployment the moment the evidence (or an alarm) decides.
 *
 * After a promotion a linear deployment keeps pausing before each step: the gate continues every
 * pause and keeps watching with a second test started at the promotion, which can only roll back
 * (at half the false-rollback rate, so the whole run stays within 1.5 times the configured rate).
 * That watch ends when ECS finishes, or `maxDurationMs` after the promotion.
 */
export async function runGateLoop(
  deps: GateLoopDependencies,
  settings: GateLoopSettings,
): Promise<GateOutcome> {
  return new GateRun(deps, settings).execute();
}

class GateRun {
  private readonly gate: Gate;
  private watch: Gate | undefined;
  private readonly reader: PeriodReader;
  private readonly timeline: TimelineEntry[] = [];
  private readonly started: number;
  private readonly deadline: number;
  private promotedAt: number | undefined;
  private promotion: GateState | undefined;
  private view: DeploymentView | undefined;
  private canaryTrafficSeen = false;

  constructor(
    private readonly deps: GateLoopDependencies,
    private readonly settings: GateLoopSettings,
  ) {
    this.gate = createGate(settings.gate);
    this.reader = new PeriodReader(deps.source, settings);
    this.started = deps.clock.now();
    this.deadline = settings.start + settings.maxDurationMs + settings.periodMs + settings.publishDelayMs;
  }

  async execute(): Promise<GateOutcome> {
    let errors = 0;
    for (;;) {
      try {
        const outcome = await this.step();
        if (outcome) return outcome;
        errors = 0;
        await this.deps.clock.sleep(this.nextWait(), this.deps.signal);
      } catch (error) {
        if (error instanceof CancelledError || this.deps.signal?.aborted) return this.cancelled();
        const transient = error instanceof IncompleteMetricsError || isTransientAwsError(error);
        errors += 1;
        if (!transient || errors >= MAX_CONSECUTIVE_ERRORS) {
          return this.finish(
            'inconclusive',
            'error',
            `The gate stopped on an error: ${describeError(error)}.${this.pauseNote()}`,
          );
        }
        this.deps.logger.warning(
          `Poll failed (${errors} of ${MAX_CONSECUTIVE_ERRORS} in a row): ${describeError(error)}`,
        );
        await this.deps.clock
          .sleep(this.settings.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS, this.deps.signal)
          .catch(() => {});
      }
    }
  }

  /** One look at alarms, metrics and the deployment; an outcome when the run is over. */
  private async step(): Promise<GateOutcome | undefined> {
    const { control, alarms, clock } = this.deps;
    if (alarms) {
      const triggered = (await alarms.states()).filter((alarm) => alarm.state === 'ALARM');
      if (triggered.length > 0) {
        const reason = `Alarm ${triggered.map((alarm) => `"${alarm.name}"`).join(', ')} went into ALARM${
          triggered[0]?.reason ? ` (${triggered[0].reason})` : ''
        }, so the canary is rolled back without waiting for the statistics.`;
        if (control) this.view = await control.rollback(reason);
        return this.finish('rollback', 'alarm', reason, triggered);
      }
    }

    for (const observation of await this.reader.read(clock.now())) this.feed(observation);
    const state = this.gate.state();

    if (control) {
      const view = await control.describe();
      this.logDeploymentChange(view);
      this.view = view;
      if (!view.finished && (await control.continueFirstPause(view))) return undefined;
    }

    // The evidence first: a decision made in the same poll in which ECS finished still counts.
    const watchState = this.watch?.state();
    if (watchState?.decision === 'rollback') return this.rollBack(watchState, 'after the promotion, ');
    if (this.promotedAt === undefined) {
      if (state.decision === 'rollback') return this.rollBack(state, '');
      if (state.decision === 'inconclusive')
        return this.finish('inconclusive', state.rule, `${state.reason}${this.pauseNote()}`);
      if (state.decision === 'promote') this.promote(state);
    }

    if (this.promotedAt !== undefined && this.promotion) {
      if (!control) return this.finish('promote', this.promotion.rule, this.promotion.reason);
      const view = this.view;
      if (view?.finished) {
        return view.status === 'SUCCESSFUL'
          ? this.finish('promote', this.promotion.rule, this.promotion.reason)
          : this.finish(
              'rollback',
              'deployment-ended',
              `ECS ended the deployment as ${view.status} after the gate promoted it.`,
            );
      }
      if (view) await control.continuePauses(view);
      if (clock.now() >= this.promotedAt + this.settings.maxDurationMs) {
        return this.finish(
          'promote',
          this.promotion.rule,
          `${this.promotion.reason} ECS was still shifting traffic ${formatDuration(this.settings.maxDurationMs)} after the promotion; the gate stopped watching.`,
        );
      }
      return undefined;
    }

    if (this.view?.finished) {
      return this.view.status === 'SUCCESSFUL'
        ? this.finish(
            'inconclusive',
            'deployment-finished',
            `ECS finished the deployment before the evidence was conclusive: ${state.leaning}.`,
          )
        : this.finish(
            'rollback',
            'deployment-ended',
            `ECS ended the deployment as ${this.view.status} before the gate decided.`,
          );
    }
    if (this.reader.exhausted) {
      return this.finish(
        'inconclusive',
        'end-of-data',
        `The replayed data ended after ${this.timeline.length} period(s) before the evidence was conclusive: ${state.leaning}.`,
      );
    }
    if (clock.now() >= this.deadline) return this.timedOut(state);
    return undefined;
  }

  private feed(observation: PeriodObservation): void {
    // Periods before the canary's first request say nothing about it: they count towards neither
    // min-duration nor the evidence.
    if (!this.canaryTrafficSeen && observation.canaryRequests === 0) {
      this.record(observation, 'continue', 'waiting for the canary to take traffic');
      return;
    }
    this.canaryTrafficSeen = true;
    const state = this.gate.observe(observation);
    const watchState = this.watch?.observe(observation);
    const decision = watchState?.decision === 'rollback' ? 'rollback' : state.decision;
    this.record(
      observation,
      decision,
      watchState && this.promotedAt !== undefined ? `promoted; ${watchState.leaning}` : state.leaning,
    );
    this.logPeriod(observation, watchState ?? state);
  }

  private record(observation: PeriodObservation, decision: string, leaning: string): void {
    this.timeline.push({
      periodStart: observation.periodStart,
      canaryRequests: observation.canaryRequests,
      baselineRequests: observation.baselineRequests,
      values: observation.values,
      decision,
      leaning,
    });
  }

  private promote(state: GateState): void {
    this.promotedAt = this.deps.clock.now();
    this.promotion = state;
    this.deps.logger.info(`Promote: ${state.reason}`);
    if (this.deps.control) {
      const config = this.settings.gate;
      this.watch = createGate({
        ...config,
        falseRollbackRate: config.falseRollbackRate / 2,
        maxDurationPeriods:
          Math.max(
            config.maxDurationPeriods,
            Math.ceil(this.settings.maxDurationMs / this.settings.periodMs),
          ) * 2,
        onTimeout: 'fail',
      });
    }
  }

  private async rollBack(state: GateState, when: string): Promise<GateOutcome> {
    const reason = when ? `${when[0]?.toUpperCase()}${when.slice(1)}${state.reason}` : state.reason;
    if (this.deps.control) {
      const view = await this.deps.control.rollback(reason);
      this.view = view;
      if (view.finished && view.status === 'SUCCESSFUL') {
        return this.finish(
          'rollback',
          state.rule,
          `${reason} ECS had already completed the deployment: redeploy the previous revision.`,
        );
      }
    }
    return this.finish('rollback', state.rule, reason);
  }

  private async timedOut(state: GateState): Promise<GateOutcome> {
    const reason = `No decision within ${formatDuration(this.settings.maxDurationMs)}: ${state.leaning}.`;
    const { control } = this.deps;
    if (this.settings.gate.onTimeout === 'promote') {
      if (control && this.view) await control.continuePauses(this.view);
      return this.finish('promote', 'timeout', `${reason} on-timeout is promote.`);
    }
    if (this.settings.gate.onTimeout === 'rollback') {
      if (control) this.view = await control.rollback(reason);
      return this.finish('rollback', 'timeout', `${reason} on-timeout is rollback.`);
    }
    return this.finish('inconclusive', 'timeout', `${reason}${this.pauseNote()}`);
  }

  private cancelled(): GateOutcome {
    return this.finish(
      'inconclusive',
      'cancelled',
      `The workflow run was cancelled before the gate decided.${this.pauseNote()}`,
    );
  }

  /** What happens to a deployment left waiting at a pause: the person on call needs to know. */
  private pauseNote(): string {
    const hook = this.view?.awaitingHooks[0];
    if (!hook) return '';
    const when = hook.expiresAt ? ` until ${hook.expiresAt.toISOString()}` : '';
    const then = hook.timeoutAction
      ? `, then ECS will ${hook.timeoutAction === 'ROLLBACK' ? 'roll back' : 'continue'}`
      : '';
    return ` The deployment waits at pause ${hook.hookId}${when}${then}.`;
  }

  private nextWait(): number {
    const now = this.deps.clock.now();
    const checking = this.deps.alarms !== undefined || this.promotedAt !== undefined;
    const check = checking ? (this.settings.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS) : Infinity;
    const limit =
      this.promotedAt === undefined ? this.deadline : this.promotedAt + this.settings.maxDurationMs;
    return Math.max(0, Math.min(this.reader.readyAt(now) - now, check, limit - now));
  }

  private finish(
    decision: FinalDecision,
    rule: string,
    reason: string,
    triggeredAlarms: AlarmState[] = [],
  ): GateOutcome {
    return {
      decision,
      rule,
      reason,
      state: this.gate.state(),
      report: this.gate.report(),
      elapsedMs: this.deps.clock.now() - this.started,
      timeline: this.timeline,
      actions: this.deps.control?.actions ?? [],
      triggeredAlarms,
      ...(this.view ? { deploymentStatus: this.view.status } : {}),
    };
  }

  private logDeploymentChange(view: DeploymentView): void {
    const last = this.view;
    if (
      last &&
      view.stage === last.stage &&
      view.canaryWeight === last.canaryWeight &&
      view.status === last.status
    )
      return;
    this.deps.logger.info(
      `Deployment ${view.status}${view.stage ? ` at ${view.stage}` : ''}${
        view.canaryWeight !== undefined ? `, new revision at ${view.canaryWeight}% of production traffic` : ''
      }${view.awaitingHookIds.length > 0 ? ', paused' : ''}.`,
    );
  }

  private logPeriod(observation: PeriodObservation, state: GateState): void {
    const { canaryRequests: canary, baselineRequests: baseline } = observation;
    const share = canary + baseline > 0 ? ((100 * canary) / (canary + baseline)).toFixed(1) : '0';
    const metrics = this.settings.plan.metrics
      .map((metric) => {
        const metricState = state.metrics.find((entry) => entry.name === metric.spec.name);
        return metricState ? `${shortComparison(metric.spec, metricState)} ${metricState.status}` : undefined;
      })
      .filter(Boolean)
      .join(' · ');
    const time = periodLabel(observation.periodStart);
    const verdict = state.decision === 'continue' ? state.leaning : state.decision;
    this.deps.logger.info(
      `[${time}] canary ${canary} req (${share}%), baseline ${baseline} · ${metrics} · ${verdict}`,
    );
  }
}
