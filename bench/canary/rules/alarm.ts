/*
 * CodeDeploy / ECS alarm rule: a CloudWatch alarm on the canary alone (5xx rate above 2× the usual
 * baseline rate, at least 1%; or latency above 1.3× the usual) breaching in 3 of the last 5 periods
 * rolls back; otherwise the deployment is promoted at the end of the 30-minute bake time. Missing
 * data counts as not breaching.
 */
import type { Trace } from '../traffic.js';
import { ERRORS, LATENCY } from '../traffic.js';
import { thresholds, type Outcome } from './outcome.js';

export function alarmRule(trace: Trace): Outcome {
  const limit = thresholds(trace);
  const recent: boolean[] = [];
  for (const [i, period] of trace.periods.entries()) {
    const errors = period.values[ERRORS]?.canary;
    const latency = period.values[LATENCY]?.canary;
    const errorBreach =
      errors !== undefined && period.canaryRequests > 0 && errors / period.canaryRequests > limit.errorRate;
    const latencyBreach = latency !== undefined && latency > limit.latency;
    recent.push(errorBreach || latencyBreach);
    if (recent.length > 5) recent.shift();
    if (recent.filter(Boolean).length >= 3) return { decision: 'rollback', minutes: i + 1 };
  }
  return { decision: 'promote', minutes: trace.periods.length };
}
