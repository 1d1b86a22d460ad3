/*
 * Simulated per-minute CloudWatch data for one canary run.
 *
 * Requests: Poisson around a per-run level with a daily swing (±30% over 24 h, random phase), split
 * canary/baseline by a per-run share. Errors: Poisson(requests × rate × F) with F ~ Gamma(shape 20)
 * drawn per arm per minute (a ±22% wobble of the minute's error rate: overdispersion). Latency: each
 * arm's per-minute average or p99 of lognormal request latencies (latency.ts), times a per-arm
 * per-minute factor (σ = 0.05). Runs with extra noise multiply each arm's error rate and latency in
 * each minute by further independent lognormal factors of the run's σ.
 *
 * Lookback: the hour before the canary started, all traffic on the baseline, with the baseline's
 * rate, noise, latency law and data gaps (no incident): what the gate can learn about the service's
 * noise before it sees a canary period.
 */
import type { PeriodObservation } from '../../actions/canary-gate/src/engine/types.js';
import { drawLatency, latencyLaw, lognormalFactor, type LatencyStatistic } from './latency.js';
import type { Random } from './random.js';

export const ERROR_SHAPE = 20;
export const PERIODS = 30;
export const LOOKBACK_PERIODS = 60;

export interface RunParams {
  totalPerMinute: number;
  canaryShare: number;
  baseRate: number;
  /** Mean latency of a baseline request, seconds. */
  baseLatency: number;
  latencyStatistic: LatencyStatistic;
  /** σ of the extra per-arm per-minute lognormal factor on error rate and latency (0: none). */
  noiseSigma: number;
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
  /** Variance of each arm's per-minute error-rate factor (the overdispersion), mean 1. */
  errorFactorVariance: number;
  /** Variance of log(latency value) of each arm's period value. */
  canaryLatencyVariance: number;
  baselineLatencyVariance: number;
  /** Mean of log(latency value) minus log(the arm's true statistic), per arm. */
  canaryLatencyOffset: number;
  baselineLatencyOffset: number;
  errorRatio: number;
  latencyRatio: number;
}

export interface Trace {
  params: RunParams;
  /** Baseline-only periods before the canary started, oldest first (period starts negative). */
  lookback: PeriodObservation[];
  periods: PeriodObservation[];
  truth: PeriodTruth[];
}

export const ERRORS = '5xx';
export const LATENCY = 'latency';

/** Variance of the product of the gamma wobble and the run's lognormal factor, both of mean 1. */
export function errorFactorVariance(noiseSigma: number): number {
  return (1 + 1 / ERROR_SHAPE) * Math.exp(noiseSigma * noiseSigma) - 1;
}

function level(params: RunParams, minute: number): number {
  return params.totalPerMinute * (1 + 0.3 * Math.sin((2 * Math.PI * (minute + params.phase)) / 1440));
}

function errorCount(random: Random, params: RunParams, requests: number, rate: number): number {
  const mean = requests * rate;
  const wobble = (mean * random.gamma(ERROR_SHAPE)) / ERROR_SHAPE;
  return Math.min(requests, random.poisson(wobble * lognormalFactor(random, params.noiseSigma)));
}

function latency(random: Random, params: RunParams, mean: number, requests: number): number | undefined {
  return drawLatency(random, params.latencyStatistic, mean, requests, params.noiseSigma);
}

/** Which of the minute's values are missing. */
function gaps(random: Random, params: RunParams): { errors: boolean; period: boolean } {
  const period = random.uniform() < params.gaps.period;
  return { period, errors: period || random.uniform() < params.gaps.errors };
}

export function simulate(random: Random, params: RunParams): Trace {
  const periods: PeriodObservation[] = [];
  const truth: PeriodTruth[] = [];
  for (let minute = 0; minute < PERIODS; minute++) {
    const requests = level(params, minute);
    const canaryRequests = random.poisson(requests * params.canaryShare);
    const baselineRequests = random.poisson(requests * (1 - params.canaryShare));
    const shared = params.incident(minute);
    const baselineRate = Math.min(0.5, params.baseRate * shared);
    const canaryRate = Math.min(0.5, params.baseRate * shared * params.errorRatio(minute));
    const canaryErrors = errorCount(random, params, canaryRequests, canaryRate);
    const baselineErrors = errorCount(random, params, baselineRequests, baselineRate);
    const latencyShared = shared > 1 ? 1.5 : 1;
    const baselineLatency = latency(random, params, params.baseLatency * latencyShared, baselineRequests);
    const canaryLatency = latency(
      random,
      params,
      params.baseLatency * latencyShared * params.latencyRatio(minute),
      canaryRequests,
    );

    const missing = gaps(random, params);
    const values: PeriodObservation['values'] = {
      [ERRORS]: missing.errors ? {} : { canary: canaryErrors, baseline: baselineErrors },
      [LATENCY]: missing.period
        ? {}
        : {
            canary: random.uniform() < params.gaps.latency ? undefined : canaryLatency,
            baseline: random.uniform() < params.gaps.latency ? undefined : baselineLatency,
          },
    };
    periods.push({ periodStart: minute * 60_000, canaryRequests, baselineRequests, values });
    const canaryLaw = latencyLaw(params.latencyStatistic, canaryRequests, params.noiseSigma);
    const baselineLaw = latencyLaw(params.latencyStatistic, baselineRequests, params.noiseSigma);
    truth.push({
      canaryExpectedErrors: canaryRequests * canaryRate,
      baselineExpectedErrors: baselineRequests * baselineRate,
      errorFactorVariance: errorFactorVariance(params.noiseSigma),
      canaryLatencyVariance: canaryLaw.variance,
      baselineLatencyVariance: baselineLaw.variance,
      canaryLatencyOffset: canaryLaw.offset,
      baselineLatencyOffset: baselineLaw.offset,
      errorRatio: baselineRate > 0 ? canaryRate / baselineRate : 1,
      latencyRatio: params.latencyRatio(minute),
    });
  }
  // Drawn after the canary periods, so that adding the lookback left those traces as they were.
  return { params, lookback: simulateLookback(random, params), periods, truth };
}

function simulateLookback(random: Random, params: RunParams): PeriodObservation[] {
  const lookback: PeriodObservation[] = [];
  for (let minute = -LOOKBACK_PERIODS; minute < 0; minute++) {
    const baselineRequests = random.poisson(level(params, minute));
    const errors = errorCount(random, params, baselineRequests, params.baseRate);
    const value = latency(random, params, params.baseLatency, baselineRequests);
    const missing = gaps(random, params);
    const latencyMissing = missing.period || random.uniform() < params.gaps.latency;
    lookback.push({
      periodStart: minute * 60_000,
      canaryRequests: 0,
      baselineRequests,
      values: {
        [ERRORS]: missing.errors ? {} : { baseline: errors },
        [LATENCY]: latencyMissing ? {} : { baseline: value },
      },
    });
  }
  return lookback;
}
