/*
 * The scenarios. Each run draws its traffic from the scenario's range: requests per minute
 * log-uniform in `traffic`, canary share uniform 5–50%, baseline 5xx rate log-uniform 0.1–2%, mean
 * latency uniform 50–300 ms.
 */
import type { Random } from './random.js';
import type { RunParams } from './traffic.js';

export type Kind = 'healthy' | 'regression' | 'boundary';

export interface Scenario {
  id: string;
  title: string;
  kind: Kind;
  /** True effects, the oracle's knowledge: canary/baseline ratio per minute. */
  errorRatio: (minute: number) => number;
  latencyRatio: (minute: number) => number;
  traffic: [number, number];
  incident?: boolean;
  gaps?: boolean;
}

const one = (): number => 1;
const NORMAL: [number, number] = [200, 5000];

export const SCENARIOS: Scenario[] = [
  {
    id: 'healthy',
    title: 'no regression',
    kind: 'healthy',
    errorRatio: one,
    latencyRatio: one,
    traffic: NORMAL,
  },
  {
    id: 'healthy-low',
    title: 'no regression, low traffic (20–100 req/min)',
    kind: 'healthy',
    errorRatio: one,
    latencyRatio: one,
    traffic: [20, 100],
  },
  {
    id: 'healthy-incident',
    title: 'no regression, shared incident (errors ×10 on both for 3–5 min)',
    kind: 'healthy',
    errorRatio: one,
    latencyRatio: one,
    traffic: NORMAL,
    incident: true,
  },
  {
    id: 'healthy-gaps',
    title: 'no regression, data gaps',
    kind: 'healthy',
    errorRatio: one,
    latencyRatio: one,
    traffic: NORMAL,
    gaps: true,
  },
  {
    id: 'errors-1.5',
    title: 'errors ×1.5',
    kind: 'regression',
    errorRatio: () => 1.5,
    latencyRatio: one,
    traffic: NORMAL,
  },
  {
    id: 'errors-2',
    title: 'errors ×2',
    kind: 'regression',
    errorRatio: () => 2,
    latencyRatio: one,
    traffic: NORMAL,
  },
  {
    id: 'errors-5',
    title: 'errors ×5',
    kind: 'regression',
    errorRatio: () => 5,
    latencyRatio: one,
    traffic: NORMAL,
  },
  {
    id: 'errors-3-late',
    title: 'errors ×3 from minute 10',
    kind: 'regression',
    errorRatio: (m) => (m >= 10 ? 3 : 1),
    latencyRatio: one,
    traffic: NORMAL,
  },
  {
    id: 'latency-1.5',
    title: 'latency +50%',
    kind: 'regression',
    errorRatio: one,
    latencyRatio: () => 1.5,
    traffic: NORMAL,
  },
  {
    id: 'latency-2',
    title: 'latency +100%',
    kind: 'regression',
    errorRatio: one,
    latencyRatio: () => 2,
    traffic: NORMAL,
  },
  {
    id: 'latency-1.2',
    title: 'latency +20% (at the tolerance: either decision is fine)',
    kind: 'boundary',
    errorRatio: one,
    latencyRatio: () => 1.2,
    traffic: NORMAL,
  },
];

export function drawRun(random: Random, scenario: Scenario): RunParams {
  const start = Math.floor(random.between(2, 16));
  const length = Math.floor(random.between(3, 6));
  return {
    totalPerMinute: random.logUniform(scenario.traffic[0], scenario.traffic[1]),
    canaryShare: random.between(0.05, 0.5),
    baseRate: random.logUniform(0.001, 0.02),
    baseLatency: random.between(0.05, 0.3),
    phase: random.between(0, 1440),
    errorRatio: scenario.errorRatio,
    latencyRatio: scenario.latencyRatio,
    incident: scenario.incident ? (m) => (m >= start && m < start + length ? 10 : 1) : one,
    gaps: scenario.gaps ? { period: 0.05, errors: 0.05, latency: 0.1 } : { period: 0, errors: 0, latency: 0 },
  };
}
