/*
 * Argo Rollouts / Flagger interval rule: every minute the canary's 5xx rate and latency are checked
 * against the same thresholds as the alarm rule; 3 failed checks roll back, 10 passed checks promote.
 * A minute without canary data is skipped; no verdict in 30 minutes is inconclusive.
 */
import type { Trace } from '../traffic.js';
import { ERRORS, LATENCY } from '../traffic.js';
import { thresholds, type Outcome } from './outcome.js';

export function intervalRule(trace: Trace): Outcome {
  const limit = thresholds(trace);
  let failed = 0;
  let passed = 0;
  for (const [i, period] of trace.periods.entries()) {
    const errors = period.values[ERRORS]?.canary;
    const latency = period.values[LATENCY]?.canary;
    if (errors === undefined || latency === undefined || period.canaryRequests === 0) continue;
    if (errors / period.canaryRequests > limit.errorRate || latency > limit.latency) failed += 1;
    else passed += 1;
    if (failed >= 3) return { decision: 'rollback', minutes: i + 1 };
    if (passed >= 10) return { decision: 'promote', minutes: i + 1 };
  }
  return { decision: 'inconclusive', minutes: trace.periods.length };
}
