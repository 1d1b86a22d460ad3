/** rate: events over requests (5xx / requests); level: one value per period (average latency). */
export type MetricKind = 'rate' | 'level';

/** Which change is bad. */
export type Direction = 'increase' | 'decrease' | 'either';

/**
 * How far the canary may drift from the baseline before it counts as a regression. `relative` is a
 * fraction (0.2 = 20%); `absolute` is in metric units (0.001 = 0.1 percentage points of an error rate,
 * 0.05 = 50 ms when the unit is seconds). When both are given the larger tolerance applies.
 */
export interface Tolerance {
  relative?: number;
  absolute?: number;
}

/** Only used to word values in reasons: 'seconds' prints 212 ms, 'none' prints the number. */
export type MetricUnit = 'seconds' | 'none';

export interface MetricSpec {
  name: string;
  kind: MetricKind;
  direction: Direction;
  tolerance: Tolerance;
  /** A critical metric alone decides a rollback; a non-critical regression is only a warning. */
  critical: boolean;
  /** Words for people, e.g. "5xx rate" or "latency"; defaults to name. */
  label?: string;
  unit?: MetricUnit;
  /**
   * The change that must be ruled out before a canary that could not be proven within `tolerance`
   * is promoted at max duration (on-timeout promote-if-bounded). Absent: the metric is never
   * "bounded", so that policy fails instead of promoting.
   */
  criticalTolerance?: Tolerance;
  /**
   * Share of the false-rollback budget, relative to the other metrics of the same criticality
   * (default: 4 for a rate, 1 for a level; see alphasFor in gate.ts).
   */
  alphaWeight?: number;
}

/**
 * At max duration without a decision: promote, rollback, fail (inconclusive), leave (inconclusive;
 * the action leaves the deployment's pause unanswered), or promote-if-bounded: promote when no
 * critical regression was shown and every critical metric's interval rules out its critical
 * tolerance, otherwise fail.
 */
export type TimeoutAction = 'promote' | 'rollback' | 'fail' | 'leave' | 'promote-if-bounded';

export interface GateConfig {
  metrics: MetricSpec[];
  /** Chance of rolling back a canary that is within tolerance, however often the gate looks. */
  falseRollbackRate: number;
  /** Never promote before this many periods (default 3). */
  minDurationPeriods?: number;
  maxDurationPeriods: number;
  /** Never promote before the canary has served this many requests. */
  minRequests: number;
  onTimeout: TimeoutAction;
  /** Length of one period, only for wording ("after 7 minutes"); default 60. */
  periodSeconds?: number;
}

export interface ArmValues {
  canary?: number;
  baseline?: number;
}

/**
 * One CloudWatch period. Rate metrics carry event COUNTS for the period, level metrics the period's
 * value. A missing value is a gap and is never read as zero: the caller fills zero 5xx counts itself
 * when requests flowed (ALB publishes HTTPCode_Target_5XX_Count only when it is non-zero).
 */
export interface PeriodObservation {
  periodStart: number;
  canaryRequests: number;
  baselineRequests: number;
  values: Record<string, ArmValues>;
}

export type Decision = 'promote' | 'rollback' | 'continue' | 'inconclusive';
export type MetricStatus = 'regression' | 'healthy' | 'undecided';

/** Why a metric has its status. */
export type MetricRule =
  'above-tolerance' | 'below-tolerance' | 'within-tolerance' | 'not-enough-data' | 'undecided';

/** Why the gate decided what it did. */
export type GateRule =
  | 'critical-regression'
  | 'within-tolerance'
  | 'bounded'
  | 'timeout'
  | 'waiting-for-evidence'
  | 'waiting-for-minimums';

export interface MetricSamples {
  periods: number;
  canaryRequests: number;
  baselineRequests: number;
}

export interface MetricState {
  name: string;
  kind: MetricKind;
  critical: boolean;
  /** Pooled value over the periods seen: a rate (events/requests) or a mean level. */
  baselineValue: number | null;
  canaryValue: number | null;
  /** Relative change canary vs baseline: 0.5 = +50%. */
  effect: number | null;
  /** Anytime-valid interval for `effect`, on the same scale; infinite ends while data are short. */
  interval: [number, number] | null;
  samples: MetricSamples;
  status: MetricStatus;
  rule: MetricRule;
  /** Whether the interval already rules out the critical tolerance (null: no critical tolerance). */
  bounded?: boolean | null;
}

export interface GateState {
  decision: Decision;
  /** One plain sentence, with numbers. */
  reason: string;
  rule: GateRule;
  /** Which way the evidence points while no decision is made. */
  leaning: string;
  periods: number;
  canaryRequests: number;
  metrics: MetricState[];
  /** Non-critical regressions and input problems: reported, never acted on. */
  warnings: string[];
}

export interface MetricPoint {
  periodStart: number;
  canary: number | null;
  baseline: number | null;
  canaryRequests: number;
  baselineRequests: number;
}

/** Everything a JSON report needs about one metric. */
export interface MetricReport extends MetricState {
  spec: MetricSpec;
  series: MetricPoint[];
  statistics: Record<string, number | null>;
}

export interface GateReport {
  config: GateConfig;
  state: GateState;
  metrics: MetricReport[];
}
