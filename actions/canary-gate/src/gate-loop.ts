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
  /** How far before `start` the baseline's periods are read for its noise (0: none). */
  lookbackMs?: number;
  /** How often alarms and a promoted deployment's pauses are checked between periods. */
  checkIntervalMs?: number;
  /**
   * Compare the measured request share of the canary with the weight ECS reports (the ALB preset
   * with traffic roles read from ECS): a share far from it means the groups are not what we think.
   */
  checkTrafficShare?: boolean;
  /** How long a pause with an unknown traffic weight is waited on before failing closed. */
  unknownWeightLimitMs?: number;
  /**
   * Called once, after a promotion's first answer, when no later pause of the deployment can need
   * the gate (a canary or blue/green whose pause was answered): a cancelled run then leaves the
   * promoted deployment to finish instead of rolling it back.
   */
  onPromotedWithoutPausesLeft?: () => void;
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
  /** The gate had promoted before this ending (the outcome may still be a later rollback). */
  promoted: boolean;
  /**
   * Whether the deployment may still wait at a pause nobody answers if the gate stops now: one is
   * waiting, or it is linear (a pause before every step), or its state is unknown.
   */
  pauseMayFollow: boolean;
  /** Periods of the baseline before the start that the gate learnt the noise from. */
  lookbackPeriods?: number;
}

const DEFAULT_CHECK_INTERVAL_MS = 20_000;
const DEFAULT_UNKNOWN_WEIGHT_LIMIT_MS = 5 * 60_000;
/**
 * The traffic-share check trips only on a gap no sampling noise explains: at least this many
 * requests since ECS's weight last changed, a measured share outside [w/2, 2w] and more than both
 * TRAFFIC_SHARE_MIN_GAP_PP and TRAFFIC_SHARE_SDS binomial standard deviations from the weight. A
 * 10% canary measured at 90% (the groups swapped) trips it after the first thousand requests; a
 * healthy 10% canary at 1,000 requests has a standard deviation of 0.95pp, so it would have to be
 * measured below 4.3% or above 15.7% (about one chance in 10^9).
 */
export const TRAFFIC_SHARE_MIN_REQUESTS = 1000;
export const TRAFFIC_SHARE_MIN_GAP_PP = 5;
export const TRAFFIC_SHARE_SDS = 6;

/** Whether a measured canary share is too far from ECS's weight to be noise (see above). */
export function shareContradictsWeight(weightPct: number, canary: number, total: number): boolean {
  if (total < TRAFFIC_SHARE_MIN_REQUESTS || weightPct <= 0 || weightPct >= 100) return false;
  const share = (100 * canary) / total;
  const p = weightPct / 100;
  const sdPct = 100 * Math.sqrt((p * (1 - p)) / total);
  const gap = Math.abs(share - weightPct);
  const outside = share < weightPct / 2 || share > weightPct * 2;
  return outside && gap > TRAFFIC_SHARE_MIN_GAP_PP && gap > TRAFFIC_SHARE_SDS * sdPct;
}
/** Periods in a row in which the canary group has unhealthy hosts and the baseline's none. */
export const UNHEALTHY_PERIODS = 2;
/** Failed polls in a row (throttling, a dropped connection, a partial read) before giving up. */
const MAX_CONSECUTIVE_ERRORS = 4;

/**
 * Reads each period as soon as CloudWatch has published it, feeds it to the sequential test, and
 * acts on the deployment the moment the evidence (or an alarm) decides.
 *
 * After a promotion a linear deployment keeps pausing before each step: the gate continues every
 * pause and keeps feeding the same test, whose rollback claims carry the evidence of the earlier
 * steps into the later ones (where the canary's larger share brings more per minute) and whose
 * false-rollback budget is the one already spent on: the same claims, so no second budget. The watch
 * ends only when ECS reports the deployment finished: a gate that promoted answers every pause of
 * its deployment, so no step ends green with a pause left waiting.
 */
export async function runGateLoop(
  deps: GateLoopDependencies,
  settings: GateLoopSettings,
): Promise<GateOutcome> {
  return new GateRun(deps, settings).execute();
}

class GateRun {
  private readonly gate: Gate;
  private readonly reader: PeriodReader;
  private readonly timeline: TimelineEntry[] = [];
  private readonly started: number;
  private readonly deadline: number;
  private promotedAt: number | undefined;
  private promotion: GateState | undefined;
  private view: DeploymentView | undefined;
  private canaryTrafficSeen = false;
  /** Requests of each arm in periods that began after ECS's weight last changed. */
  private share: { weight: number | undefined; since: number; canary: number; baseline: number } = {
    weight: undefined,
    since: 0,
    canary: 0,
    baseline: 0,
  };
  private unknownWeightSince: number | undefined;
  private unhealthyRun = 0;
  private refusal: { rule: string; reason: string } | undefined;
  private promotionReported = false;
  /** Baseline periods before the start the gate learnt the noise from. */
  private lookbackPeriods = 0;

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

    const observations = await this.reader.read(clock.now());
    this.learnLookback();
    for (const observation of observations) this.feed(observation);
    const state = this.gate.state();

    if (control) {
      const view = await control.describe();
      this.logDeploymentChange(view);
      this.view = view;
      this.trackWeight(view);
      if (view.finished && view.status === 'STOPPED') {
        const superseded = await control.supersededBy(view);
        if (superseded) {
          return this.finish(
            'inconclusive',
            'superseded',
            `ECS stopped the deployment because a newer one replaced it (${superseded}); the gate judged neither.`,
          );
        }
      }
      if (!view.finished && (await control.continueFirstPause(view))) return undefined;
      const unknown = this.unknownWeightAtPause(view);
      if (unknown) return unknown;
    }
    if (this.refusal) return this.finish('inconclusive', this.refusal.rule, this.refusal.reason);
    if (this.unhealthyRun >= UNHEALTHY_PERIODS) {
      const reason = `The canary target group had unhealthy hosts for ${this.unhealthyRun} periods in a row while the baseline's had none.`;
      return this.rollBack({ rule: 'unhealthy-hosts', reason }, '');
    }

    // The evidence first: a decision made in the same poll in which ECS finished still counts.
    if (state.decision === 'rollback') return this.rollBack(state, '');
    if (this.promotedAt === undefined) {
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
      // Keep answering every pause until ECS finishes: a promoted gate never leaves one waiting.
      if (view) await control.continuePauses(view);
      if (!this.promotionReported && !this.pauseMayFollow()) {
        this.promotionReported = true;
        this.settings.onPromotedWithoutPausesLeft?.();
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

  /** A pause whose weight ECS does not report is never read as any weight: wait, then fail closed. */
  private unknownWeightAtPause(view: DeploymentView): GateOutcome | undefined {
    const { control } = this.deps;
    const waiting =
      !view.finished &&
      this.promotedAt === undefined &&
      view.canaryWeight === undefined &&
      control !== undefined &&
      control.unanswered(view).length > 0;
    if (!waiting) {
      this.unknownWeightSince = undefined;
      return undefined;
    }
    const now = this.deps.clock.now();
    this.unknownWeightSince ??= now;
    const limit = this.settings.unknownWeightLimitMs ?? DEFAULT_UNKNOWN_WEIGHT_LIMIT_MS;
    if (now - this.unknownWeightSince < limit) return undefined;
    return this.finish(
      'inconclusive',
      'unknown-weight',
      `The deployment waits at a pause but ECS has not reported the new revision's production traffic weight for ${formatDuration(limit)}: the gate cannot tell what it would continue into.${this.pauseNote()}`,
    );
  }

  private trackWeight(view: DeploymentView): void {
    if (view.canaryWeight === this.share.weight) return;
    this.share = { weight: view.canaryWeight, since: this.deps.clock.now(), canary: 0, baseline: 0 };
  }

  /** The measured canary share against ECS's weight: far apart means the wrong groups are compared. */
  private checkShare(observation: PeriodObservation): void {
    const weight = this.share.weight;
    if (!this.settings.checkTrafficShare || weight === undefined || this.refusal) return;
    // Only periods wholly after ECS set this weight: one straddling the change mixes two shares.
    if (observation.periodStart < this.share.since) return;
    this.share.canary += observation.canaryRequests;
    this.share.baseline += observation.baselineRequests;
    const total = this.share.canary + this.share.baseline;
    if (!shareContradictsWeight(weight, this.share.canary, total)) return;
    const share = (100 * this.share.canary) / total;
    this.refusal = {
      rule: 'traffic-mismatch',
      reason: `The canary target group took ${share.toFixed(1)}% of ${total} requests since ECS set the new revision's weight to ${weight}%: the groups compared are not the ones ECS is shifting, so the gate refuses to judge.`,
    };
  }

  private checkUnhealthy(observation: PeriodObservation): void {
    const unhealthy = this.reader.unhealthy(observation.periodStart);
    if (!unhealthy) return;
    this.unhealthyRun = unhealthy.canary > 0 && unhealthy.baseline === 0 ? this.unhealthyRun + 1 : 0;
  }

  /** The baseline's periods before the canary: noise for the gate to learn, logged once. */
  private learnLookback(): void {
    const lookback = this.reader.takeLookback();
    if (lookback.length === 0) return;
    for (const period of lookback) this.gate.observeLookback(period);
    this.lookbackPeriods = lookback.length;
    this.deps.logger.info(
      `Learnt the baseline's per-period noise from ${lookback.length} period(s) before the canary started (lookback).`,
    );
  }

  private feed(observation: PeriodObservation): void {
    this.checkShare(observation);
    // Periods before the canary's first request say nothing about it: they count towards neither
    // min-duration nor the evidence, nor towards the unhealthy-hosts rule (a green group that
    // registers its targets before the shift is not a sick canary).
    if (!this.canaryTrafficSeen && observation.canaryRequests === 0) {
      this.record(observation, 'continue', 'waiting for the canary to take traffic');
      return;
    }
    this.canaryTrafficSeen = true;
    this.checkUnhealthy(observation);
    const state = this.gate.observe(observation);
    const watching = this.promotedAt !== undefined && state.decision === 'promote';
    this.record(
      observation,
      state.decision,
      watching ? 'promoted; watching for a regression' : state.leaning,
    );
    this.logPeriod(observation, state);
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
    // The engine keeps its rollback claims running from here (a timeout's promotion included).
    this.gate.markPromoted(state);
  }

  private async rollBack(state: { rule: string; reason: string }, when: string): Promise<GateOutcome> {
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

  /**
   * The clock ran out before the engine's own max duration (periods missing or late): on-timeout
   * decides from the evidence so far, as the engine would have at its last period.
   */
  private async timedOut(state: GateState): Promise<GateOutcome | undefined> {
    const reason = `No decision within ${formatDuration(this.settings.maxDurationMs)}: ${state.leaning}.`;
    const { control } = this.deps;
    const policy = this.settings.gate.onTimeout;
    const bounded = policy === 'promote-if-bounded' && boundedAtTimeout(state, this.settings.gate);
    if (policy === 'promote' || bounded) {
      const rule = bounded ? 'bounded' : 'timeout';
      const why = bounded
        ? `${reason} No critical regression was shown and every critical metric already rules out its critical tolerance; on-timeout is promote-if-bounded.`
        : `${reason} on-timeout is promote.`;
      if (control && this.view && !this.view.finished) {
        // Promoting a live deployment means answering its later pauses too: keep watching.
        this.promote({ ...state, decision: 'promote', rule, reason: why });
        await control.continuePauses(this.view);
        return undefined;
      }
      return this.finish('promote', rule, why);
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
    // After a promotion there is no deadline of our own: ECS finishing ends the watch.
    const limit = this.promotedAt === undefined ? this.deadline : Infinity;
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
      promoted: this.promotedAt !== undefined,
      pauseMayFollow: this.pauseMayFollow(),
      lookbackPeriods: this.lookbackPeriods,
    };
  }

  private pauseMayFollow(): boolean {
    const { control } = this.deps;
    const view = this.view;
    if (!control || !view) return control !== undefined;
    if (view.finished) return false;
    return (
      control.unanswered(view).length > 0 || (view.strategy !== 'CANARY' && view.strategy !== 'BLUE_GREEN')
    );
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

/** promote-if-bounded's condition on the state so far (the engine applies it at its own max duration). */
export function boundedAtTimeout(state: GateState, gate: GateConfig): boolean {
  const critical = state.metrics.filter((metric) => metric.critical);
  return (
    state.canaryRequests >= gate.minRequests &&
    critical.every((metric) => metric.status !== 'regression' && metric.bounded === true)
  );
}

/** An inconclusive outcome decided before any period was judged (the gate refused to start). */
export function refusedOutcome(
  gate: GateConfig,
  rule: string,
  reason: string,
  extra: { actions?: string[]; deploymentStatus?: string; elapsedMs?: number } = {},
): GateOutcome {
  const engine = createGate(gate);
  return {
    decision: 'inconclusive',
    rule,
    reason,
    state: engine.state(),
    report: engine.report(),
    elapsedMs: extra.elapsedMs ?? 0,
    timeline: [],
    actions: extra.actions ?? [],
    triggeredAlarms: [],
    ...(extra.deploymentStatus ? { deploymentStatus: extra.deploymentStatus } : {}),
    promoted: false,
    pauseMayFollow: true,
  };
}
