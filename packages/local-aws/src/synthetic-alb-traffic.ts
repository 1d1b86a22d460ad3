import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { albDatums, albMetricsClient, putAlbMetrics } from './alb-metrics.js';
import type { LocalAws } from './local-aws.js';
import { percentOf, type GroupWeight, type RuleChange } from './traffic.js';

const MINUTE = 60_000;

/** How one revision answers during one minute. */
export interface SyntheticBehaviour {
  /** Share of requests answered 5xx by the target (0..1). */
  errorRate: number;
  /** Mean TargetResponseTime of answered requests, in seconds. */
  latencySeconds: number;
  /** Share of requests the ALB could not deliver (502/504 from the ALB itself; 0..1). */
  connectionErrorRate?: number;
  /** UnHealthyHostCount of the group serving this revision. */
  unhealthy?: number;
}

export interface SyntheticAlbTrafficOptions {
  /** The LoadBalancer dimension: the ARN suffix app/<name>/<id>. */
  loadBalancer: string;
  /** Mean requests per simulated minute over the whole load balancer (Poisson). */
  requestsPerMinute: number;
  behaviour: (taskDefinitionArn: string, periodStart: number) => SyntheticBehaviour;
  /** Seed of the noise (default 1): the same seed and model give the same counts. */
  seed?: number;
  /** First minute to publish (epoch ms, floored to the minute; default the current minute). */
  from?: number;
}

/** What was published for one target group and minute (also in CloudWatch). */
export interface SyntheticMinute {
  periodStart: number;
  targetGroup: string;
  taskDefinitionArn?: string;
  /** Production share of the group over the minute, percent, time-weighted. */
  sharePercent: number;
  requests: number;
  target5xx: number;
  connectionErrors: number;
  latencySum: number;
  unhealthy: number;
}

export interface SyntheticAlbTraffic {
  published: SyntheticMinute[];
  /** Stops publishing (minutes already published stay in CloudWatch). */
  stop(): void;
}

/**
 * SYNTHETIC traffic: no request is made. For every full simulated minute it computes, per target
 * group of the load balancer's production listener rules, how many requests the group got (the
 * rule's weights over that minute, as the emulator rewrote them), how the revision serving the group
 * answered (`behaviour`), with seeded binomial/Poisson noise, and publishes the counts to moto's
 * CloudWatch as AWS/ApplicationELB metrics with dimensions LoadBalancer and TargetGroup. A later
 * rehearsal replaces this with a real load balancer.
 */
export async function startSyntheticAlbTraffic(
  handle: LocalAws,
  options: SyntheticAlbTrafficOptions,
): Promise<SyntheticAlbTraffic> {
  const cloudwatch = albMetricsClient(handle);
  const random = mulberry32(options.seed ?? 1);
  const rules = productionRules(handle, options.loadBalancer);
  const baseline = new Map<string, GroupWeight[]>();
  for (const rule of rules) baseline.set(rule, await handle.model.traffic.readWeights(rule));
  const published: SyntheticMinute[] = [];
  let next = Math.floor((options.from ?? handle.clock.now()) / MINUTE) * MINUTE;
  let stopped = false;

  const publish = async (now: number): Promise<void> => {
    if (stopped) return;
    const data: MetricDatum[] = [];
    while (next + MINUTE <= now) {
      for (const minute of computeMinute(handle, options, rules, baseline, next, random)) {
        published.push(minute);
        data.push(...albDatums(options.loadBalancer, { ...minute, targetGroupArn: minute.targetGroup }));
      }
      next += MINUTE;
    }
    await putAlbMetrics(cloudwatch, data);
  };
  const unsubscribe = handle.afterAdvance(publish);
  return {
    published,
    stop() {
      stopped = true;
      unsubscribe();
      cloudwatch.destroy();
    },
  };
}

/** Production rules of the services behind this load balancer (a rule ARN names its load balancer). */
function productionRules(handle: LocalAws, loadBalancer: string): string[] {
  const rules = new Set<string>();
  for (const service of handle.model.state.services.values())
    for (const lb of service.loadBalancers) {
      const rule = lb.advancedConfiguration?.productionListenerRule;
      if (rule?.includes(`/${loadBalancer}/`)) rules.add(rule);
    }
  if (rules.size === 0)
    throw new Error(`startSyntheticAlbTraffic: no service has a production listener rule on ${loadBalancer}`);
  return [...rules];
}

function computeMinute(
  handle: LocalAws,
  options: SyntheticAlbTrafficOptions,
  rules: string[],
  baseline: Map<string, GroupWeight[]>,
  periodStart: number,
  random: () => number,
): SyntheticMinute[] {
  const shares = new Map<string, number>();
  for (const rule of rules) {
    for (const [group, share] of timeWeightedShares(
      handle.model.traffic.history,
      rule,
      baseline.get(rule) ?? [],
      periodStart,
    ))
      shares.set(group, (shares.get(group) ?? 0) + share / rules.length);
  }
  let remaining = poisson(options.requestsPerMinute, random);
  let remainingShare = 100;
  const minutes: SyntheticMinute[] = [];
  for (const [group, share] of shares) {
    const taskDefinitionArn = servingRevision(handle, group, periodStart + MINUTE);
    const behaviour = taskDefinitionArn ? options.behaviour(taskDefinitionArn, periodStart) : undefined;
    // Multinomial split of the minute's requests, one group after another.
    const requests =
      remainingShare > 0 ? binomial(remaining, Math.min(1, share / remainingShare), random) : 0;
    remaining -= requests;
    remainingShare -= share;
    const connectionErrors = binomial(requests, behaviour?.connectionErrorRate ?? 0, random);
    const answered = requests - connectionErrors;
    const target5xx = binomial(answered, behaviour?.errorRate ?? 0, random);
    const latency = behaviour?.latencySeconds ?? 0;
    const latencySum = answered * latency * (1 + (random() - 0.5) * 0.1);
    minutes.push({
      periodStart,
      targetGroup: group,
      taskDefinitionArn,
      sharePercent: share,
      requests,
      target5xx,
      connectionErrors,
      latencySum,
      unhealthy: behaviour?.unhealthy ?? 0,
    });
  }
  return minutes;
}

/** Each group's production share over [start, start + 1 min), weighted by how long each rule state held. */
export function timeWeightedShares(
  history: RuleChange[],
  ruleArn: string,
  baseline: GroupWeight[],
  start: number,
): Map<string, number> {
  const changes = history.filter((change) => change.ruleArn === ruleArn).sort((a, b) => a.at - b.at);
  let current = baseline;
  for (const change of changes) if (change.at <= start) current = change.weights;
  const shares = new Map<string, number>();
  const addState = (weights: GroupWeight[], from: number, to: number) => {
    if (to <= from) return;
    for (const group of weights)
      shares.set(
        group.targetGroupArn,
        (shares.get(group.targetGroupArn) ?? 0) +
          (percentOf(weights, group.targetGroupArn) * (to - from)) / MINUTE,
      );
  };
  let from = start;
  for (const change of changes) {
    if (change.at <= start || change.at >= start + MINUTE) continue;
    addState(current, from, change.at);
    current = change.weights;
    from = change.at;
  }
  addState(current, from, start + MINUTE);
  return shares;
}

/** The task definition of the newest revision placed in `group` by `at` (the group's tasks). */
export function servingRevision(handle: LocalAws, group: string, at: number): string | undefined {
  let best: { createdAt: number; taskDefinition: string } | undefined;
  for (const revision of handle.model.state.revisions.values())
    if (
      revision.targetGroupArn === group &&
      revision.createdAt <= at &&
      (best === undefined || revision.createdAt >= best.createdAt)
    )
      best = revision;
  return best?.taskDefinition;
}

/** A small seeded generator (mulberry32): the same seed gives the same traffic. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binomial(n, p): exact for small n, normal approximation (rounded, clamped) otherwise. */
export function binomial(n: number, p: number, random: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 64) {
    let count = 0;
    for (let i = 0; i < n; i++) if (random() < p) count++;
    return count;
  }
  const value = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gaussian(random));
  return Math.min(n, Math.max(0, value));
}

export function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = random();
    while (product > limit) {
      k++;
      product *= random();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
