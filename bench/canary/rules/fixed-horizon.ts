/*
 * Kayenta-style fixed-horizon comparison: after 20 minutes, per metric, Mann–Whitney U (two-sided,
 * 98% confidence, normal approximation with tie correction) on the per-minute canary values against
 * the per-minute baseline values (5xx rate per minute, average latency per minute). A metric fails
 * when the difference is significant and the canary/baseline ratio of means is beyond the 20%
 * tolerance in the bad direction; any failed metric rolls back, otherwise promote. Minutes without a
 * value are left out (Kayenta's NaN policy "remove").
 */
import type { Trace } from '../traffic.js';
import { ERRORS, LATENCY } from '../traffic.js';
import type { Outcome } from './outcome.js';

export const HORIZON = 20;
const CONFIDENCE = 0.98;
const TOLERANCE = 0.2;

export function fixedHorizonRule(trace: Trace): Outcome {
  const window = trace.periods.slice(0, HORIZON);
  const errorRates = (arm: 'canary' | 'baseline'): number[] =>
    window.flatMap((p) => {
      const count = p.values[ERRORS]?.[arm];
      const requests = arm === 'canary' ? p.canaryRequests : p.baselineRequests;
      return count === undefined || requests === 0 ? [] : [count / requests];
    });
  const latencies = (arm: 'canary' | 'baseline'): number[] =>
    window.flatMap((p) => {
      const value = p.values[LATENCY]?.[arm];
      return value === undefined ? [] : [value];
    });
  const failed =
    fails(errorRates('canary'), errorRates('baseline')) || fails(latencies('canary'), latencies('baseline'));
  return { decision: failed ? 'rollback' : 'promote', minutes: HORIZON };
}

function fails(canary: number[], baseline: number[]): boolean {
  if (canary.length < 3 || baseline.length < 3) return false;
  const ratio = mean(canary) / mean(baseline);
  if (!(ratio > 1 + TOLERANCE)) return false;
  return mannWhitneyP(canary, baseline) < 1 - CONFIDENCE;
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Two-sided p-value of the Mann–Whitney U test. */
export function mannWhitneyP(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort(
    (x, y) => x.v - y.v,
  );
  const n = all.length;
  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && (all[j + 1] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if ((all[k] as { first: boolean }).first) rankSum += rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1;
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * normalUpperTail(Math.max(0, z)));
}

/** P(Z > z), Abramowitz & Stegun 26.2.17 (error < 7.5e-8). */
export function normalUpperTail(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const poly =
    t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return z >= 0 ? tail : 1 - tail;
}
