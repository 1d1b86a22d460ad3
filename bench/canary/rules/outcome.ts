import { trueLatency } from '../latency.js';
import type { Trace } from '../traffic.js';

export interface Outcome {
  decision: 'promote' | 'rollback' | 'inconclusive';
  /**
   * Minutes until the decision is known, CloudWatch's publish delay included (run.ts adds it); the
   * full window for inconclusive runs.
   */
  minutes: number;
  /** A gate's promotion: proven within tolerance, or bounded within the critical tolerance at timeout. */
  how?: 'proven' | 'bounded';
}

export type Rule = (trace: Trace) => Outcome;

/**
 * The thresholds an operator would set for threshold rules, knowing the service's usual numbers: the
 * TRUE base 5xx rate and latency statistic (mean or p99) of the run, more than the gate's lookback
 * of an hour can teach it.
 */
export function thresholds(trace: Trace): { errorRate: number; latency: number } {
  const { baseRate, baseLatency, latencyStatistic } = trace.params;
  return {
    errorRate: Math.max(0.01, 2 * baseRate),
    latency: 1.3 * trueLatency(latencyStatistic, baseLatency),
  };
}
