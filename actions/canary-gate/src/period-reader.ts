import type { PeriodObservation } from './engine/types.js';
import { allQueries, type MetricPlan } from './metric-definitions.js';
import type { MetricSource } from './metric-source.js';
import { isPeriodComplete, observePeriod } from './periods.js';

export interface PeriodReaderSettings {
  plan: MetricPlan;
  start: number;
  periodMs: number;
  publishDelayMs: number;
  /** Replay: no period after this one exists. */
  endOfData?: number;
  /**
   * How far before `start` the first read reaches, for the baseline's own periods before the canary
   * (the gate learns the service's noise from them). The same queries in the same call: only the
   * first window starts earlier.
   */
  lookbackMs?: number;
}

/** Extra publish delays a period with no request data at all waits for late points. */
const LATE_DATA_DELAYS = 2;

/**
 * Hands out each complete period exactly once, in order. A period in which neither arm has any
 * request datapoint, after periods that had traffic, is held for up to two more publish delays:
 * CloudWatch sometimes publishes an ALB minute late, and read too early it would count as a minute
 * without traffic forever.
 */
export class PeriodReader {
  private next: number;
  private sawTraffic = false;
  private readonly unhealthyHosts = new Map<number, { canary: number; baseline: number }>();
  private lookbackRead = false;
  private lookbackPeriods: PeriodObservation[] = [];

  constructor(
    private readonly source: MetricSource,
    private readonly settings: PeriodReaderSettings,
  ) {
    this.next = settings.start;
  }

  /** The start of the next period to read. */
  get nextPeriod(): number {
    return this.next;
  }

  get exhausted(): boolean {
    return this.settings.endOfData !== undefined && this.next > this.settings.endOfData;
  }

  /** When to look again for the next period; sooner while a held period waits for late data. */
  readyAt(now: number): number {
    const { periodMs, publishDelayMs } = this.settings;
    const ready = this.next + periodMs + publishDelayMs;
    if (ready > now) return ready;
    const lastChance = this.next + periodMs + publishDelayMs * (1 + LATE_DATA_DELAYS);
    return Math.min(lastChance, now + Math.max(10_000, publishDelayMs / 4));
  }

  async read(now: number): Promise<PeriodObservation[]> {
    const { periodMs, publishDelayMs, plan } = this.settings;
    if (this.exhausted || !isPeriodComplete(this.next, periodMs, publishDelayMs, now)) return [];
    let end = this.next;
    while (isPeriodComplete(end, periodMs, publishDelayMs, now) && !this.beyondData(end)) end += periodMs;
    const lookbackMs = this.lookbackRead ? 0 : Math.max(0, this.settings.lookbackMs ?? 0);
    const series = await this.source.read(allQueries(plan), { start: this.settings.start - lookbackMs, end });
    if (!this.lookbackRead) {
      this.lookbackRead = true;
      for (let at = this.settings.start - lookbackMs; at < this.settings.start; at += periodMs) {
        const observation = observePeriod(plan, series, at);
        if (observation.baselineRequests > 0) this.lookbackPeriods.push(observation);
      }
    }
    const hasRequests = (at: number): boolean =>
      series.get(plan.requests.canary.Id ?? '')?.has(at) === true ||
      series.get(plan.requests.baseline.Id ?? '')?.has(at) === true;
    const observations: PeriodObservation[] = [];
    while (this.next < end) {
      const lateEnough = now >= this.next + periodMs + publishDelayMs * (1 + LATE_DATA_DELAYS);
      if (this.sawTraffic && !hasRequests(this.next) && !lateEnough && this.settings.endOfData === undefined)
        break;
      const observation = observePeriod(plan, series, this.next);
      if (plan.unhealthy) {
        const hosts = (id: string | undefined) => series.get(id ?? '')?.get(this.next) ?? 0;
        this.unhealthyHosts.set(this.next, {
          canary: hosts(plan.unhealthy.canary.Id),
          baseline: hosts(plan.unhealthy.baseline.Id),
        });
      }
      if (observation.canaryRequests + observation.baselineRequests > 0) this.sawTraffic = true;
      observations.push(observation);
      this.next += periodMs;
    }
    return observations;
  }

  /** The baseline's periods before `start` found by the first read, handed out once. */
  takeLookback(): PeriodObservation[] {
    const periods = this.lookbackPeriods;
    this.lookbackPeriods = [];
    return periods;
  }

  /** Unhealthy hosts of both arms in a period handed out (the ALB preset only). */
  unhealthy(periodStart: number): { canary: number; baseline: number } | undefined {
    return this.unhealthyHosts.get(periodStart);
  }

  private beyondData(periodStart: number): boolean {
    return this.settings.endOfData !== undefined && periodStart > this.settings.endOfData;
  }
}
