/*
 * One arm's per-minute latency value and what the oracle knows of it. Request latencies are
 * lognormal (σ = REQUEST_SIGMA) around the arm's mean; the period value is either their average or
 * their nearest-rank 99th percentile, times the per-arm per-minute factors (MINUTE_SIGMA, and the
 * run's extra noise σ), drawn without simulating the requests.
 *
 * p99: the k-th smallest (k = ⌈0.99·N⌉) of N uniforms is Beta(k, N − k + 1), drawn as G₁/(G₁+G₂)
 * from two gamma draws and mapped through the lognormal quantile. Its log has mean and variance of
 * σ·Φ⁻¹(U₍ₖ₎): Blom's mean Φ⁻¹((k − 3/8)/(N + 1/4)) and David & Johnson's second-order variance at
 * p = k/(N + 1). The first-order delta method (σ²·q(1−q)/(N·φ(z_q)²)) is twice the true variance at
 * 30 requests, where the "99th percentile" is the largest request; the second order is within 3% of
 * a simulation from 30 requests up, and Blom's mean within 0.005 (the offset is −0.17 at N = 30, the
 * size of the tolerance itself, so the oracle cannot ignore it).
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { Random } from './random.js';

export const REQUEST_SIGMA = 0.6;
/** σ of the per-arm per-minute latency factor every run has. */
export const MINUTE_SIGMA = 0.05;
export const P99 = 0.99;

export type LatencyStatistic = 'average' | 'p99';

const Z_P99 = normalQuantile(P99, 0, 1);

/** A mean-1 lognormal factor exp(σZ − σ²/2); no draw at σ = 0, so runs without noise keep their traces. */
export function lognormalFactor(random: Random, sigma: number): number {
  return sigma > 0 ? Math.exp(sigma * random.normal() - (sigma * sigma) / 2) : 1;
}

/** The arm's true latency statistic when its requests average `mean` seconds. */
export function trueLatency(statistic: LatencyStatistic, mean: number): number {
  return statistic === 'average' ? mean : mean * Math.exp(REQUEST_SIGMA * Z_P99 - REQUEST_SIGMA ** 2 / 2);
}

/** The period value of an arm serving `requests` requests; undefined without requests. */
export function drawLatency(
  random: Random,
  statistic: LatencyStatistic,
  mean: number,
  requests: number,
  noiseSigma: number,
): number | undefined {
  if (requests === 0) return undefined;
  const minute = lognormalFactor(random, MINUTE_SIGMA);
  let draw: number;
  if (statistic === 'average') {
    const v = averageVariance(requests);
    draw = Math.exp(Math.sqrt(v) * random.normal() - v / 2);
  } else {
    const k = Math.ceil(P99 * requests);
    const g = random.gamma(k);
    const u = g / (g + random.gamma(requests - k + 1));
    draw = Math.exp(REQUEST_SIGMA * normalQuantile(u, 0, 1) - REQUEST_SIGMA ** 2 / 2);
  }
  return mean * minute * draw * lognormalFactor(random, noiseSigma);
}

/** Mean offset of log(period value) from log(true statistic), and its variance. */
export function latencyLaw(
  statistic: LatencyStatistic,
  requests: number,
  noiseSigma: number,
): { offset: number; variance: number } {
  if (requests === 0) return { offset: 0, variance: Infinity };
  const factors = MINUTE_SIGMA ** 2 + noiseSigma ** 2;
  if (statistic === 'average') {
    const v = averageVariance(requests);
    return { offset: -(v + factors) / 2, variance: v + factors };
  }
  const k = Math.ceil(P99 * requests);
  const blom = normalQuantile((k - 0.375) / (requests + 0.25), 0, 1);
  return {
    offset: REQUEST_SIGMA * (blom - Z_P99) - factors / 2,
    variance: REQUEST_SIGMA ** 2 * orderStatisticVariance(k, requests) + factors,
  };
}

/** Variance of log(average of N lognormal requests), matched by a lognormal. */
function averageVariance(requests: number): number {
  return Math.log(1 + (Math.exp(REQUEST_SIGMA ** 2) - 1) / requests);
}

/** Var Φ⁻¹(U₍ₖ₎) of N uniforms, David & Johnson (1954) to second order in 1/(N + 2). */
function orderStatisticVariance(k: number, n: number): number {
  const p = k / (n + 1);
  const q = 1 - p;
  const z = normalQuantile(p, 0, 1);
  const f = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const q1 = 1 / f;
  const q2 = z / f ** 2;
  const q3 = (1 + 2 * z * z) / f ** 3;
  const first = ((p * q) / (n + 2)) * q1 ** 2;
  return first + ((p * q) / (n + 2) ** 2) * (2 * (q - p) * q1 * q2 + p * q * (q1 * q3 + 0.5 * q2 ** 2));
}
