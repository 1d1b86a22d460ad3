/*
 * The scenarios. Each run draws its traffic from the scenario's range: requests per minute
 * log-uniform in `traffic`, canary share uniform in `share` (5–50%), baseline 5xx rate log-uniform
 * 0.1–2%, mean latency uniform 50–300 ms, and in noisy scenarios the σ of the extra per-arm
 * per-minute noise uniform in `noise`. The p99 scenarios draw 300–10,000 requests a minute and a
 * 10–50% share, 30–5,000 canary requests a minute: a p99 of fewer requests is barely a percentile.
 * New scenarios go at the end: a scenario's seed follows its index, so the others keep their traces.
 */
import type { LatencyStatistic } from './latency.js';
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
  /** Canary share of the requests; default 5–50%. */
  share?: [number, number];
  /** Period value of latency; default the average. */
  latencyStatistic?: LatencyStatistic;
  /** Range of the run's extra per-arm per-minute noise σ; default none. */
  noise?: [number, number];
  incident?: boolean;
  gaps?: boolean;
}

const one = (): number => 1;
const NORMAL: [number, number] = [200, 5000];
const P99_TRAFFIC: Pick<Scenario, 'traffic' | 'share' | 'latencyStatistic'> = {
  traffic: [300, 10_000],
  share: [0.1, 0.5],
  latencyStatistic: 'p99',
};
/** Up to ±50%: σ 0.5 puts a minute's factor within e^(±0.5) ≈ ×0.6…×1.65 two times in three. */
const NOISY: Pick<Scenario, 'traffic' | 'noise'> = { traffic: NORMAL, noise: [0.05, 0.5] };

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
  {
    id: 'healthy-p99',
    title: 'no regression, latency p99',
    kind: 'healthy',
    errorRatio: one,
    latencyRatio: one,
    ...P99_TRAFFIC,
  },
  {
    id: 'latency-1.5-p99',
    title: 'latency p99 +50%',
    kind: 'regression',
    errorRatio: one,
    latencyRatio: () => 1.5,
    ...P99_TRAFFIC,
  },
  {
    id: 'latency-2-p99',
    title: 'latency p99 +100%',
    kind: 'regression',
    errorRatio: one,
    latencyRatio: () => 2,
    ...P99_TRAFFIC,
  },
  {
    id: 'healthy-noisy',
    title: 'no regression, per-arm per-minute noise up to ±50%',
    kind: 'healthy',
    errorRatio: one,
    latencyRatio: one,
    ...NOISY,
  },
  {
    id: 'latency-2-noisy',
    title: 'latency +100%, per-arm noise up to ±50%',
    kind: 'regression',
    errorRatio: one,
    latencyRatio: () => 2,
    ...NOISY,
  },
  {
    id: 'errors-5-noisy',
    title: 'errors ×5, per-arm noise up to ±50%',
    kind: 'regression',
    errorRatio: () => 5,
    latencyRatio: one,
    ...NOISY,
  },
];

export function drawRun(random: Random, scenario: Scenario): RunParams {
  const start = Math.floor(random.between(2, 16));
  const length = Math.floor(random.between(3, 6));
  const [lowShare, highShare] = scenario.share ?? [0.05, 0.5];
  const drawn = {
    totalPerMinute: random.logUniform(scenario.traffic[0], scenario.traffic[1]),
    canaryShare: random.between(lowShare, highShare),
    baseRate: random.logUniform(0.001, 0.02),
    baseLatency: random.between(0.05, 0.3),
    phase: random.between(0, 1440),
  };
  return {
    ...drawn,
    // Drawn last and only where used, so that the scenarios without noise keep their draws.
    noiseSigma: scenario.noise ? random.between(scenario.noise[0], scenario.noise[1]) : 0,
    latencyStatistic: scenario.latencyStatistic ?? 'average',
    errorRatio: scenario.errorRatio,
    latencyRatio: scenario.latencyRatio,
    incident: scenario.incident ? (m) => (m >= start && m < start + length ? 10 : 1) : one,
    gaps: scenario.gaps ? { period: 0.05, errors: 0.05, latency: 0.1 } : { period: 0, errors: 0, latency: 0 },
  };
}
