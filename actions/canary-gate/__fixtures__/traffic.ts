import { normal, seeded } from './random.js';

/**
 * Seeded ALB traffic for tests, written the way `aws cloudwatch get-metric-data` prints it, with the
 * query Ids of the load balancer preset. Deterministic: the same options give the same file.
 */
export interface TrafficOptions {
  start: number;
  minutes: number;
  canaryRequestsPerMinute: number;
  baselineRequestsPerMinute: number;
  baselineErrorRate: number;
  /** Canary error rate relative to the baseline's (2 = twice as many errors). */
  errorRatio: number;
  baselineLatency: number;
  latencyRatio: number;
  seed: number;
  /** Minutes with no latency point for either arm (a gap). */
  latencyGaps?: number[];
  /** From this minute on the canary's error ratio is `lateErrorRatio` (a regression that starts late). */
  lateFromMinute?: number;
  lateErrorRatio?: number;
  /** Before this minute the canary takes no traffic (ECS has not shifted any yet). */
  canaryStartMinute?: number;
  /** Share of canary requests the ALB answers itself with 502/504 (TargetConnectionErrorCount). */
  canaryConnectionErrorRate?: number;
  /** From this minute on the canary group reports one unhealthy host. */
  canaryUnhealthyFromMinute?: number;
  /** The canary group's hosts are unhealthy only before this minute (registering targets). */
  canaryUnhealthyUntilMinute?: number;
  /** Each minute's latency point: the average of its requests (default) or their nearest-rank p99. */
  latencyStatistic?: 'average' | 'p99';
  /**
   * Minutes before `start` in which all traffic went to the baseline (the canary did not exist): the
   * lookback the gate learns the noise from. Drawn from a stream of their own.
   */
  lookbackMinutes?: number;
}

/** Healthy traffic defaults for tests; override what a scenario changes. */
export const HEALTHY_TRAFFIC: Omit<TrafficOptions, 'start'> = {
  minutes: 40,
  canaryRequestsPerMinute: 600,
  baselineRequestsPerMinute: 2400,
  baselineErrorRate: 0.002,
  errorRatio: 1,
  baselineLatency: 0.2,
  latencyRatio: 1,
  seed: 7,
};

export interface MetricDataExport {
  MetricDataResults: Array<{
    Id: string;
    Label: string;
    Timestamps: string[];
    Values: number[];
    StatusCode: 'Complete';
  }>;
  Messages: never[];
}

export function albTraffic(options: TrafficOptions): MetricDataExport {
  const random = seeded(options.seed);
  const series: Record<string, Array<[number, number]>> = {};
  const add = (id: string, at: number, value: number): void => {
    (series[id] ??= []).push([at, value]);
  };
  const latency = options.latencyStatistic === 'p99' ? p99Latency : averageLatency;
  const lookbackRandom = seeded(options.seed + 7919);
  for (let minute = -(options.lookbackMinutes ?? 0); minute < 0; minute++) {
    const at = options.start + minute * 60_000;
    const baseline = poisson(
      lookbackRandom,
      options.baselineRequestsPerMinute + options.canaryRequestsPerMinute,
    );
    const errors = binomial(lookbackRandom, baseline, options.baselineErrorRate);
    add('alb_requests_baseline', at, baseline);
    if (errors > 0) add('alb_5xx_baseline', at, errors);
    add('alb_latency_baseline', at, latency(lookbackRandom, options.baselineLatency, baseline));
  }
  for (let minute = 0; minute < options.minutes; minute++) {
    const at = options.start + minute * 60_000;
    const canary =
      minute < (options.canaryStartMinute ?? 0) ? 0 : poisson(random, options.canaryRequestsPerMinute);
    const baseline = poisson(random, options.baselineRequestsPerMinute);
    const late = minute >= (options.lateFromMinute ?? Infinity);
    const ratio = late ? (options.lateErrorRatio ?? options.errorRatio) : options.errorRatio;
    const canaryErrors = binomial(random, canary, Math.min(1, options.baselineErrorRate * ratio));
    const baselineErrors = binomial(random, baseline, options.baselineErrorRate);
    add('alb_requests_canary', at, canary);
    add('alb_requests_baseline', at, baseline);
    // ALB publishes a 5xx count only in minutes that had one.
    if (canaryErrors > 0) add('alb_5xx_canary', at, canaryErrors);
    if (baselineErrors > 0) add('alb_5xx_baseline', at, baselineErrors);
    // Drawn only when asked for, so older scenarios keep their seeded numbers.
    const connectionErrors = options.canaryConnectionErrorRate
      ? binomial(random, canary, options.canaryConnectionErrorRate)
      : 0;
    if (connectionErrors > 0) add('alb_conn_errors_canary', at, connectionErrors);
    if (
      minute >= (options.canaryUnhealthyFromMinute ?? Infinity) &&
      minute < (options.canaryUnhealthyUntilMinute ?? Infinity)
    )
      add('alb_unhealthy_canary', at, 1);
    if (!options.latencyGaps?.includes(minute) && canary > 0) {
      add('alb_latency_canary', at, latency(random, options.baselineLatency * options.latencyRatio, canary));
      add('alb_latency_baseline', at, latency(random, options.baselineLatency, baseline));
    }
  }
  const ids = [
    'alb_requests_canary',
    'alb_requests_baseline',
    'alb_5xx_canary',
    'alb_5xx_baseline',
    'alb_latency_canary',
    'alb_latency_baseline',
    'alb_conn_errors_canary',
    'alb_conn_errors_baseline',
    'alb_unhealthy_canary',
    'alb_unhealthy_baseline',
  ];
  return {
    MetricDataResults: ids.map((id) => ({
      Id: id,
      Label: id,
      // The CLI prints newest first by default.
      Timestamps: (series[id] ?? []).map(([at]) => new Date(at).toISOString()).reverse(),
      Values: (series[id] ?? []).map(([, value]) => value).reverse(),
      StatusCode: 'Complete' as const,
    })),
    Messages: [],
  };
}

function poisson(random: () => number, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  let count = 0;
  for (let product = random(); product > Math.exp(-mean); product *= random()) count++;
  return count;
}

function binomial(random: () => number, trials: number, probability: number): number {
  const mean = trials * probability;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - probability)) * normal(random)));
  return poisson(random, mean);
}

/** The mean of `requests` lognormal latencies (sigma 0.5) around `mean` seconds. */
function averageLatency(random: () => number, mean: number, requests: number): number {
  const sigma = 0.5;
  const spread = sigma * Math.sqrt(Math.exp(sigma * sigma) - 1);
  return Math.max(0.001, mean * (1 + (spread * normal(random)) / Math.sqrt(Math.max(1, requests))));
}

/** The nearest-rank 99th percentile of `requests` lognormal latencies (σ 0.6) with this mean. */
function p99Latency(random: () => number, mean: number, requests: number): number {
  const sigma = 0.6;
  const values = Array.from({ length: Math.max(1, requests) }, () =>
    Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * normal(random)),
  ).sort((a, b) => a - b);
  return values[Math.ceil(0.99 * values.length) - 1] as number;
}
