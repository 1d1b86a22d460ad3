/*
 * Simulated per-minute CloudWatch data for one canary run.
 *
 * Requests: Poisson around a per-run level with a daily swing (±30% over 24 h, random phase), split
 * canary/baseline by a per-run share. Errors: Poisson(requests × rate × F) with F ~ Gamma(shape 20)
 * drawn per arm per minute (a ±22% wobble of the minute's error rate: overdispersion). Latency: each
 * arm's per-minute average of lognormal request latencies (σ = 0.6), drawn as a lognormal whose
 * variance matches that of the average of N requests, times a per-arm per-minute factor (σ = 0.05).
 */
import type { PeriodObservation } from '../../actions/canary-gate/src/engine/types.js';
import type { Random } from './random.js';

export const ERROR_SHAPE = 20;
export const REQUEST_SIGMA = 0.6;
export const MINUTE_SIGMA = 0.05;
export const PERIODS = 30;

export interface RunParams {
  totalPerMinute: number;
  canaryShare: number;
  baseRate: number;
  /** Mean latency of a baseline request, seconds. */
  baseLatency: number;
  phase: number;
  errorRatio: (minute: number) => number;
  latencyRatio: (minute: number) => number;
  /** Shared multiplier of both arms' error rate (and latency ×1.5) in an incident minute. */
  incident: (minute: number) => number;
  gaps: { period: number; errors: number; latency: number };
}

export interface PeriodTruth {
  canaryExpectedErrors: number;
  baselineExpectedErrors: number;
  /** Variance of log(average latency) of each arm's period value. */
  canaryLatencyVariance: number;
  baselineLatencyVariance: number;
  errorRatio: number;
  latencyRatio: number;
}

export interface Trace {
  params: RunParams;
  periods: PeriodObservation[];
  truth: PeriodTruth[];
}

export const ERRORS = '5xx';
export const LATENCY = 'latency';

function averageLogVariance(requests: number): number {
  const cv2 = Math.exp(REQUEST_SIGMA * REQUEST_SIGMA) - 1;
  return requests > 0 ? Math.log(1 + cv2 / requests) + MINUTE_SIGMA * MINUTE_SIGMA : Infinity;
}

function averageLatency(random: Random, mean: number, requests: number): number | undefined {
  if (requests === 0) return undefined;
  const v = Math.log(1 + (Math.exp(REQUEST_SIGMA * REQUEST_SIGMA) - 1) / requests);
  const minute = Math.exp(MINUTE_SIGMA * random.normal() - (MINUTE_SIGMA * MINUTE_SIGMA) / 2);
  return mean * minute * Math.exp(Math.sqrt(v) * random.normal() - v / 2);
}

export function simulate(random: Random, params: RunParams): Trace {
  const periods: PeriodObservation[] = [];
  const truth: PeriodTruth[] = [];
  for (let minute = 0; minute < PERIODS; minute++) {
    const swing = 1 + 0.3 * Math.sin((2 * Math.PI * (minute + params.phase)) / 1440);
    const level = params.totalPerMinute * swing;
    const canaryRequests = random.poisson(level * params.canaryShare);
    const baselineRequests = random.poisson(level * (1 - params.canaryShare));
    const shared = params.incident(minute);
    const baselineRate = Math.min(0.5, params.baseRate * shared);
    const canaryRate = Math.min(0.5, params.baseRate * shared * params.errorRatio(minute));
    const canaryMean = canaryRequests * canaryRate;
    const baselineMean = baselineRequests * baselineRate;
    const canaryErrors = Math.min(
      canaryRequests,
      random.poisson((canaryMean * random.gamma(ERROR_SHAPE)) / ERROR_SHAPE),
    );
    const baselineErrors = Math.min(
      baselineRequests,
      random.poisson((baselineMean * random.gamma(ERROR_SHAPE)) / ERROR_SHAPE),
    );
    const latencyShared = shared > 1 ? 1.5 : 1;
    const baselineLatency = averageLatency(random, params.baseLatency * latencyShared, baselineRequests);
    const canaryLatency = averageLatency(
      random,
      params.baseLatency * latencyShared * params.latencyRatio(minute),
      canaryRequests,
    );

    const missing = random.uniform() < params.gaps.period;
    const errorsMissing = missing || random.uniform() < params.gaps.errors;
    const values: PeriodObservation['values'] = {
      [ERRORS]: errorsMissing ? {} : { canary: canaryErrors, baseline: baselineErrors },
      [LATENCY]: missing
        ? {}
        : {
            canary: random.uniform() < params.gaps.latency ? undefined : canaryLatency,
            baseline: random.uniform() < params.gaps.latency ? undefined : baselineLatency,
          },
    };
    periods.push({ periodStart: minute * 60_000, canaryRequests, baselineRequests, values });
    truth.push({
      canaryExpectedErrors: canaryMean,
      baselineExpectedErrors: baselineMean,
      canaryLatencyVariance: averageLogVariance(canaryRequests),
      baselineLatencyVariance: averageLogVariance(baselineRequests),
      errorRatio: baselineRate > 0 ? canaryRate / baselineRate : 1,
      latencyRatio: params.latencyRatio(minute),
    });
  }
  return { params, periods, truth };
}
