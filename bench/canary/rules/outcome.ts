import type { Trace } from '../traffic.js';

export interface Outcome {
  decision: 'promote' | 'rollback' | 'inconclusive';
  /** Minutes (periods) until the decision; the full window for inconclusive runs. */
  minutes: number;
}

export type Rule = (trace: Trace) => Outcome;

/** The thresholds an operator would set for threshold rules, knowing the service's usual numbers. */
export function thresholds(trace: Trace): { errorRate: number; latency: number } {
  return { errorRate: Math.max(0.01, 2 * trace.params.baseRate), latency: 1.3 * trace.params.baseLatency };
}
